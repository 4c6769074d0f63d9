"""Device pairing stores: `<state>/devices/pending.json` and `<state>/devices/paired.json`.

Both files are read and written under one cross-process file lock and replaced atomically (mode
0600), so `openclaw devices approve` can edit them while the gateway runs. A pending request
lives 5 minutes; a device has at most one, and keeps the same requestId while it waits. Paired
devices hold per-role device tokens, handed out in hello-ok and accepted as `auth.token` later.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock

from openclaw.config import store
from openclaw.errors import OpenClawError, StateError

PENDING_TTL_MS = 5 * 60 * 1000
DEVICE_TOKEN_BYTES = 32
# Fields a client reports about itself, kept on the pending request and the paired record.
META_FIELDS = ("displayName", "platform", "deviceFamily", "clientId", "clientMode", "remoteIp")


NAME_MAX = 64
# A device id with the actor prefixes the audit log and chat write before it ("operator:device:<id>").
DEVICE_REF = re.compile(r"(?:\boperator:)?(?:\bdevice:)?\b([0-9a-f]{64})\b")


def name_devices(text: str, names: dict[str, str]) -> str:
    """`text` with each device id (and its actor prefix) that `names` knows replaced by the name."""
    return DEVICE_REF.sub(lambda m: names.get(m.group(1), m.group(0)), text)


def check_device_name(name: object) -> str:
    """A device's human name: 1-64 printable characters, trimmed; a PairingError names the rule broken."""
    if not isinstance(name, str) or not name.strip():
        raise PairingError("INVALID_REQUEST", "name: expected a non-empty text, e.g. \"Anna's laptop\"")
    text = " ".join(name.split())
    if len(text) > NAME_MAX:
        raise PairingError("INVALID_REQUEST", f"name: at most {NAME_MAX} characters, got {len(text)}")
    if not text.isprintable():
        raise PairingError("INVALID_REQUEST", "name: control characters are not allowed")
    return text


class PairingError(OpenClawError):
    """A pairing operation that names something unknown (`code` e.g. UNKNOWN_REQUEST)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def now_ms() -> int:
    return int(time.time() * 1000)


def token_summary(token: dict[str, Any]) -> dict[str, Any]:
    """A device token without its secret, for listings."""
    return {k: v for k, v in token.items() if k != "token"}


def redacted_device(device: dict[str, Any]) -> dict[str, Any]:
    out = dict(device)
    out["tokens"] = {role: token_summary(t) for role, t in (device.get("tokens") or {}).items()}
    return out


class PairingStore:
    def __init__(self, state_dir: Path, clock: Callable[[], int] = now_ms) -> None:
        self.dir = state_dir / "devices"
        self.pending_path = self.dir / "pending.json"
        self.paired_path = self.dir / "paired.json"
        self._clock = clock

    # -- file access -----------------------------------------------------------------------

    def _lock(self) -> FileLock:
        return store.lock_for(self.dir / "store")

    def _read(self, path: Path) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise StateError(f"{path}: cannot read the pairing store ({exc})") from None
        if not isinstance(data, dict):
            raise StateError(f"{path}: expected a JSON object keyed by id")
        return {k: v for k, v in data.items() if isinstance(v, dict)}

    def _pending_live(self) -> dict[str, dict[str, Any]]:
        cutoff = self._clock() - PENDING_TTL_MS
        return {rid: req for rid, req in self._read(self.pending_path).items() if int(req.get("ts", 0)) > cutoff}

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        store.write_json_atomic(path, data)

    # -- reads -----------------------------------------------------------------------------

    def listing(self) -> dict[str, list[dict[str, Any]]]:
        """Live pending requests (oldest first) and paired devices, device tokens redacted."""
        with self._lock():
            pending = sorted(self._pending_live().values(), key=lambda r: r.get("ts", 0))
            paired = sorted(self._read(self.paired_path).values(), key=lambda d: d.get("approvedAtMs", 0))
        return {"pending": pending, "paired": [redacted_device(d) for d in paired]}

    def get_paired(self, device_id: str) -> dict[str, Any] | None:
        with self._lock():
            return self._read(self.paired_path).get(device_id)

    def paired_ids(self) -> dict[str, dict[str, Any]]:
        with self._lock():
            return self._read(self.paired_path)

    # -- pairing ---------------------------------------------------------------------------

    def request(self, info: dict[str, Any], *, silent: bool = False) -> tuple[dict[str, Any], bool]:
        """Create or reuse the pending request of `info["deviceId"]`; (request, created)."""
        device_id = str(info["deviceId"])
        with self._lock():
            pending = self._pending_live()
            for req in pending.values():
                if req.get("deviceId") == device_id:
                    # Same requestId while it waits; fold in a wider ask so one approval covers it.
                    req["scopes"] = sorted(set(req.get("scopes") or []) | set(info.get("scopes") or []))
                    req["publicKey"] = info.get("publicKey", req.get("publicKey"))
                    for key in META_FIELDS:
                        if info.get(key) is not None:
                            req[key] = info[key]
                    self._write(self.pending_path, pending)
                    return dict(req), False
            paired = self._read(self.paired_path).get(device_id)
            req = {
                "requestId": str(uuid.uuid4()),
                "deviceId": device_id,
                "publicKey": info.get("publicKey"),
                "role": info.get("role", "operator"),
                "scopes": sorted(set(info.get("scopes") or [])),
                "silent": silent,
                "isRepair": paired is not None,
                "reason": info.get("reason") or ("scope-upgrade" if paired is not None else "not-paired"),
                "ts": self._clock(),
                **{k: info[k] for k in META_FIELDS if info.get(k) is not None},
            }
            pending[req["requestId"]] = req
            self._write(self.pending_path, pending)
            return dict(req), True

    def approve(self, request_id: str, name: str | None = None) -> dict[str, Any]:
        """Move a pending request into paired.json (merging roles and scopes); the paired record.
        `name` is the human name shown instead of the device id (kept from an earlier pairing when None)."""
        checked = check_device_name(name) if name is not None else None
        with self._lock():
            pending = self._pending_live()
            req = pending.pop(request_id, None)
            if req is None:
                raise PairingError("UNKNOWN_REQUEST", f"unknown requestId {request_id} (expired after 5 minutes, or already resolved; run `openclaw devices list`)")
            paired = self._read(self.paired_path)
            now = self._clock()
            device = paired.get(req["deviceId"]) or {"deviceId": req["deviceId"], "createdAtMs": now, "roles": [], "scopes": [], "tokens": {}}
            if device.get("publicKey") not in (None, req.get("publicKey")):
                device["tokens"] = {}  # a new key for this id invalidates the old key's tokens
            device["publicKey"] = req.get("publicKey")
            role = req.get("role") or "operator"
            device["role"] = role
            device["roles"] = sorted(set(device.get("roles") or []) | {role})
            device["scopes"] = sorted(set(device.get("scopes") or []) | set(req.get("scopes") or []))
            for key in META_FIELDS:
                if req.get(key) is not None:
                    device[key] = req[key]
            device["approvedAtMs"] = now
            if checked is not None:
                device["name"] = checked
            tokens = device.setdefault("tokens", {})
            current = tokens.get(role)
            if current is None or current.get("revokedAtMs"):
                tokens[role] = self._mint(role, device["scopes"], now)
            else:
                current["scopes"] = device["scopes"]
            paired[device["deviceId"]] = device
            self._write(self.paired_path, paired)
            self._write(self.pending_path, pending)
            return device

    def rename(self, device_id: str, name: str) -> dict[str, Any]:
        """Give a paired device its human name; the paired record."""
        checked = check_device_name(name)
        with self._lock():
            paired = self._read(self.paired_path)
            device = self._device(paired, device_id)
            device["name"] = checked
            self._write(self.paired_path, paired)
            return device

    def names(self) -> dict[str, str]:
        """deviceId -> name, for every paired device that has one."""
        with self._lock():
            paired = self._read(self.paired_path)
        return {device_id: str(d["name"]) for device_id, d in paired.items() if isinstance(d.get("name"), str) and d["name"]}

    def reject(self, request_id: str) -> dict[str, Any]:
        with self._lock():
            pending = self._pending_live()
            req = pending.pop(request_id, None)
            if req is None:
                raise PairingError("UNKNOWN_REQUEST", f"unknown requestId {request_id} (expired after 5 minutes, or already resolved; run `openclaw devices list`)")
            self._write(self.pending_path, pending)
            return req

    def remove(self, device_id: str) -> dict[str, Any]:
        """Unpair a device: its record and tokens go; it must pair again to connect."""
        with self._lock():
            paired = self._read(self.paired_path)
            device = paired.pop(device_id, None)
            if device is None:
                raise PairingError("UNKNOWN_DEVICE", f"unknown deviceId {device_id} (not paired; run `openclaw devices list`)")
            self._write(self.paired_path, paired)
            pending = self._pending_live()
            kept = {rid: r for rid, r in pending.items() if r.get("deviceId") != device_id}
            if len(kept) != len(pending):
                self._write(self.pending_path, kept)
            return device

    # -- device tokens ---------------------------------------------------------------------

    @staticmethod
    def _mint(role: str, scopes: list[str], now: int) -> dict[str, Any]:
        return {"token": secrets.token_urlsafe(DEVICE_TOKEN_BYTES), "role": role, "scopes": list(scopes), "createdAtMs": now}

    def _device(self, paired: dict[str, dict[str, Any]], device_id: str) -> dict[str, Any]:
        device = paired.get(device_id)
        if device is None:
            raise PairingError("UNKNOWN_DEVICE", f"unknown deviceId {device_id} (not paired; run `openclaw devices list`)")
        return device

    def ensure_token(self, device_id: str, role: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
        """The device's live token for `role` (minted when absent), after recording `meta`
        (remote IP, client info) and last use; the full token entry."""
        with self._lock():
            paired = self._read(self.paired_path)
            device = self._device(paired, device_id)
            now = self._clock()
            for key, value in (meta or {}).items():
                if key in META_FIELDS and value is not None:
                    device[key] = value
            tokens = device.setdefault("tokens", {})
            entry = tokens.get(role)
            if entry is None or entry.get("revokedAtMs"):
                entry = tokens[role] = self._mint(role, device.get("scopes") or [], now)
            entry["lastUsedAtMs"] = now
            self._write(self.paired_path, paired)
            return dict(entry)

    def rotate_token(self, device_id: str, role: str, scopes: list[str] | None = None) -> dict[str, Any]:
        with self._lock():
            paired = self._read(self.paired_path)
            device = self._device(paired, device_id)
            if role not in (device.get("roles") or []):
                raise PairingError("UNKNOWN_ROLE", f"device {device_id} is not paired for role {role!r} (roles: {', '.join(device.get('roles') or []) or 'none'})")
            allowed = set(device.get("scopes") or [])
            wanted = list(scopes) if scopes is not None else sorted(allowed)
            extra = sorted(set(wanted) - allowed)
            if extra:
                raise PairingError("SCOPE_NOT_PAIRED", f"scopes {', '.join(extra)} were never approved for device {device_id}")
            now = self._clock()
            entry = self._mint(role, wanted, now)
            entry["rotatedAtMs"] = now
            device.setdefault("tokens", {})[role] = entry
            self._write(self.paired_path, paired)
            return dict(entry)

    def revoke_token(self, device_id: str, role: str) -> dict[str, Any]:
        with self._lock():
            paired = self._read(self.paired_path)
            device = self._device(paired, device_id)
            entry = (device.get("tokens") or {}).get(role)
            if entry is None:
                raise PairingError("UNKNOWN_ROLE", f"device {device_id} has no {role!r} token")
            entry["revokedAtMs"] = self._clock()
            self._write(self.paired_path, paired)
            return token_summary(entry)

    def verify_device_token(self, device_id: str, role: str, token: str) -> dict[str, Any] | None:
        """The token entry when `token` is the device's live token for `role` (constant-time compare)."""
        device = self.get_paired(device_id)
        entry = ((device or {}).get("tokens") or {}).get(role)
        if not entry or entry.get("revokedAtMs") or not isinstance(entry.get("token"), str):
            return None
        return dict(entry) if hmac.compare_digest(entry["token"].encode(), token.encode()) else None
