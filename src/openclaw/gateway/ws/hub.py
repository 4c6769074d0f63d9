"""`Hub`: the WebSocket side of the gateway, in the `HUB` slot.

It owns the pairing store, the failed-auth limiter and the live connections, so that revoking or
unpairing a device closes that device's sockets, whether the change came over RPC or from the
CLI editing `paired.json` directly (noticed by polling the file).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from prometheus_client import Counter, Gauge

from openclaw.core.notices import Notice
from openclaw.core.topics import Topic
from openclaw.core.methods import READ, Caller, MethodCall
from openclaw.core.slots import Slot
from openclaw.errors import StateError
from openclaw.gateway.device_identity import DeviceIdentity, identity_path
from openclaw.gateway.pairing import PairingStore
from openclaw.core.ratelimit import AuthRateLimiter
from openclaw.core.services import Services
from openclaw.gateway.ws import frames as f
from openclaw.gateway.ws.refusal import HandshakeRefused

log = logging.getLogger(__name__)

# The upstream gateway's wording, so its clients classify an upgrade as such.
PAIRING_MESSAGES = {
    "not-paired": "pairing required",
    "role-upgrade": "pairing required: device is asking for a higher role than currently approved",
    "scope-upgrade": "pairing required: device is asking for more scopes than currently approved",
}
PAIRED_POLL_S = 0.5


class LiveConnection(Protocol):
    @property
    def caller(self) -> Caller: ...

    @property
    def auth_method(self) -> str: ...

    async def close(self, code: int, reason: str) -> None: ...


@dataclass
class Hub:
    services: Services
    pairing: PairingStore
    limiter: AuthRateLimiter
    metrics_auth_failures: Counter
    metrics_connections: Gauge
    tick_interval_ms: int = f.TICK_INTERVAL_MS
    max_buffered_bytes: int = f.MAX_BUFFERED_BYTES
    handshake_timeout_s: float = f.HANDSHAKE_TIMEOUT_S
    connections: dict[str, LiveConnection] = field(default_factory=dict)
    # (mtime_ns, device id) of <state>/identity/device.json, read again only when the file changes.
    _cli_identity: tuple[int, str] | None = None

    def cli_device_id(self) -> str | None:
        """The device id of the gateway's own CLI identity (`<state>/identity/device.json`), or
        None while no CLI has created it. The id is derived from the private key in the file,
        so a file that merely names an id proves nothing."""
        path = identity_path(self.services.state_dir)
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        if self._cli_identity is not None and self._cli_identity[0] == stamp:
            return self._cli_identity[1]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            device_id = DeviceIdentity.from_json(data if isinstance(data, dict) else {}, path).device_id
        except (OSError, ValueError, StateError) as exc:
            log.warning("pairing.cli_identity_unreadable", extra={"path": str(path), "error": str(exc)})
            return None
        self._cli_identity = (stamp, device_id)
        return device_id

    def add(self, conn_id: str, conn: LiveConnection) -> None:
        self.connections[conn_id] = conn
        self.metrics_connections.set(len(self.connections))

    def discard(self, conn_id: str) -> None:
        self.connections.pop(conn_id, None)
        self.metrics_connections.set(len(self.connections))

    def client_summaries(self) -> list[dict[str, Any]]:
        """Who is connected, oldest first: a device, or a shared-token client with no device."""
        out = []
        for conn in self.connections.values():
            caller = conn.caller
            out.append(
                {
                    "connId": caller.conn_id,
                    "clientId": caller.client_id,
                    "role": caller.role,
                    "scopes": sorted(caller.scopes),
                    "auth": "device" if caller.device_id else "shared-token",
                    "deviceId": caller.device_id,
                    "remoteIp": caller.remote_ip,
                    "local": caller.is_local,
                }
            )
        return out

    async def close_device(self, device_id: str, reason: str, *, role: str | None = None, only_device_token: bool = False) -> int:
        """Close every live connection of `device_id` (optionally one role / device-token sessions)."""
        victims = [
            c
            for c in list(self.connections.values())
            if c.caller.device_id == device_id
            and (role is None or c.caller.role == role)
            and (not only_device_token or c.auth_method == "device-token")
        ]
        for conn in victims:
            await conn.close(f.CLOSE_POLICY_VIOLATION, reason)
        if victims:
            log.info("ws.device_disconnected", extra={"device": device_id, "count": len(victims), "reason": reason})
        return len(victims)

    async def require_pairing(self, info: dict[str, Any], *, reason: str, silent: bool, approved_scopes: list[str] | None = None) -> None:
        """File (or reuse) a pending request. A silent one (see pairing_policy) is approved at
        once and returns; otherwise raise the NOT_PAIRED refusal carrying the requestId, the
        scopes asked for and, for an upgrade, those approved so far."""
        request, created = await asyncio.to_thread(self.pairing.request, {**info, "reason": reason}, silent=silent)
        if silent:
            device = await asyncio.to_thread(self.pairing.approve, request["requestId"])
            self.services.notices.post(Notice(Topic.DEVICE_PAIR_RESOLVED, {"requestId": request["requestId"], "deviceId": device["deviceId"], "decision": "approved", "silent": True}))
            log.info("pairing.auto_approved", extra={"device": device["deviceId"], "reason": reason})
            return
        if created:
            self.services.notices.post(Notice(Topic.DEVICE_PAIR_REQUESTED, request))
            log.info("pairing.requested", extra={"device": request["deviceId"], "request": request["requestId"], "reason": reason})
        details = {
            "code": "PAIRING_REQUIRED",
            "requestId": request["requestId"],
            "deviceId": request["deviceId"],
            "reason": reason,
            "requestedRole": info.get("role"),
            "requestedScopes": list(info.get("scopes") or []),
        }
        if approved_scopes:
            details["approvedScopes"] = approved_scopes
        message = PAIRING_MESSAGES.get(reason, "pairing required")
        raise HandshakeRefused(f.NOT_PAIRED, message, details, close_reason=f"pairing required (requestId: {request['requestId']})")

    async def enforce_paired(self) -> None:
        """Close connections whose device was unpaired, re-keyed, or whose device token was revoked."""
        paired = await asyncio.to_thread(self.pairing.paired_ids)
        for conn in list(self.connections.values()):
            device_id = conn.caller.device_id
            if device_id is None:
                continue
            device = paired.get(device_id)
            if device is None:
                await conn.close(f.CLOSE_POLICY_VIOLATION, "device removed: pairing required")
                continue
            token = (device.get("tokens") or {}).get(conn.caller.role) or {}
            if conn.auth_method == "device-token" and token.get("revokedAtMs"):
                await conn.close(f.CLOSE_POLICY_VIOLATION, "device token revoked")

    async def watch_paired(self) -> None:
        """Poll paired.json so a change made by the CLI without the gateway takes effect here."""
        path = self.pairing.paired_path

        def stamp() -> int | None:
            try:
                return path.stat().st_mtime_ns
            except FileNotFoundError:
                return None

        last = stamp()
        while True:
            await asyncio.sleep(PAIRED_POLL_S)
            current = stamp()
            if current != last:
                last = current
                try:
                    await self.enforce_paired()
                except Exception:
                    log.exception("pairing.enforce_failed")


HUB: Slot[Hub] = Slot("gateway.ws", "the WebSocket hub is not running")


def hub_of(services: Services) -> Hub:
    return services.get(HUB)


def install(services: Services) -> Hub:
    """Create the hub and start the paired.json watcher (its methods: `pairing_methods.install`)."""
    hub = Hub(
        services=services,
        pairing=PairingStore(services.state_dir),
        limiter=AuthRateLimiter(lambda: services.config.settings.gateway.auth.rate_limit),
        metrics_auth_failures=Counter("openclaw_gateway_auth_failures", "Refused WebSocket connects (bad token or device signature)", registry=services.metrics),
        metrics_connections=Gauge("openclaw_gateway_ws_connections", "Authenticated WebSocket connections", registry=services.metrics),
    )
    services.put(HUB, hub)

    @services.methods.method("clients.list", READ)
    async def clients_list(call: MethodCall) -> dict[str, Any]:
        return {"clients": hub.client_summaries()}

    async def start_watch() -> None:
        services.supervisor.start("pairing.watch", hub.watch_paired())

    services.startup.append(start_watch)
    return hub
