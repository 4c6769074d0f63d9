"""The gateway as its own process (`openclaw gateway --port P`) for tests that kill it, or watch
its memory, from outside."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gateway(state_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OPENCLAW_STATE_DIR": str(state_dir)}
    env.pop("OPENCLAW_GATEWAY_TOKEN", None)
    with log.open("ab") as out:  # a file, not a pipe: a chatty gateway can never block on a full pipe
        return subprocess.Popen([sys.executable, "-m", "openclaw", "gateway", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)


async def wait_ready(url: str, proc: subprocess.Popen[bytes], deadline_s: float = 30) -> None:
    end = time.monotonic() + deadline_s
    async with httpx.AsyncClient() as client:
        while time.monotonic() < end:
            if proc.poll() is not None:
                raise AssertionError(f"gateway exited with {proc.returncode}")
            try:
                if (await client.get(url + "/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("gateway did not become ready")


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the peak) of a process, in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(value.split()[0])
    return out
