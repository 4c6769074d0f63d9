"""Frame shapes of the gateway protocol (v3 frames, protocol 3 and 4 accepted).

    req   {type:"req", id, method, params?}
    res   {type:"res", id, ok, payload?, error?}      error = {code, message, details?, retryable?, retryAfterMs?}
    event {type:"event", event, payload?, seq?}       seq is per connection and monotonic
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PROTOCOL_VERSION = 3
MIN_PROTOCOL = 3
MAX_PROTOCOL = 4

# Limits sent in hello-ok `policy` (upstream v4 sizes; uvicorn's ws_max_size matches MAX_PAYLOAD).
MAX_PAYLOAD = 25 * 1024 * 1024
MAX_BUFFERED_BYTES = 50 * 1024 * 1024
PRE_AUTH_MAX_BYTES = 64 * 1024
TICK_INTERVAL_MS = 30_000
HANDSHAKE_TIMEOUT_S = 10.0

# Close codes.
CLOSE_NORMAL = 1000
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_POLICY_VIOLATION = 1008
CLOSE_SERVER_SHUTDOWN = 1001

# Top-level error codes (upstream v3 codes plus the v4 additions this gateway uses).
INVALID_REQUEST = "INVALID_REQUEST"
NOT_PAIRED = "NOT_PAIRED"
UNAUTHORIZED = "UNAUTHORIZED"
FORBIDDEN = "FORBIDDEN"
RATE_LIMITED = "RATE_LIMITED"
UNAVAILABLE = "UNAVAILABLE"
METHOD_NOT_FOUND = "METHOD_NOT_FOUND"


class FrameError(ValueError):
    """A client frame that is not valid JSON or not a known frame shape."""


@dataclass(frozen=True)
class Request:
    id: str
    method: str
    params: dict[str, Any]


def parse_request(text: str | bytes) -> Request:
    """Parse a client frame; only `req` frames are valid from a client."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise FrameError(f"frame is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise FrameError("frame: expected a JSON object")
    if data.get("type") != "req":
        raise FrameError(f"type: expected \"req\", got {data.get('type')!r}")
    rid, method, params = data.get("id"), data.get("method"), data.get("params", {})
    if not isinstance(rid, (str, int)) or isinstance(rid, bool) or rid == "":
        raise FrameError("id: expected a non-empty string")
    if not isinstance(method, str) or not method:
        raise FrameError("method: expected a non-empty string")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise FrameError("params: expected an object")
    return Request(str(rid), method, params)


def response_ok(rid: str, payload: Any) -> dict[str, Any]:
    return {"type": "res", "id": rid, "ok": True, "payload": payload}


def response_error(rid: str | None, error: dict[str, Any]) -> dict[str, Any]:
    return {"type": "res", "id": rid, "ok": False, "error": error}


def error_body(code: str, message: str, details: dict[str, Any] | None = None, retry_after_ms: int | None = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if details:
        err["details"] = details
    if retry_after_ms is not None:
        err["retryable"] = True
        err["retryAfterMs"] = retry_after_ms
    return err


def event(name: str, payload: Any, seq: int | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "event", "event": name, "payload": payload}
    if seq is not None:
        frame["seq"] = seq
    return frame
