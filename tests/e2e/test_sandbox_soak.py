"""`make run` left alone: the embedded default (`openclaw gateway --sandbox`) for six simulated hours
at a high speed opens no incident, and its Watchdog never falls silent long enough to open one."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from openclaw.incidents.heartbeat import SILENCE_LIMIT_S
from tests.gateway_process import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SPEED = 480.0
SOAK_SIM_S = 6 * 3600.0


def test_six_quiet_simulated_hours_open_no_incident_and_keep_the_heartbeat(state_dir: Path) -> None:
    port = free_port()
    env = {**os.environ, "OPENCLAW_STATE_DIR": str(state_dir), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "openclaw", "gateway", "--sandbox", "--port", str(port), "--speed", str(SPEED)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"gateway exited with {proc.returncode}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        started = time.time()
        time.sleep(SOAK_SIM_S / SPEED)
        ended = time.time()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    with sqlite3.connect(state_dir / "events.db") as conn:
        incidents = conn.execute("SELECT id, kind, title FROM incidents").fetchall()
        rows = conn.execute("SELECT received_at, payload FROM events WHERE source = 'alertmanager' ORDER BY seq").fetchall()
    assert incidents == []
    watchdog = [at for at, payload in rows
                if json.loads(payload)["groupLabels"].get("alertname") == "Watchdog" and json.loads(payload)["status"] == "firing"]
    others = {json.loads(payload)["groupLabels"].get("alertname") for _, payload in rows} - {"Watchdog"}
    assert others <= {"InfoInhibitor"}, f"alerts fired on the quiet homelab: {others}"
    # The gateway's silence clock, in the homelab's (simulated) seconds: from each Watchdog to the
    # next, and from the last one to the end of the soak. Re-sent every 5 minutes, it stays under 10.
    assert watchdog and watchdog[0] - started < 120 / SPEED * 10
    gaps = [(b - a) * SPEED for a, b in zip(watchdog, [*watchdog[1:], ended])]
    assert max(gaps) < SILENCE_LIMIT_S, f"longest Watchdog silence {max(gaps):.0f} simulated s of {len(watchdog)} notifications"
    assert len(watchdog) >= SOAK_SIM_S / SILENCE_LIMIT_S
