"""Browser origin check for WebSocket connects (`gateway.controlUi.allowedOrigins`).

A connect that carries an `Origin` header comes from a browser. A browser is allowed when its
origin is listed (compared lower-cased with default ports dropped), when the list holds `*`, or
when the client is local and the origin's host is loopback. A browser with a missing or `null`
origin is refused. Clients without an `Origin` header (the CLI, scripts) are not browsers.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from openclaw.gateway.peer import is_loopback

REFUSAL = "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)"
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize(origin: str) -> str | None:
    """`scheme://host[:port]` lower-cased with the default port dropped; None when not an origin."""
    text = origin.strip().lower().rstrip("/")
    if not text or text == "null":
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or DEFAULT_PORTS.get(parts.scheme) == port:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def origin_host(origin: str) -> str | None:
    try:
        return urlsplit(origin.strip().lower()).hostname
    except ValueError:
        return None


def check(origin: str | None, *, allowed: Iterable[str], is_local: bool) -> str | None:
    """None when a browser with `origin` may connect, else the reason it may not."""
    if origin is None or origin.strip().lower() in ("", "null"):
        return f"origin not allowed (a browser connect needs an Origin; got {'none' if origin is None else repr(origin)})"
    normalized = normalize(origin)
    if normalized is None:
        return f"origin not allowed ({origin!r} is not a valid origin)"
    allowed = list(allowed)
    if "*" in allowed:
        return None
    if normalized in {n for n in (normalize(a) for a in allowed) if n}:
        return None
    host = origin_host(origin)
    if is_local and host is not None and (host == "localhost" or is_loopback(host)):
        return None
    return REFUSAL
