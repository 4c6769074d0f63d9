"""`/hooks/<name>` through `hooks.mappings`: match a request, render its templates into a message.

Templates are `{{ expr }}` where expr is `path`, `now`, `headers.<name>`, `query.<key>`,
`payload.<path>` or a bare payload path; a path reads `a.b[0].c`. Strings are inserted as they
are, numbers and booleans as text, objects as JSON, anything missing as "".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openclaw.config.schema import HookMapping
from openclaw.errors import WebhookError
from openclaw.events.models.direct import MappedHook
from openclaw.events.receivers.base import Accepted

_TEMPLATE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_MISSING = object()


@dataclass(frozen=True, slots=True)
class HookRequest:
    """What a template can read from the request."""

    path: str
    payload: Any
    headers: Mapping[str, str]
    query: Mapping[str, str]


def lookup(value: Any, path: str) -> Any:
    """Follow `a.b[0].c` into nested dicts and lists; `_MISSING` when any step is absent."""
    for name, index in _SEGMENT.findall(path):
        if name:
            if not isinstance(value, Mapping) or name not in value:
                return _MISSING
            value = value[name]
        else:
            i = int(index)
            if not isinstance(value, Sequence) or isinstance(value, (str, bytes)) or i >= len(value):
                return _MISSING
            value = value[i]
    return value


def _text(value: Any) -> str:
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def resolve(expr: str, req: HookRequest, now: dt.datetime | None = None) -> Any:
    if expr == "path":
        return req.path
    if expr == "now":
        return (now or dt.datetime.now(dt.timezone.utc)).isoformat().replace("+00:00", "Z")
    if expr.startswith("headers."):
        return req.headers.get(expr[len("headers."):].lower(), _MISSING)
    if expr.startswith("query."):
        return req.query.get(expr[len("query."):], _MISSING)
    if expr.startswith("payload."):
        return lookup(req.payload, expr[len("payload."):])
    if expr == "payload":
        return req.payload
    return lookup(req.payload, expr)


def render(template: str, req: HookRequest, now: dt.datetime | None = None) -> str:
    return _TEMPLATE.sub(lambda m: _text(resolve(m.group(1), req, now)), template)


def find_mapping(mappings: Sequence[HookMapping], path: str, payload: Any) -> HookMapping | None:
    """The first mapping whose `match.path` equals the sub-path (and `match.source` the payload's source)."""
    sub = path.strip("/")
    for mapping in mappings:
        if mapping.match.path.strip("/") != sub:
            continue
        if mapping.match.source is not None:
            if not isinstance(payload, Mapping) or payload.get("source") != mapping.match.source:
                continue
        return mapping
    return None


def receive_mapped(mapping: HookMapping, req: HookRequest) -> Accepted:
    if mapping.action == "agent":
        template, field = mapping.message_template, "messageTemplate"
    else:
        template, field = mapping.text_template or mapping.message_template, "textTemplate"
    mapping_name = mapping.id or mapping.match.path.strip("/")
    if not template:
        raise WebhookError(f"hook mapping {mapping_name!r} has no {field}: set hooks.mappings[].{field}", field=field)
    message = render(template, req)
    if not message.strip():
        raise WebhookError(f"hook mapping {mapping_name!r} rendered an empty message from this body", field=field)
    hook = MappedHook(
        mapping=mapping_name,
        path=req.path.strip("/"),
        action=mapping.action,
        name=render(mapping.name, req) if mapping.name else None,
        message=message,
        session_key=render(mapping.session_key, req) if mapping.session_key else None,
        payload=req.payload,
    )
    return Accepted(f"hook:{mapping_name}", mapping.action, hook)
