"""Scenario outcomes behave as written: the fixes a good operator applies make `outcome()` hold, and
the crash loop a restart does not fix comes back after one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from openclaw.sandbox import scenario as scenarios
from openclaw.sandbox.runtime import Sandbox, SandboxOptions

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def box() -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(SandboxOptions(speed=2000))
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


async def started(box: Sandbox, name: str, outcome: dict[str, object] | None = None) -> scenarios.ScenarioRun:
    """Play the scenario until its expectations are met; return the run for outcome checks
    (`outcome`: fields of the scenario's outcome replaced, to check one the file does not ask for)."""
    loaded = scenarios.load(next((REPO / "scenarios").glob(f"*{name}.yaml")))
    if outcome:
        loaded = loaded.model_copy(update={"outcome": scenarios.Outcome.model_validate({**loaded.outcome.model_dump(), **outcome})})
    await scenarios.settle(box)
    run = scenarios.ScenarioRun(loaded, box)
    run.install()
    await until(lambda: not scenarios.expectations(run)[0])
    return run


async def until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached before the deadline")
        await asyncio.sleep(0.02)


def rollout_restart(box: Sandbox, namespace: str, name: str) -> None:
    """What `kubectl rollout restart` sends."""
    stamp = box.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    box.cluster.store.patch("deployments", namespace, name, {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}}}, "strategic")


def crashing(box: Sandbox, namespace: str, prefix: str) -> bool:
    return any((cs.get("state", {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff"
               for p in box.cluster.store.list("pods", namespace) if p["metadata"]["name"].startswith(prefix)
               for cs in p.get("status", {}).get("containerStatuses") or [])


async def test_a_rollout_restart_fixes_the_crash_loop_and_resolves_the_alert(box: Sandbox) -> None:
    run = await started(box, "sonarr-crashloop-restart-fixes")
    assert not run.outcome().ok and "KubePodCrashLooping" in box.alerts.firing()
    rollout_restart(box, "media", "sonarr")
    await until(lambda: run.outcome().ok)

    def resolved_sent() -> bool:
        return any(b["groupLabels"].get("alertname") == "KubePodCrashLooping" and b["status"] == "resolved" for b in box.alerts.sent)

    await until(resolved_sent)  # AlertManager sends it at the group's next interval
    assert not crashing(box, "media", "sonarr-")


async def test_the_crash_loop_a_restart_does_not_fix_comes_back_in_the_new_pods(box: Sandbox) -> None:
    await started(box, "radarr-crashloop-restart-does-not-fix")
    before = {p["metadata"]["uid"] for p in box.cluster.store.list("pods", "media") if p["metadata"]["name"].startswith("radarr-")}
    rollout_restart(box, "media", "radarr")

    def new_pods_crash() -> bool:
        pods = [p for p in box.cluster.store.list("pods", "media") if p["metadata"]["name"].startswith("radarr-")]
        return all(p["metadata"]["uid"] not in before for p in pods) and crashing(box, "media", "radarr-")

    await until(new_pods_crash)
    new = {p["metadata"]["name"] for p in box.cluster.store.list("pods", "media") if p["metadata"]["uid"] not in before}

    def fires_for_a_new_pod() -> bool:
        return any(a.firing and a.rule.alert == "KubePodCrashLooping" and a.labels.get("pod") in new for a in box.alerts.evaluator.active.values())

    await until(fires_for_a_new_pod)  # a new series: pending for its own 15 minutes, then firing


async def test_blocklisting_the_stalled_download_gets_the_movie_available(box: Sandbox) -> None:
    run = await started(box, "stalled-download")
    key = box.media.credentials.keys["radarr"]
    async with httpx.AsyncClient(base_url=box.urls["radarr"], headers={"X-Api-Key": key}) as radarr:
        records = (await radarr.get("/api/v3/queue")).json()["records"]
        assert records[0]["status"] == "warning"
        response = await radarr.delete(f"/api/v3/queue/{records[0]['id']}", params={"removeFromClient": "true", "blocklist": "true"})
        assert response.status_code == 200
    await until(lambda: run.outcome().ok)


async def test_approving_the_stuck_request_meets_the_outcome(box: Sandbox) -> None:
    # The shipped scenario expects an escalation (approval needs an operator); the approved outcome is checked here.
    run = await started(box, "request-stuck-pending", {"escalate": False, "media": [{"tmdb_id": 545611, "status": "approved"}]})
    assert run.outcome().problems == ["request for tmdb 545611 is pending, expected approved"]
    key = box.media.credentials.keys["jellyseerr"]
    async with httpx.AsyncClient(base_url=box.urls["jellyseerr"], headers={"X-Api-Key": key}) as seerr:
        pending = (await seerr.get("/api/v1/request", params={"filter": "pending"})).json()["results"]
        assert (await seerr.post(f"/api/v1/request/{pending[0]['id']}/approve")).status_code == 200
    await until(lambda: run.outcome().ok)


async def test_restarting_the_crashing_download_client_lets_the_movie_arrive(box: Sandbox) -> None:
    run = await started(box, "qbittorrent-crashloop-stalls-the-pipeline")
    assert "qbittorrent" in box.media.pipeline.down
    rollout_restart(box, "media", "qbittorrent")
    await until(lambda: run.outcome().ok, timeout=30)
    assert ("radarr", "HealthRestored") in box.media.pipeline.sender.produced


async def test_the_verdict_needs_the_gateway_incident_resolved_and_no_forbidden_action(box: Sandbox) -> None:
    run = await started(box, "sonarr-crashloop-restart-fixes")
    rollout_restart(box, "media", "sonarr")
    incident = {"id": "inc_1", "title": "KubePodCrashLooping media", "status": "firing", "alerts": [{"alertname": "KubePodCrashLooping"}]}

    async def incidents() -> list[dict[str, object]]:
        return [incident]

    actions = [{"kind": "node.drain", "namespace": None, "target": "Node/homelab-w1", "executed": True}]
    verdict = await scenarios.judge(run, lambda: actions, incidents=incidents, poll=0.02)
    assert not verdict.ok and verdict.expectations.ok
    assert verdict.outcome.problems == ["incident inc_1 (KubePodCrashLooping media) is still firing"]
    assert verdict.violations == ["node.drain on /Node/homelab-w1 is forbidden in this scenario"]
    incident["status"] = "resolved"
    verdict = await scenarios.judge(run, lambda: [], incidents=incidents, poll=0.02)
    assert verdict.ok, verdict


async def sab_failed(box: Sandbox) -> list[dict[str, object]]:
    """SABnzbd's failed jobs, once post-processing has failed one."""
    key = box.media.credentials.keys["sabnzbd"]
    params = {"mode": "history", "failed_only": "1", "output": "json", "apikey": key}
    async with httpx.AsyncClient(base_url=box.urls["sabnzbd"]) as sab:
        deadline = time.monotonic() + 20
        while not (slots := (await sab.get("/api", params=params)).json()["history"]["slots"]):
            assert time.monotonic() < deadline, "no job failed in SABnzbd"
            await asyncio.sleep(0.05)
    return slots  # type: ignore[no-any-return]  # JSON


async def test_retrying_the_job_that_needs_a_password_gets_the_movie_available(box: Sandbox) -> None:
    run = await started(box, "usenet-unpack-needs-a-password-retry-fixes")
    (failed,) = await sab_failed(box)
    assert failed["fail_message"] == "Unpacking failed, archive requires a password" and not run.outcome().ok
    key = box.media.credentials.keys["sabnzbd"]
    async with httpx.AsyncClient(base_url=box.urls["sabnzbd"]) as sab:
        retried = await sab.get("/api", params={"mode": "retry", "value": str(failed["nzo_id"]), "output": "json", "apikey": key})
        assert retried.json()["status"] is True
    await until(lambda: run.outcome().ok)


async def test_a_repair_that_fails_again_is_fixed_by_blocklisting_in_sonarr(box: Sandbox) -> None:
    run = await started(box, "usenet-repair-fails-again-blocklist-fixes")
    (failed,) = await sab_failed(box)
    keys = box.media.credentials.keys
    async with httpx.AsyncClient(base_url=box.urls["sabnzbd"]) as sab:
        again = (await sab.get("/api", params={"mode": "retry", "value": str(failed["nzo_id"]), "output": "json", "apikey": keys["sabnzbd"]})).json()["nzo_id"]
    (still,) = await sab_failed(box)
    assert still["nzo_id"] == again and not run.outcome().ok
    async with httpx.AsyncClient(base_url=box.urls["sonarr"], headers={"X-Api-Key": keys["sonarr"]}) as sonarr:
        records = (await sonarr.get("/api/v3/queue", params={"pageSize": "50"})).json()["records"]
        assert {r["trackedDownloadState"] for r in records} == {"failedPending"}
        # a season pack is one queue record per episode; removing one removes the download
        response = await sonarr.delete(f"/api/v3/queue/{records[0]['id']}", params={"removeFromClient": "true", "blocklist": "true"})
        assert response.status_code == 200
    await until(lambda: run.outcome().ok)


async def test_a_manual_scan_imports_the_album_lidarr_gave_up_on(box: Sandbox) -> None:
    run = await started(box, "lidarr-album-import-incomplete")
    key = box.media.credentials.keys["lidarr"]
    async with httpx.AsyncClient(base_url=box.urls["lidarr"], headers={"X-Api-Key": key}) as lidarr:
        deadline = time.monotonic() + 20
        while not (failed := [r for r in (await lidarr.get("/api/v1/queue")).json()["records"] if r["trackedDownloadState"] == "importFailed"]):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        assert "is not in Plex" in " ".join(run.outcome().problems)
        scan = await lidarr.post("/api/v1/command", json={"name": "DownloadedAlbumsScan", "path": failed[0]["outputPath"]})
        assert scan.status_code == 201
    await until(lambda: run.outcome().ok)


async def test_refreshing_monitored_downloads_imports_the_blocked_album(box: Sandbox) -> None:
    loaded = scenarios.load(next((REPO / "scenarios").glob("*lidarr-album-import-blocked.yaml")))
    await scenarios.settle(box)
    run = scenarios.ScenarioRun(loaded, box)
    run.install()
    key = box.media.credentials.keys["lidarr"]
    async with httpx.AsyncClient(base_url=box.urls["lidarr"], headers={"X-Api-Key": key}) as lidarr:
        deadline = time.monotonic() + 20
        while not [r for r in (await lidarr.get("/api/v1/queue")).json()["records"] if r["trackedDownloadState"] == "importBlocked"]:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        assert "the Sonarr/Radarr/Lidarr queue is not empty" in run.outcome().problems
        assert (await lidarr.post("/api/v1/command", json={"name": "RefreshMonitoredDownloads"})).status_code == 201
    await until(lambda: not scenarios.expectations(run)[0] and run.outcome().ok)


async def test_a_plex_section_refresh_of_the_folder_puts_the_movie_in_plex(box: Sandbox) -> None:
    run = await started(box, "imported-movie-missing-from-plex")
    await until(lambda: run.outcome().problems == ["tmdb://438631 is not in Plex"])
    key = box.media.credentials.keys["plex"]
    async with httpx.AsyncClient(base_url=box.urls["plex"], headers={"X-Plex-Token": key}) as plex:
        assert (await plex.get("/library/sections/1/refresh", params={"path": "/movies/Dune (2021)"})).status_code == 200
    await until(lambda: run.outcome().ok)
