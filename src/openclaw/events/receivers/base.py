"""What a receiver returns, and how a validation failure becomes a 400 that names every bad field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, from_json

from openclaw.errors import WebhookError

M = TypeVar("M", bound=BaseModel)

# Containers stop at their first bad item (models/base.py FirstBad), so this bounds the fields of
# the models themselves: a 400 never grows with the body.
MAX_REPORTED_PROBLEMS = 20


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


def document_position(document: Any, loc: Sequence[int | str]) -> tuple[int, ...]:
    """Where the problem at `loc` sits in the document, as comparable key/index ordinals.

    A value's position is its ordinal at each level (JSON object keys keep their order when
    parsed); a missing key sits at the end of its object, where a reader notices it is absent.
    Sorting by this puts a wrong value before the required fields its parent then lacks."""
    position: list[int] = []
    node = document
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            if part not in node:
                position.append(len(node))
                break
            position.append(list(node).index(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            position.append(part)
            node = node[part]
        else:
            break
    return tuple(position)


def problems_of(errors: list[ErrorDetails], document: Any) -> list[dict[str, str]]:
    """Every problem as {field, message, type}, first in document order."""
    located = []
    for error in errors:
        loc = [p for p in error["loc"] if not (isinstance(p, str) and "[" in p)]  # drop pydantic's "[key]" markers
        located.append((document_position(document, loc), field_path(loc), error))
    located.sort(key=lambda item: item[0])  # stable: problems at one place keep pydantic's order
    return [{"field": path, "message": error["msg"], "type": error["type"]} for _, path, error in located]


def invalid_body(exc: ValidationError, data: Any) -> WebhookError:
    """The 400 for a body that failed validation: every problem listed (bounded), the first named."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    if first["type"] == "json_invalid":
        return WebhookError(f"$: body is not valid JSON ({first['msg']})", field="$")
    if first["type"] == "model_type" and not first["loc"]:
        return WebhookError("$: expected the body to be a JSON object", field="$")
    # Raw bytes are parsed again only here, on the refusal path, to learn the order of their keys.
    try:
        document = from_json(data) if isinstance(data, (bytes, bytearray, str)) else data
    except ValueError:  # the parsers disagree on an edge case: pydantic's order then stands
        document = None
    problems = problems_of(errors, document)
    head = problems[0]
    message = f"{head['field']}: {head['message']}"
    if len(problems) > 1:
        shown = min(len(problems), MAX_REPORTED_PROBLEMS)
        message += f" (and {len(problems) - 1} more: " + "; ".join(f"{p['field']}: {p['message']}" for p in problems[1:shown])
        message += (f"; {len(problems) - shown} not listed" if len(problems) > shown else "") + ")"
    return WebhookError(message, field=head["field"], errors=problems[:MAX_REPORTED_PROBLEMS], error_count=len(problems))


def validate(model: type[M], data: Any) -> M:
    """`model` from a parsed body or from raw JSON bytes, or a WebhookError naming every bad field."""
    try:
        if isinstance(data, (bytes, bytearray, str)):
            return model.model_validate_json(data)
        if not isinstance(data, dict):
            raise WebhookError(f"$: expected the body to be a JSON object, got {type(data).__name__}", field="$")
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_body(exc, data) from None
