"""The registry of WebSocket RPC methods and the scope each one needs.

Capabilities register their methods with `registry.method(name, scope)`; the connection handler
looks a method up, checks the caller's scopes and calls it with a `MethodCall`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from openclaw.core.scopes import ADMIN, ALL_SCOPES, APPROVALS, PAIRING, READ, WRITE

__all__ = ["ADMIN", "ALL_SCOPES", "APPROVALS", "PAIRING", "READ", "WRITE", "Caller", "MethodCall", "MethodError", "MethodRegistry", "MethodSpec"]


@dataclass(frozen=True)
class Caller:
    """Who is calling: what the handshake established."""

    conn_id: str
    role: str
    scopes: frozenset[str]
    device_id: str | None = None
    client_id: str | None = None
    remote_ip: str | None = None
    is_local: bool = False

    def allows(self, scope: str) -> bool:
        """admin passes everything; a read method also accepts write."""
        if ADMIN in self.scopes or scope in self.scopes:
            return True
        return scope == READ and WRITE in self.scopes

    @property
    def operator(self) -> str:
        """Who this is in the audit log: the paired device, or (a device-less local client) the connection.
        Never the client's app id, which every browser running the Control UI shares."""
        return f"device:{self.device_id}" if self.device_id else f"conn:{self.conn_id}"


@dataclass
class MethodCall:
    params: dict[str, Any]
    caller: Caller
    # Lets a handler push events to just this connection (e.g. a log tail subscription).
    send_event: Callable[[str, Any], Awaitable[None]] | None = None


class MethodError(Exception):
    """A refusal the client sees as `{ok:false, error:{code, message, details}}`."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None, *, retry_after_ms: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        self.retry_after_ms = retry_after_ms

    def to_error(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            err["details"] = self.details
        if self.retry_after_ms is not None:
            err["retryable"] = True
            err["retryAfterMs"] = self.retry_after_ms
        return err


Handler = Callable[[MethodCall], Awaitable[Any]]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    scope: str
    handler: Handler


@dataclass
class MethodRegistry:
    _methods: dict[str, MethodSpec] = field(default_factory=dict)

    def method(self, name: str, scope: str) -> Callable[[Handler], Handler]:
        """Decorator: register `handler` as RPC method `name`, callable with `scope`."""
        if scope not in ALL_SCOPES:
            raise ValueError(f"unknown scope {scope!r} for method {name}")

        def deco(handler: Handler) -> Handler:
            if name in self._methods:
                raise ValueError(f"method {name} registered twice")
            self._methods[name] = MethodSpec(name, scope, handler)
            return handler

        return deco

    def get(self, name: str) -> MethodSpec | None:
        return self._methods.get(name)

    def names(self) -> list[str]:
        return sorted(self._methods)
