"""The config audit log: `<state>/audit/config.jsonl`, one JSON line per secret read in clear.

A line names who read (the device, client, role, scopes and address the gateway saw, or the local
user when the CLI read the state dir itself), when, the path asked for and the secret paths under
it; never a value. The line is written before the value is handed out, so a reveal that could not
be recorded is refused. Appends go under a file lock: the gateway and the CLI may both write.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from openclaw.config import jsonl, paths
from openclaw.config.store import lock_for


def audit_path(state_dir: Path) -> Path:
    return state_dir / "audit" / "config.jsonl"


def record_reveal(state_dir: Path, *, path: str, secrets: list[str], actor: dict[str, Any], via: str) -> dict[str, Any]:
    """Append the record of one reveal and return it; raises OSError when it cannot be written."""
    entry = {"ts": int(time.time() * 1000), "action": "config.reveal", "path": path, "secrets": secrets, "actor": actor, "via": via}
    target = audit_path(state_dir)
    paths.ensure_private_dir(target.parent)
    with lock_for(target):
        jsonl.append(target, [entry], sort_keys=True, fsync=True)
    return entry


def read_records(state_dir: Path) -> list[dict[str, Any]]:
    """Every record, oldest first (an absent log is empty)."""
    return jsonl.read(audit_path(state_dir)).records
