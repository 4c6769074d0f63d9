"""`openclaw sandbox` and `openclaw gateway --sandbox` as a user runs them (real processes, real kubectl)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
OPENCLAW = [sys.executable, "-m", "openclaw"]


def env_for(state_dir: Path) -> dict[str, str]:
    return {**os.environ, "OPENCLAW_STATE_DIR": str(state_dir), "PYTHONUNBUFFERED": "1"}


def test_sandbox_plays_a_scenario_until_expected_and_reports_json(state_dir: Path) -> None:
    done = subprocess.run([*OPENCLAW, "sandbox", "--scenario", str(REPO / "scenarios" / "05-jellyfin-config-pvc-full.yaml"),
                           "--speed", "2000", "--until", "expected", "--json"],
                          env=env_for(state_dir), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["scenario"] == "jellyfin-config-pvc-full" and report["problems"] == []
    assert Path(report["kubeconfig"]).is_file() and set(report["media"]) == {"sonarr", "radarr", "lidarr", "prowlarr", "qbittorrent", "sabnzbd", "jellyseerr", "jellyfin", "plex"}


def test_sandbox_refuses_an_invalid_scenario_naming_the_field(state_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndescription: d\nfaults:\n  - type: pvc-fill\n    namespace: media\n")
    done = subprocess.run([*OPENCLAW, "sandbox", "--scenario", str(bad)], env=env_for(state_dir), capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "faults[0].name: Field required" in done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gateway_with_sandbox_serves_kubectl_and_receives_the_sandbox_alerts(state_dir: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([*OPENCLAW, "gateway", "--sandbox", "--port", str(port), "--speed", "120"],
                            env=env_for(state_dir), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 30
        ready = None
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        assert ready is not None and ready.status_code == 200 and ready.json()["checks"]["sandbox"] == "ok"
        kubeconfig = state_dir / "sandbox" / "kubeconfig"
        pods = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", "pods", "-n", "media", "-o", "name"],
                              capture_output=True, text=True, timeout=30)
        assert pods.returncode == 0 and "pod/sonarr-" in pods.stdout
        assert json.loads((state_dir / "openclaw.json").read_text())["hooks"]["token"]
        # Watchdog fires after group_wait (30 simulated seconds) and lands in the gateway's event store.
        db = state_dir / "events.db"
        rows: list[tuple[str, str]] = []
        while time.monotonic() < deadline and not rows:
            if db.exists():
                with sqlite3.connect(db) as conn:
                    rows = conn.execute("SELECT source, payload FROM events WHERE source = 'alertmanager'").fetchall()
            time.sleep(0.2)
        assert rows and json.loads(rows[0][1])["groupLabels"] == {"alertname": "Watchdog"}
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/  (Control UI)" in out and str(state_dir / "sandbox" / "kubeconfig") in out
    assert "sonarr" in out and "jellyfin" in out


def test_gateway_with_a_scenario_announces_the_verdict(state_dir: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([*OPENCLAW, "gateway", "--sandbox", "--port", str(port), "--speed", "1200",
                             "--scenario", str(REPO / "scenarios" / "05-jellyfin-config-pvc-full.yaml")],
                            env=env_for(state_dir), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            if line.startswith("scenario jellyfin-config-pvc-full: ") and "simulated seconds" in line:
                break
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    verdict = [line for line in lines if "simulated seconds" in line]
    assert verdict and verdict[0].startswith("scenario jellyfin-config-pvc-full: passed"), lines[-10:]
