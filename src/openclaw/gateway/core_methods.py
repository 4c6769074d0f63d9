"""The gateway's own RPC methods: health, status, config, logs."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from openclaw import __version__
from openclaw.config import layers, store
from openclaw.config.reveal import reveal
from openclaw.errors import ConfigError, ConfigPathError
from openclaw.core.config_holder import needs_restart
from openclaw.core.methods import ADMIN, READ, MethodCall, MethodError
from openclaw.core.services import Services

log = logging.getLogger(__name__)


def install(services: Services) -> None:
    m = services.methods

    @m.method("health", READ)
    async def health(call: MethodCall) -> dict[str, Any]:
        return {"ok": True, "status": "live", "uptimeMs": int((time.time() - services.started_at) * 1000)}

    @m.method("status", READ)
    async def status(call: MethodCall) -> dict[str, Any]:
        settings = services.config.settings
        return {
            "version": __version__,
            "uptimeMs": int((time.time() - services.started_at) * 1000),
            "stateDir": str(services.state_dir),
            "bind": settings.gateway.bind,
            "port": settings.gateway.port,
            "pendingRestart": services.config.pending_restart,
            "ready": services.ready,
        }

    @m.method("config.get", READ)
    async def config_get(call: MethodCall) -> dict[str, Any]:
        # An outside `openclaw config set` may have landed since the last poll; its hash is the one
        # a following config.set will be compared with.
        services.config.refresh()
        snap = services.config.snapshot
        effective = snap.redacted()
        return {
            "path": str(snap.state_path),
            "seedPath": str(snap.seed_path) if snap.seed_path else None,
            "exists": snap.state_path.exists(),
            "hash": snap.hash,
            "config": effective,
            "sources": _sources(snap, effective),
            "warnings": snap.warnings,
            "valid": True,
        }

    @m.method("config.reveal", ADMIN)
    async def config_reveal(call: MethodCall) -> dict[str, Any]:
        """One value in clear, for an admin, audited (`<state>/audit/config.jsonl`) before it is sent."""
        path = call.params.get("path")
        if not isinstance(path, str) or not path.strip():
            raise MethodError("INVALID_REQUEST", "path: expected a dotted config path, e.g. env.OPENAI_API_KEY", {"field": "path"})
        services.config.refresh()
        caller = call.caller
        actor = {
            "deviceId": caller.device_id,
            "clientId": caller.client_id,
            "role": caller.role,
            "scopes": sorted(caller.scopes),
            "remoteIp": caller.remote_ip,
            "local": caller.is_local,
            "conn": caller.conn_id,
        }
        try:
            shown = await asyncio.to_thread(reveal, services.config.snapshot, path, actor=actor, via="gateway")
        except ConfigPathError as exc:
            raise MethodError("INVALID_REQUEST", str(exc), {"field": "path"}) from None
        except OSError as exc:
            # Fail closed: a read that leaves no record does not happen.
            log.error("config.reveal_unaudited", extra={"path": path, "error": exc.strerror or type(exc).__name__})
            raise MethodError("UNAVAILABLE", f"the audit record could not be written ({exc.strerror or exc}); nothing was revealed") from None
        log.info("config.revealed", extra={"path": shown.path, "secrets": ",".join(shown.secrets), "device": caller.device_id})
        return {"path": shown.path, "value": shown.value, "source": shown.source, "secrets": shown.secrets}

    async def write(call: MethodCall, patch_mode: bool) -> dict[str, Any]:
        params = call.params
        base = params.get("baseHash")
        if not isinstance(base, str):
            raise MethodError("INVALID_REQUEST", "baseHash: expected the hash from config.get", {"field": "baseHash"})
        current = services.config.snapshot
        if base != layers.raw_hash(layers.read_layer(current.state_path)):
            raise MethodError("CONFLICT", "config changed since it was read; fetch config.get again", {"field": "baseHash"})
        if patch_mode:
            patch = params.get("patch")
            if not isinstance(patch, dict):
                raise MethodError("INVALID_REQUEST", "patch: expected an object (JSON merge patch)", {"field": "patch"})
            change = lambda tree: _replace(tree, store.merge_patch(tree, patch))  # noqa: E731
        else:
            path, value = params.get("path"), params.get("value")
            if not isinstance(path, str):
                raise MethodError("INVALID_REQUEST", "path: expected a dotted config path", {"field": "path"})
            from openclaw.config import dotpath

            try:
                segs = dotpath.parse(path)
            except ConfigPathError as exc:
                raise MethodError("INVALID_REQUEST", str(exc), {"field": "path"}) from None
            change = lambda tree: dotpath.set_in(tree, segs, value)  # noqa: E731
        try:
            store.update_state(services.state_dir, change)
        except ConfigError as exc:
            raise MethodError("INVALID_REQUEST", "; ".join(exc.problems) or exc.summary, {"problems": exc.problems}) from None
        off = services.config.reload_off  # as the running config says, before this change
        changed = services.config.reload()
        restart = changed if off else needs_restart(changed)
        return {"ok": True, "changed": changed, "restartRequired": restart, "hash": services.config.snapshot.hash}

    @m.method("config.set", ADMIN)
    async def config_set(call: MethodCall) -> dict[str, Any]:
        return await write(call, patch_mode=False)

    @m.method("config.patch", ADMIN)
    async def config_patch(call: MethodCall) -> dict[str, Any]:
        return await write(call, patch_mode=True)

    @m.method("logs.tail", READ)
    async def logs_tail(call: MethodCall) -> dict[str, Any]:
        after = call.params.get("after", 0)
        limit = call.params.get("limit", 200)
        if not isinstance(after, int) or not isinstance(limit, int) or limit < 1:
            raise MethodError("INVALID_REQUEST", "after/limit: expected integers (limit >= 1)", {"field": "limit"})
        lines = services.logs.tail(after=after, limit=min(limit, 1000))
        return {"lines": lines, "cursor": services.logs.seq}


def _replace(tree: dict[str, Any], new: dict[str, Any]) -> None:
    tree.clear()
    tree.update(new)


def _sources(snap: layers.ConfigSnapshot, effective: Any, prefix: str = "") -> dict[str, str]:
    """Dotted path -> layer for every leaf of the effective config."""
    out: dict[str, str] = {}
    if isinstance(effective, dict) and effective:
        for key, value in effective.items():
            from openclaw.config.dotpath import format_path

            path = format_path([*_split(prefix), key])
            out.update(_sources(snap, value, path))
    elif prefix:
        out[prefix] = snap.source_of(prefix)
    return out


def _split(prefix: str) -> list[str]:
    from openclaw.config.dotpath import parse

    return [str(s) for s in parse(prefix)] if prefix else []
