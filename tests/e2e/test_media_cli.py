"""`openclaw media list|show|fix` as a user runs them: a real gateway process with the sandbox
homelab playing a media scenario, and the CLI as another process talking to it over the WebSocket.
Fixes are off (`media.fixesEnabled: false`) so the item stays stuck until the CLI asks for one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway_process import free_port
from openclaw.config import store as config_store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
OPENCLAW = [sys.executable, "-m", "openclaw"]


def env_for(state_dir: Path) -> dict[str, str]:
    env = {**os.environ, "OPENCLAW_STATE_DIR": str(state_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("OPENCLAW_GATEWAY_TOKEN", None)
    env.pop("OPENCLAW_GATEWAY_PORT", None)
    return env


def cli(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*OPENCLAW, "media", *args], env=env_for(state_dir), capture_output=True, text=True, timeout=90)


@pytest.fixture
def gateway(request: pytest.FixtureRequest, state_dir: Path, tmp_path: Path) -> Iterator[Path]:
    scenario: str = request.param
    config_store.set_value(state_dir, "media.fixesEnabled", False)
    port = free_port()
    log = tmp_path / "gateway.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([*OPENCLAW, "gateway", "--sandbox", "--port", str(port), "--speed", "300",
                                 "--scenario", str(REPO / "scenarios" / f"{scenario}.yaml")],
                                env=env_for(state_dir), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200 and (state_dir / "run" / "gateway.json").exists():
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield state_dir
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def stuck_item(state_dir: Path, item_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = cli(state_dir, "list", "--stuck", "--json")
        assert done.returncode == 0, done.stderr
        found = [i for i in json.loads(done.stdout)["items"] if i["id"] == item_id]
        if found:
            return found[0]
        time.sleep(0.5)
    raise AssertionError(f"{item_id} never listed as stuck: {cli(state_dir, 'list', '--json').stdout[-3000:]}")


@pytest.mark.parametrize("gateway", ["07-stalled-download"], indirect=True)
def test_list_show_and_fix_a_stalled_download(gateway: Path) -> None:
    dune = stuck_item(gateway, "movie:tmdb:438631")
    assert dune["stuckReason"] == "stalled" and dune["stuck"] is True and dune["strikes"]["stalled"] >= 3
    listed = json.loads(cli(gateway, "list", "--json").stdout)
    assert set(listed) == {"items", "counts", "apps"}
    assert sum(listed["counts"].values()) == len(listed["items"]) and listed["apps"]["radarr"]["ok"] is True
    for item in listed["items"]:
        assert {"id", "kind", "title", "stage", "stuck", "stuckReason", "stuckDetail", "strikes", "ladder", "incident", "ids"} <= set(item)

    table = cli(gateway, "list")
    assert table.returncode == 0 and "movie:tmdb:438631" in table.stdout and "STUCK stalled" in table.stdout
    assert "pipeline: " in table.stdout

    shown = cli(gateway, "show", "movie:tmdb:438631")
    assert shown.returncode == 0, shown.stderr
    assert "stalledDL" in shown.stdout and "Grab" in shown.stdout  # the download state and the timeline

    fixed = cli(gateway, "fix", "movie:tmdb:438631")
    assert fixed.returncode == 0, fixed.stderr
    # The torrent has no peers at all: reannounce and recheck are applied but do not hold, the removal
    # (blocklist, search again) does, each one line as policy answered it.
    lines = fixed.stdout.splitlines()
    assert lines[0].startswith("applied, did not hold: media.download.reannounce (act_") and "stalledDL" in lines[0], fixed.stdout
    assert lines[1].startswith("applied, did not hold: media.download.recheck (act_"), fixed.stdout
    assert lines[2].startswith("done: media.queue.remove (act_") and lines[2].endswith("verified: passed"), fixed.stdout
    assert lines[3] == "movie:tmdb:438631 is now searching"
    after = json.loads(cli(gateway, "show", "movie:tmdb:438631", "--json").stdout)
    assert sorted(a["kind"] for a in after["actions"]) == ["media.download.reannounce", "media.download.recheck", "media.queue.remove"]
    assert all(a["actor"].startswith("operator:") and a["outcome"] == "applied" and a["incident"] for a in after["actions"])


@pytest.mark.parametrize("gateway", ["10-request-stuck-pending"], indirect=True)
def test_fix_that_needs_approval_prints_the_action_id_and_unknown_ids_are_named(gateway: Path) -> None:
    stuck_item(gateway, "movie:tmdb:545611")
    fixed = cli(gateway, "fix", "movie:tmdb:545611")
    assert fixed.returncode == 0, fixed.stderr
    first = fixed.stdout.splitlines()[0]
    assert first.startswith("waiting for approval: media.request.approve (act_"), fixed.stdout
    action_id = first.split("(", 1)[1].split(")", 1)[0]
    assert f"openclaw approvals approve {action_id}" in fixed.stdout
    pending = subprocess.run([*OPENCLAW, "approvals", "list", "--json"], env=env_for(gateway), capture_output=True, text=True, timeout=60)
    assert action_id in [a["id"] for a in json.loads(pending.stdout)["approvals"]]

    for command in ("show", "fix"):
        unknown = cli(gateway, command, "movie:tmdb:1")
        assert unknown.returncode == 1 and unknown.stdout == ""
        assert "no tracked media item 'movie:tmdb:1' (see media.list)" in unknown.stderr, unknown.stderr


def test_without_a_gateway_the_cli_says_where_the_tracker_runs(state_dir: Path) -> None:
    done = cli(state_dir, "list", "--json")
    assert done.returncode == 1 and done.stdout == ""
    assert "no gateway for this state dir" in done.stderr and "start it with `openclaw gateway`" in done.stderr
