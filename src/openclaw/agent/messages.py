"""The provider-neutral conversation: what a brain is sent and what it answers.

Brains translate these values to and from their wire format (Anthropic Messages, OpenAI
chat/completions); the loop, transcripts and compaction only ever see these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["user", "assistant"]
StopReason = Literal["end_turn", "tool_use", "max_tokens", "stop_sequence", "refusal", "error"]

# Receives each piece of streamed reply text as it arrives.
TextSink = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """A tool's answer to one call, as the model sees it (content is JSON text)."""

    call_id: str
    name: str
    content: str
    is_error: bool = False


Part = TextPart | ToolCall | ToolOutcome


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def tool_calls(self) -> list[ToolCall]:
        return [p for p in self.parts if isinstance(p, ToolCall)]

    @property
    def tool_outcomes(self) -> list[ToolOutcome]:
        return [p for p in self.parts if isinstance(p, ToolOutcome)]

    @classmethod
    def user(cls, text: str) -> Message:
        return cls("user", (TextPart(text),))

    @classmethod
    def assistant(cls, text: str) -> Message:
        return cls("assistant", (TextPart(text),))


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """What the model is told about one tool: generated from the tool's typed signature."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_read_tokens += other.cache_read_tokens
        self.cache_write_tokens += other.cache_write_tokens

    def to_json(self) -> dict[str, int]:
        return {
            "input": self.input_tokens,
            "output": self.output_tokens,
            "cacheRead": self.cache_read_tokens,
            "cacheWrite": self.cache_write_tokens,
            "total": self.total,
        }


@dataclass(frozen=True, slots=True)
class BrainRequest:
    """One model call. `system` is stable across turns (cached); `context` changes per run."""

    system: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    context: str = ""
    max_tokens: int = 4096
    # "none" withholds tools on a run's last step: the model must answer with what it has.
    tool_choice: Literal["auto", "none"] = "auto"


@dataclass(frozen=True, slots=True)
class BrainReply:
    parts: tuple[Part, ...]
    stop_reason: StopReason
    usage: Usage = field(default_factory=Usage)
    model: str = ""

    @property
    def message(self) -> Message:
        return Message("assistant", self.parts)

    @property
    def text(self) -> str:
        return self.message.text

    @property
    def tool_calls(self) -> list[ToolCall]:
        return self.message.tool_calls
