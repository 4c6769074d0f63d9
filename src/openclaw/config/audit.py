"""The config audit log: `<state>/audit/config.jsonl`, one JSON line per secret read in clear.

A line names who read (the device, client, role, scopes and address the gateway saw, or the local
user when the CLI read the state dir itself), when, the path asked for and the secret paths under
it; never a value. The line is written before the value is handed out, so a reveal that could not
be recorded is refused. Appends go under a file lock: the gateway and the CLI may both write.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from openclaw.config import paths
from openclaw.config.store import lock_for


def audit_path(state_dir: Path) -> Path:
    return state_dir / "audit" / "config.jsonl"


def record_reveal(state_dir: Path, *, path: str, secrets: list[str], actor: dict[str, Any], via: str) -> dict[str, Any]:
    """Append the record of one reveal and return it; raises OSError when it cannot be written."""
    entry = {"ts": int(time.time() * 1000), "action": "config.reveal", "path": path, "secrets": secrets, "actor": actor, "via": via}
    target = audit_path(state_dir)
    paths.ensure_private_dir(target.parent)
    with lock_for(target):
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return entry


def read_records(state_dir: Path) -> list[dict[str, Any]]:
    """Every record, oldest first (an absent log is empty)."""
    try:
        text = audit_path(state_dir).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]
