"""The media faults a scenario names for SABnzbd, Lidarr and Plex produce their stuck states on a running
sandbox, seen through the apps' own APIs on their loopback ports."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from openclaw.sandbox import scenario as scenarios
from openclaw.sandbox.runtime import Sandbox, SandboxOptions

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RADIOHEAD = "a74b1b7f-71a5-4011-9441-d0b5e4122711"


@pytest.fixture
async def box() -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(SandboxOptions(speed=600))
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


async def test_usenet_lidarr_and_plex_faults_from_a_scenario_show_in_each_app(box: Sandbox) -> None:
    loaded = scenarios.parse({
        "name": "usenet-music-plex", "description": "a password-protected NZB, an album with rejected tracks, an import Plex misses",
        "faults": [
            {"type": "usenet-failed", "title": "Dune", "message": "Unpacking failed, archive requires a password", "retry": "fails"},
            {"type": "request", "mediaType": "movie", "tmdbId": 438631},
            {"type": "incomplete-import", "title": "Kid A"},
            {"type": "plex-missing", "title": "OK Computer"},
            {"at": "10s", "type": "add-artist", "mbId": RADIOHEAD},
        ],
        "expect": {"webhooks": [{"app": "radarr", "event": "Grab", "within": "5m"}, {"app": "lidarr", "event": "ImportFailure", "within": "30m"},
                                {"app": "lidarr", "event": "Download", "within": "30m"}]},
    })
    result = await scenarios.play(box, loaded, until="expected")
    assert result.expectations.ok, result.expectations.problems
    keys, urls = box.media.credentials.keys, box.media.urls
    async with httpx.AsyncClient(trust_env=False) as c:
        deadline = time.monotonic() + 30
        while True:
            sab = (await c.get(f"{urls['sabnzbd']}/api", params={"mode": "history", "failed_only": "1", "output": "json", "apikey": keys["sabnzbd"]})).json()
            if sab["history"]["slots"] or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        (failed,) = sab["history"]["slots"]
        assert failed["name"].startswith("Dune.2021") and failed["fail_message"] == "Unpacking failed, archive requires a password"
        retried = (await c.get(f"{urls['sabnzbd']}/api", params={"mode": "retry", "value": failed["nzo_id"], "output": "json", "apikey": keys["sabnzbd"]})).json()
        assert retried["status"] is True
        radarr = (await c.get(f"{urls['radarr']}/api/v3/queue", headers={"X-Api-Key": keys["radarr"]})).json()["records"]
        assert radarr[0]["downloadId"] == retried["nzo_id"] and radarr[0]["downloadClient"] == "SABnzbd"
        lidarr = (await c.get(f"{urls['lidarr']}/api/v1/queue", headers={"X-Api-Key": keys["lidarr"]})).json()["records"]
        assert [r["trackedDownloadState"] for r in lidarr] == ["importFailed"]
        plex = (await c.get(f"{urls['plex']}/library/sections/3/all", params={"type": "9"},
                            headers={"X-Plex-Token": keys["plex"], "Accept": "application/json"})).json()["MediaContainer"]
        assert "OK Computer" not in {m["title"] for m in plex.get("Metadata", [])}
        albums = (await c.get(f"{urls['lidarr']}/api/v1/album", params={"foreignAlbumId": "c0ea8290-0f30-595d-8475-054a5a3a8d7e"},
                              headers={"X-Api-Key": keys["lidarr"]})).json()
        assert albums[0]["statistics"]["trackFileCount"] == 12  # Lidarr imported it; Plex was never told
