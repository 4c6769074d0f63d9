"""`openclaw sandbox` and `openclaw gateway --sandbox` as a user runs them (real processes, real kubectl)."""

from __future__ import annotations

import json
import os
import pty
import select
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
    # stdout is a pipe here (a log, a pod): the ready line points at the page without the token.
    assert f"ready: open the Control UI at http://127.0.0.1:{port}/  (with the token filled in: openclaw dashboard)" in out
    assert json.loads((state_dir / "openclaw.json").read_text())["gateway"]["auth"]["token"] not in out


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


SEED_TOKEN_GREP = ["grep", "-A1", '"token"', ".state/openclaw.json"]  # the seed's command, run from the repo root


def first_grep_token(workdir: Path) -> tuple[str, str]:
    """(first token the seed's grep prints, second one), run in `workdir` exactly as the seed does."""
    out = subprocess.run(SEED_TOKEN_GREP, cwd=workdir, capture_output=True, text=True, timeout=10, check=True).stdout
    values = [line.split('"token":', 1)[1].strip().strip('",') for line in out.splitlines() if '"token":' in line]
    assert len(values) == 2, out  # the gateway's and the hooks' tokens, nothing else named "token"
    return values[0], values[1]


async def connect_with(url: str, token: str, identity: object) -> dict[str, object]:
    """Connect as the Control UI does after the token is pasted: from the page's own origin."""
    from openclaw.gateway.client import GatewayClient
    from openclaw.gateway.device_identity import DeviceIdentity

    assert isinstance(identity, DeviceIdentity)
    async with GatewayClient(url, token=token, identity=identity, client_id="openclaw-control-ui", client_mode="webchat",
                             origin=url.replace("ws://", "http://").rstrip("/")) as client:
        return client.hello


@pytest.mark.parametrize("existing", [False, True], ids=["fresh-state", "state-written-hooks-first"])
def test_the_seed_token_grep_shows_the_gateway_token_first_and_the_ready_line_opens_the_ui(tmp_path: Path, existing: bool) -> None:
    import asyncio

    from openclaw.gateway.client import GatewayError
    from openclaw.gateway.device_identity import DeviceIdentity

    sdir = tmp_path / ".state"
    if existing:  # what a `make run` before this fix left: hooks.token written before the gateway's token
        sdir.mkdir(mode=0o700)
        (sdir / "openclaw.json").write_text(json.dumps({"hooks": {"token": "h" * 43}, "gateway": {"auth": {"token": "g" * 43}}}, indent=2))
    port = free_port()
    # On a terminal, as `make run` is used: only there is the token printed.
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*OPENCLAW, "gateway", "--sandbox", "--port", str(port), "--speed", "60"],
                            env=env_for(sdir), stdout=follower, stderr=subprocess.DEVNULL)
    os.close(follower)
    lines: list[str] = []
    try:
        seen = b""
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and b"\nready: " not in b"\n" + seen:
            if select.select([leader], [], [], 0.5)[0]:
                try:
                    seen += os.read(leader, 65536)
                except OSError:  # the gateway exited and closed the terminal
                    break
        while b"\nready: " in b"\n" + seen and not seen.endswith(b"\n"):  # the rest of the ready line
            if not select.select([leader], [], [], 5)[0]:
                break
            seen += os.read(leader, 65536)
        lines = seen.decode(errors="replace").replace("\r", "").splitlines()
        ready = [line for line in lines if line.startswith("ready: ")]
        assert ready, lines[-20:]
        # The ready line comes only once /readyz answers 200.
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
        first, second = first_grep_token(tmp_path)
        if existing:
            assert (first, second) == ("g" * 43, "h" * 43)
        ws_url = f"ws://127.0.0.1:{port}/"
        browser = DeviceIdentity.generate()
        with pytest.raises(GatewayError) as refused:  # the second match is the hooks token: it must not open the UI
            asyncio.run(connect_with(ws_url, second, browser))
        assert refused.value.code == "UNAUTHORIZED" and "gateway token mismatch" in str(refused.value)
        # The first match passes the token check; the seed's next step is approving the browser's device.
        with pytest.raises(GatewayError) as pairing:
            asyncio.run(connect_with(ws_url, first, browser))
        assert pairing.value.code == "NOT_PAIRED"
        approved = subprocess.run([*OPENCLAW, "devices", "approve", str(pairing.value.details["requestId"])],
                                  env=env_for(sdir), capture_output=True, text=True, timeout=30)
        assert approved.returncode == 0, approved.stderr
        hello = asyncio.run(connect_with(ws_url, first, browser))
        assert hello["type"] == "hello-ok"
        url = ready[0].split(" at ", 1)[1]
        assert url == f"http://127.0.0.1:{port}/#token={first}"
        page = httpx.get(url, timeout=5)
        assert page.status_code == 200 and "<html" in page.text.lower()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        os.close(leader)
