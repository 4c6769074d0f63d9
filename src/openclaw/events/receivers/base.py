"""What a receiver returns, and how a validation failure becomes a 400 that names the field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from openclaw.errors import WebhookError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Accepted:
    """A validated webhook: the source it came in on, its event type, and the typed body."""

    source: str
    type: str
    model: BaseModel


def field_path(loc: Sequence[int | str]) -> str:
    """pydantic's error location as a JSON path: ("alerts", 0, "status") -> "alerts[0].status"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "$"


def validate(model: type[M], data: Any) -> M:
    """`model` from a parsed body or from raw JSON bytes, or a WebhookError naming the first bad field."""
    try:
        if isinstance(data, (bytes, bytearray, str)):
            return model.model_validate_json(data)
        if not isinstance(data, dict):
            raise WebhookError(f"$: expected the body to be a JSON object, got {type(data).__name__}", field="$")
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        if first["type"] == "json_invalid":
            raise WebhookError(f"$: body is not valid JSON ({first['msg']})", field="$") from None
        if first["type"] == "model_type" and not first["loc"]:
            raise WebhookError("$: expected the body to be a JSON object", field="$") from None
        path = field_path([p for p in first["loc"] if not (isinstance(p, str) and "[" in p)])
        raise WebhookError(f"{path}: {first['msg']}", field=path) from None
