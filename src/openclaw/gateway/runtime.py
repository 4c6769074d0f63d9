"""`<state>/run/gateway.json`: where the running gateway listens, so the CLI finds it even when
`--port` overrode the config. Written once the gateway listens, removed on a clean stop; a file
whose pid is gone is ignored."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def runtime_path(state_dir: Path) -> Path:
    return state_dir / "run" / "gateway.json"


def write(state_dir: Path, *, host: str, port: int) -> None:
    from openclaw.config import store

    store.write_json_atomic(runtime_path(state_dir), {"pid": os.getpid(), "host": host, "port": port})


def remove(state_dir: Path) -> None:
    path = runtime_path(state_dir)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read(state_dir: Path) -> dict[str, Any] | None:
    """The running gateway's {pid, host, port}, or None when none is recorded or its pid is gone."""
    try:
        data = json.loads(runtime_path(state_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("pid"), int) or not isinstance(data.get("port"), int):
        return None
    return data if _pid_alive(data["pid"]) else None


def gateway_port(state_dir: Path) -> int:
    """The port a client should dial: the running gateway's, else the configured one."""
    running = read(state_dir)
    if running:
        return int(running["port"])
    from openclaw.config import layers

    return layers.load(state_dir).settings.gateway.port
