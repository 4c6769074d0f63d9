"""The offline brain: no provider. It never calls out and says so; slash commands still work."""

from __future__ import annotations

from dataclasses import dataclass

from openclaw.agent.messages import BrainReply, BrainRequest, TextPart, TextSink

OFFLINE_NOTICE = (
    "No model is configured, so I can only run commands (agents.defaults.model.primary is unset and "
    "ANTHROPIC_API_KEY is not set). Runbooks keep working. Try /help."
)


@dataclass
class OfflineBrain:
    @property
    def model_id(self) -> str:
        return "none/offline"

    @property
    def context_window(self) -> int:
        return 1_000_000

    async def aclose(self) -> None:
        return None

    async def respond(self, request: BrainRequest, on_text: TextSink | None = None) -> BrainReply:
        if on_text is not None:
            await on_text(OFFLINE_NOTICE)
        return BrainReply(parts=(TextPart(OFFLINE_NOTICE),), stop_reason="end_turn", model=self.model_id)


def is_offline(brain: object) -> bool:
    return isinstance(brain, OfflineBrain)
