"""Primary model with fallbacks: the next model is tried when one fails in a way a retry may fix."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from openclaw.agent.brains.base import Brain, BrainError
from openclaw.agent.messages import BrainReply, BrainRequest, TextSink

log = logging.getLogger(__name__)


@dataclass
class FallbackBrain:
    chain: tuple[Brain, ...]

    @property
    def model_id(self) -> str:
        return self.chain[0].model_id

    @property
    def context_window(self) -> int:
        return min(b.context_window for b in self.chain)

    async def aclose(self) -> None:
        for brain in self.chain:
            await brain.aclose()

    async def respond(self, request: BrainRequest, on_text: TextSink | None = None) -> BrainReply:
        last: BrainError | None = None
        for brain in self.chain:
            streamed = False

            async def sink(text: str) -> None:
                nonlocal streamed
                streamed = True
                if on_text is not None:
                    await on_text(text)

            try:
                return await brain.respond(request, sink)
            except BrainError as exc:
                # Text already streamed cannot be taken back: a fallback would say it twice.
                if not exc.retryable or streamed:
                    raise
                log.warning("agent.model_fallback", extra={"model": brain.model_id, "error": str(exc)})
                last = exc
        assert last is not None  # chain is never empty
        raise last
