"""Durability: a gateway killed with SIGKILL right after its last 202 loses nothing, and on restart
processes every stored event exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gateway_process import free_port, start_gateway, wait_ready
from ingest_bodies import alert, envelope
from openclaw.config import store as config_store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TOKEN = "durable-hook-token-0123456789"
N = 300


def db_rows(state_dir: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{state_dir / 'events.db'}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_kill_9_after_the_last_202_loses_nothing_and_processes_once(state_dir: Path, tmp_path: Path) -> None:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "gateway.log"
    proc = start_gateway(state_dir, port, log)
    accepted: list[str] = []
    try:
        await wait_ready(url, proc)
        bodies = [envelope([alert({"alertname": "KubePodCrashLooping", "namespace": "media", "pod": f"app{i}-5c9d7b8f6d-kq2vx"}, fingerprint=f"fp{i}")], group_key=f"g{i}") for i in range(N)]
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as client:
            for start in range(0, N, 50):
                responses = await asyncio.gather(*(client.post("/hooks/alertmanager", json=b) for b in bodies[start : start + 50]))
                assert all(r.status_code == 202 for r in responses), [r.text for r in responses if r.status_code != 202][:1]
                accepted += [r.json()["id"] for r in responses]
        os.kill(proc.pid, signal.SIGKILL)  # right after the last 202: no shutdown hook runs
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)

    stored = {row[0] for row in db_rows(state_dir, "SELECT id FROM events")}
    assert set(accepted) <= stored and len(accepted) == N
    unprocessed_at_kill = db_rows(state_dir, "SELECT COUNT(*) FROM events WHERE processed_at IS NULL")[0][0]

    proc = start_gateway(state_dir, port, log)
    try:
        await wait_ready(url, proc)
        end = time.monotonic() + 30
        while db_rows(state_dir, "SELECT COUNT(*) FROM events WHERE processed_at IS NULL")[0][0] and time.monotonic() < end:
            await asyncio.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)

    assert db_rows(state_dir, "SELECT COUNT(*), COUNT(processed_at), COUNT(error) FROM events")[0] == (N, N, 0)
    # Exactly once: a second run of any event would count its alert twice and duplicate nothing else.
    assert db_rows(state_dir, "SELECT COUNT(*), SUM(notifications) FROM alerts")[0] == (N, N)
    assert db_rows(state_dir, "SELECT COUNT(*), SUM(notifications) FROM incident_alerts")[0] == (N, N)
    assert db_rows(state_dir, "SELECT COUNT(*) FROM incidents WHERE status = 'firing'")[0][0] == N
    print(f"unprocessed at kill: {unprocessed_at_kill}")


def test_gateway_refuses_to_start_when_the_hook_token_is_the_gateway_token(state_dir: Path) -> None:
    config_store.set_value(state_dir, "gateway.auth.token", "same-secret-0123456789abcdef0123")
    config_store.set_value(state_dir, "hooks.token", "same-secret-0123456789abcdef0123")
    env = {**os.environ, "OPENCLAW_STATE_DIR": str(state_dir)}
    env.pop("OPENCLAW_GATEWAY_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "openclaw", "gateway", "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "hooks.token" in done.stderr and "gateway.auth.token" in done.stderr
