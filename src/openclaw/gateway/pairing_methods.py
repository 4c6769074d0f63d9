"""RPC methods over the pairing store: `device.pair.list|approve|reject|remove`,
`device.token.rotate|revoke`. Each change is announced on the bus and takes effect on live
connections at once."""

from __future__ import annotations

import asyncio
from typing import Any

from openclaw.core.methods import PAIRING, READ, MethodCall, MethodError
from openclaw.core.notices import Notice
from openclaw.core.services import Services
from openclaw.core.topics import Topic
from openclaw.gateway.pairing import PairingError, redacted_device
from openclaw.gateway.ws.hub import hub_of


def _param(call: MethodCall, name: str) -> str:
    value = call.params.get(name)
    if not isinstance(value, str) or not value.strip():
        raise MethodError("INVALID_REQUEST", f"{name}: expected a non-empty string", {"field": name})
    return value.strip()


def _role(call: MethodCall) -> str:
    role = call.params.get("role", "operator")
    if role not in ("operator", "node"):
        raise MethodError("INVALID_REQUEST", "role: expected operator or node", {"field": "role"})
    return str(role)


def install(services: Services) -> None:
    hub = hub_of(services)
    m = services.methods
    store = hub.pairing

    async def run(fn: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(fn, *args)
        except PairingError as exc:
            raise MethodError(exc.code, exc.message) from None

    @m.method("device.pair.list", PAIRING)
    async def pair_list(call: MethodCall) -> dict[str, Any]:
        return await asyncio.to_thread(store.listing)

    @m.method("device.pair.approve", PAIRING)
    async def pair_approve(call: MethodCall) -> dict[str, Any]:
        request_id = _param(call, "requestId")
        name = call.params.get("name")
        if name is not None and not isinstance(name, str):
            raise MethodError("INVALID_REQUEST", "name: expected a text", {"field": "name"})
        device = await run(store.approve, request_id, name or None)
        services.notices.post(Notice(Topic.DEVICE_PAIR_RESOLVED, {"requestId": request_id, "deviceId": device["deviceId"], "decision": "approved",
                                                                  "name": device.get("name")}))
        return {"requestId": request_id, "device": redacted_device(device)}

    @m.method("device.rename", PAIRING)
    async def device_rename(call: MethodCall) -> dict[str, Any]:
        device_id = _param(call, "deviceId")
        if not isinstance(call.params.get("name"), str):
            raise MethodError("INVALID_REQUEST", "name: expected a non-empty text, e.g. \"Anna's laptop\"", {"field": "name"})
        device = await run(store.rename, device_id, call.params["name"])
        services.notices.post(Notice(Topic.DEVICE_PAIR_RESOLVED, {"deviceId": device_id, "decision": "renamed", "name": device["name"]}))
        return {"deviceId": device_id, "name": device["name"]}

    @m.method("device.names", READ)
    async def device_names(call: MethodCall) -> dict[str, Any]:
        """Names only (no keys, tokens or addresses): every screen shows a device by its name."""
        return {"names": await asyncio.to_thread(store.names)}

    @m.method("device.pair.reject", PAIRING)
    async def pair_reject(call: MethodCall) -> dict[str, Any]:
        request_id = _param(call, "requestId")
        request = await run(store.reject, request_id)
        services.notices.post(Notice(Topic.DEVICE_PAIR_RESOLVED, {"requestId": request_id, "deviceId": request["deviceId"], "decision": "rejected"}))
        return {"requestId": request_id, "deviceId": request["deviceId"]}

    @m.method("device.pair.remove", PAIRING)
    async def pair_remove(call: MethodCall) -> dict[str, Any]:
        device_id = _param(call, "deviceId")
        await run(store.remove, device_id)
        closed = await hub.close_device(device_id, "device removed: pairing required")
        services.notices.post(Notice(Topic.DEVICE_PAIR_RESOLVED, {"deviceId": device_id, "decision": "removed"}))
        return {"deviceId": device_id, "removed": True, "closedConnections": closed}

    @m.method("device.token.rotate", PAIRING)
    async def token_rotate(call: MethodCall) -> dict[str, Any]:
        device_id, role = _param(call, "deviceId"), _role(call)
        scopes = call.params.get("scopes")
        if scopes is not None and (not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes)):
            raise MethodError("INVALID_REQUEST", "scopes: expected a list of strings", {"field": "scopes"})
        entry = await run(store.rotate_token, device_id, role, scopes)
        await hub.close_device(device_id, "device token rotated", role=role, only_device_token=True)
        return {"deviceId": device_id, **entry}

    @m.method("device.token.revoke", PAIRING)
    async def token_revoke(call: MethodCall) -> dict[str, Any]:
        device_id, role = _param(call, "deviceId"), _role(call)
        summary = await run(store.revoke_token, device_id, role)
        closed = await hub.close_device(device_id, "device token revoked", role=role)
        return {"deviceId": device_id, **summary, "closedConnections": closed}
