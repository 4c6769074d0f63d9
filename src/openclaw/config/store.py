"""Writes to the state file `<state>/openclaw.json`: atomic, mode 0600, under a file lock.

Every write starts from the raw state tree (with `${VAR}` references unresolved), applies one
change, validates the whole effective config with the change, and only then replaces the file.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import json5
from filelock import FileLock

from openclaw.config import dotpath, layers, paths, statedir
from openclaw.config.layers import ConfigSnapshot
from openclaw.config.redaction import REDACTED
from openclaw.errors import ConfigError, StateError

TOKEN_BYTES = 32  # token_urlsafe(32) is 43 characters

# Keys written first in the state file, per object path. The documented way to read the gateway
# token is `grep -A1 '"token"' openclaw.json`: its first match must be gateway.auth.token, whichever
# key was set first (`--sandbox` persists hooks.token before the gateway generates its own).
LEADING_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {(): ("gateway",), ("gateway",): ("auth",), ("gateway", "auth"): ("token",)}


def write_json_atomic(path: Path, data: Any, mode: int = 0o600) -> None:
    """Pretty-printed JSON, written to a temp file in the same dir and renamed over `path`."""
    paths.ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def lock_for(path: Path) -> FileLock:
    paths.ensure_private_dir(path.parent)
    return FileLock(str(path) + ".lock", timeout=10, mode=0o600)


def parse_value(text: str) -> Any:
    """A CLI value: JSON5 when it parses, else the raw string (so `lan` needs no quotes)."""
    try:
        return json5.loads(text)
    except ValueError:
        return text


def update_state(state_dir: Path, change: Callable[[dict[str, Any]], None]) -> ConfigSnapshot:
    """Apply `change` to the raw state tree, validate, write. Raises ConfigError and writes nothing when invalid."""
    spath = paths.state_file(state_dir)
    try:
        with lock_for(spath):
            raw = layers.read_layer(spath)
            candidate = copy.deepcopy(raw)
            change(candidate)
            _refuse_placeholders(candidate, spath)
            snapshot = layers.load(state_dir, state_override=candidate)
            write_json_atomic(spath, ordered_state(candidate))
            return snapshot
    except OSError as exc:  # the lock or the write: a read-only or foreign-owned state dir
        raise StateError(f"state dir not writable: {statedir.describe(exc, spath)}") from None


def ordered_state(tree: dict[str, Any], at: tuple[str, ...] = ()) -> dict[str, Any]:
    """`tree` with the LEADING_KEYS first; every other key keeps its place."""
    leading = [key for key in LEADING_KEYS.get(at, ()) if key in tree]
    out = {key: tree[key] for key in leading}
    out.update((key, value) for key, value in tree.items() if key not in out)
    for key, value in out.items():
        if isinstance(value, dict) and (*at, key) in LEADING_KEYS:
            out[key] = ordered_state(value, (*at, key))
    return out


def _key_order(tree: Any) -> Any:
    return [(key, _key_order(value)) for key, value in tree.items()] if isinstance(tree, dict) else None


def reorder_state_file(state_dir: Path) -> bool:
    """Rewrite a state file written before LEADING_KEYS (or by hand) in that order; True when rewritten."""
    spath = paths.state_file(state_dir)
    with lock_for(spath):
        raw = layers.read_layer(spath)
        ordered = ordered_state(raw)
        if _key_order(ordered) == _key_order(raw):
            return False
        write_json_atomic(spath, ordered)
        return True


def _refuse_placeholders(tree: Any, spath: Path, prefix: tuple[dotpath.Segment, ...] = ()) -> None:
    """A client that sends back what `config.get` showed would store the placeholder over the secret."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            _refuse_placeholders(value, spath, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            _refuse_placeholders(value, spath, (*prefix, index))
    elif tree == REDACTED:
        path = dotpath.format_path(list(prefix))
        raise ConfigError(
            "config invalid",
            [f"{spath}: {path}: the value is the redaction placeholder {REDACTED}, not a secret; "
             "send the new value, or leave the key out to keep the current one"],
        )


def set_value(state_dir: Path, path: str, value: Any) -> ConfigSnapshot:
    segs = dotpath.parse(path)
    return update_state(state_dir, lambda tree: dotpath.set_in(tree, segs, value))


def unset_value(state_dir: Path, path: str) -> tuple[bool, ConfigSnapshot | None]:
    """Remove `path` from the state file; (False, None) when it was not there."""
    segs = dotpath.parse(path)
    removed = False

    def change(tree: dict[str, Any]) -> None:
        nonlocal removed
        removed = dotpath.unset(tree, segs)

    spath = paths.state_file(state_dir)
    if not dotpath.has(layers.read_layer(spath), segs):
        return False, None
    snapshot = update_state(state_dir, change)
    return removed, snapshot


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def ensure_gateway_token(state_dir: Path) -> tuple[ConfigSnapshot, bool]:
    """Generate and persist `gateway.auth.token` on first boot; (snapshot, created)."""
    snapshot = layers.load(state_dir)
    if snapshot.settings.gateway.auth.token:
        reorder_state_file(state_dir)
        return snapshot, False
    token = secrets.token_urlsafe(TOKEN_BYTES)
    snapshot = set_value(state_dir, "gateway.auth.token", token)
    return snapshot, True
