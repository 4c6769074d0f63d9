"""The gateway's WebSocket protocol: frames, the connect handshake, and one connection's loop."""

from __future__ import annotations

from openclaw.gateway.ws.frames import MAX_PROTOCOL, MIN_PROTOCOL, PROTOCOL_VERSION

__all__ = ["MAX_PROTOCOL", "MIN_PROTOCOL", "PROTOCOL_VERSION"]
