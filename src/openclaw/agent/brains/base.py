"""The `Brain` protocol every model provider implements, and the errors a brain raises."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from openclaw.agent.messages import BrainReply, BrainRequest, TextSink
from openclaw.errors import UpstreamError


class BrainError(UpstreamError):
    """The provider refused or failed after its retries; `retryable` says whether a fallback may help."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@runtime_checkable
class Brain(Protocol):
    """A model behind one call: send the conversation, get the next assistant message."""

    @property
    def model_id(self) -> str:
        """`provider/model`, as configured."""
        ...

    @property
    def context_window(self) -> int:
        """Tokens the model accepts; compaction keeps the transcript under this."""
        ...

    async def respond(self, request: BrainRequest, on_text: TextSink | None = None) -> BrainReply:
        """Answer `request`, streaming reply text to `on_text`. Raises BrainError."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
