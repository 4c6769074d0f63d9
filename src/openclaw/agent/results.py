"""`ToolResult`: what every tool returns, and the output budget that trims it for the model."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

ToolStatus = Literal["success", "no_data", "error", "refused", "approval_required"]

TRUNCATION_MARKER = "[TRUNCATED]"


@dataclass(frozen=True, slots=True)
class ToolResult:
    status: ToolStatus
    data: Any = None
    error: str | None = None
    truncated: bool = False

    @classmethod
    def ok(cls, data: Any) -> ToolResult:
        return cls("success", data) if data not in (None, [], {}, "") else cls("no_data", data)

    @classmethod
    def fail(cls, error: str) -> ToolResult:
        return cls("error", error=error)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.data is not None:
            out["data"] = self.data
        if self.error:
            out["error"] = self.error
        if self.truncated:
            out["truncated"] = True
        return out


def render(result: ToolResult, budget: int) -> tuple[str, ToolResult]:
    """The JSON text the model sees, cut to `budget` characters with a visible marker and a hint.

    Returns the text and the result as recorded (with `truncated` set when it was cut)."""
    text = json.dumps(result.to_json(), default=str, ensure_ascii=False)
    if len(text) <= budget:
        return text, result
    over = len(text) - budget
    hint = (f" {TRUNCATION_MARKER} output was {len(text)} characters, {over} over this tool's budget of {budget}; "
            "ask again with a narrower query (a namespace, a name, a smaller limit or tail).")
    cut = text[: max(0, budget - len(hint))]
    return cut + hint, ToolResult(result.status, result.data, result.error, truncated=True)
