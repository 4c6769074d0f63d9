"""A brain whose every turn is played by a local function: the model's part in tests, scenario
runs and demos (pydantic-ai's FunctionModel idea). Never calls out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from openclaw.agent.messages import BrainReply, BrainRequest, TextSink

Script = Callable[[BrainRequest], BrainReply | Awaitable[BrainReply]]


@dataclass
class ScriptedBrain:
    script: Script
    name: str = "scripted/function"
    window: int = 200_000
    requests: list[BrainRequest] = field(default_factory=list)

    @property
    def model_id(self) -> str:
        return self.name

    @property
    def context_window(self) -> int:
        return self.window

    async def aclose(self) -> None:
        return None

    async def respond(self, request: BrainRequest, on_text: TextSink | None = None) -> BrainReply:
        self.requests.append(request)
        reply = self.script(request)
        if not isinstance(reply, BrainReply):
            reply = await reply
        if on_text is not None and reply.text:
            await on_text(reply.text)
        return reply
