"""A request placed in Jellyseerr ends up available in Jellyfin, and the gateway receives each step's webhook."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from openclaw.config import store as config_store
from openclaw.events import events_of
from openclaw.gateway.embedded import EmbeddedGateway, run_embedded
from openclaw.sandbox.runtime import Sandbox, SandboxOptions

pytestmark = pytest.mark.e2e

TOKEN = "sandbox-hooks-0123456789abcdef"


@pytest.fixture
async def stack(state_dir: Path) -> AsyncIterator[tuple[EmbeddedGateway, Sandbox]]:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    async with run_embedded(state_dir) as gw:
        box = Sandbox(SandboxOptions(speed=300))
        await box.start()
        box.send_webhooks_to(f"{gw.http_url}/hooks", TOKEN)
        try:
            yield gw, box
        finally:
            await box.stop()


async def wait_for(check, timeout: float = 20.0):  # type: ignore[no-untyped-def]  # test helper over any async predicate
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached before the deadline")


async def test_requested_series_becomes_available_and_every_step_reaches_the_gateway(stack: tuple[EmbeddedGateway, Sandbox]) -> None:
    gw, box = stack
    creds = box.media.credentials.keys
    seerr = httpx.AsyncClient(base_url=box.urls["jellyseerr"], headers={"X-Api-Key": creds["jellyseerr"]})
    jellyfin = httpx.AsyncClient(base_url=box.urls["jellyfin"], headers={"X-Emby-Token": creds["jellyfin"]})
    sonarr = httpx.AsyncClient(base_url=box.urls["sonarr"], headers={"X-Api-Key": creds["sonarr"]})
    async with seerr, jellyfin, sonarr:
        created = await seerr.post("/api/v1/request", json={"mediaType": "tv", "mediaId": 95480, "seasons": [1]}, headers={"X-Api-User": "2"})
        assert created.status_code == 201 and created.json()["status"] == 1
        request_id = created.json()["id"]
        assert (await seerr.post(f"/api/v1/request/{request_id}/approve")).json()["status"] == 2

        async def in_queue() -> bool:
            return (await sonarr.get("/api/v3/queue")).json()["totalRecords"] > 0

        await wait_for(in_queue)

        async def in_library() -> dict | None:  # type: ignore[type-arg]  # Jellyfin's item JSON
            items = (await jellyfin.get("/Items", params={"IncludeItemTypes": "Series", "AnyProviderIdEquals": "tvdb.393443"})).json()
            return items["Items"][0] if items["TotalRecordCount"] else None

        show = await wait_for(in_library)
        episodes = (await jellyfin.get("/Items", params={"ParentId": show["Id"]})).json()
        assert episodes["TotalRecordCount"] == 6

        async def available() -> bool:
            return (await seerr.get(f"/api/v1/request/{request_id}")).json()["media"]["status"] == 5

        await wait_for(available)
    await box.drain()
    events = events_of(gw.services)
    steps = [("seerr", "MEDIA_PENDING"), ("seerr", "MEDIA_APPROVED"), ("sonarr", "Grab"), ("sonarr", "Download"), ("seerr", "MEDIA_AVAILABLE")]
    stored = {step: await events.recent(source=step[0], type=step[1], limit=5) for step in steps}
    assert all(stored[step] for step in steps), {k: len(v) for k, v in stored.items()}
    grab, download = stored[("sonarr", "Grab")][0].data(), stored[("sonarr", "Download")][0].data()
    assert grab["downloadId"] == download["downloadId"] and grab["series"]["tvdbId"] == 393443
    assert len(download["episodeFiles"]) == 6
    available_body = stored[("seerr", "MEDIA_AVAILABLE")][0].data()
    assert available_body["media"]["status"] == "AVAILABLE" and available_body["request"]["request_id"] == str(request_id)
    assert [d.status for d in box.media.pipeline.sender.deliveries] == [202] * len(box.media.pipeline.sender.deliveries)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_gateway_sandbox_offers_lidarr_sabnzbd_and_plex_and_stores_lidarr_webhooks(state_dir: Path) -> None:
    from openclaw.media.capability import MEDIA_ENDPOINTS
    from openclaw.sandbox.embedded import SANDBOX, attach

    config_store.set_value(state_dir, "hooks.token", TOKEN)
    port = free_port()
    async with run_embedded(state_dir, port=port, install=[lambda s: attach(s, gateway_url=f"http://127.0.0.1:{port}", speed=300)]) as gw:
        offered = gw.services.get(MEDIA_ENDPOINTS)
        assert {"lidarr", "sabnzbd", "plex"} <= set(offered) and all(set(offered[k]) == {"url", "apiKey"} for k in ("lidarr", "sabnzbd", "plex"))
        lidarr = httpx.AsyncClient(base_url=offered["lidarr"]["url"], headers={"X-Api-Key": offered["lidarr"]["apiKey"]})
        plex = httpx.AsyncClient(base_url=offered["plex"]["url"], headers={"X-Plex-Token": offered["plex"]["apiKey"], "Accept": "application/json"})
        sab = httpx.AsyncClient(base_url=offered["sabnzbd"]["url"])
        box = gw.services.get(SANDBOX)
        box.media.pipeline.faults.incomplete_import["Kid A"] = 1
        async with lidarr, plex, sab:
            added = await lidarr.post("/api/v1/artist", json={"foreignArtistId": "a74b1b7f-71a5-4011-9441-d0b5e4122711",
                                                                "addOptions": {"searchForMissingAlbums": True}})
            assert added.status_code == 201
            history = await sab.get("/api", params={"mode": "history", "output": "json", "apikey": offered["sabnzbd"]["apiKey"]})
            assert history.status_code == 200 and "history" in history.json()

            async def ok_computer_in_plex() -> bool:
                items = (await plex.get("/library/sections/3/all", params={"type": "9"})).json()["MediaContainer"].get("Metadata", [])
                return any(i["title"] == "OK Computer" for i in items)

            await wait_for(ok_computer_in_plex, timeout=30)
        events = events_of(gw.services)

        async def stored() -> bool:
            return bool(await events.recent(source="lidarr", type="ImportFailure", limit=1)) and bool(await events.recent(source="lidarr", type="Download", limit=1))

        await wait_for(stored)
        grabs = await events.recent(source="lidarr", type="Grab", limit=5)
        download = (await events.recent(source="lidarr", type="Download", limit=1))[0].data()
        failure = (await events.recent(source="lidarr", type="ImportFailure", limit=1))[0].data()
        assert len(grabs) == 2 and download["album"]["title"] == "OK Computer" and download["downloadClient"] == "SABnzbd"
        assert failure["artist"]["mbId"] == "a74b1b7f-71a5-4011-9441-d0b5e4122711"
        lidarr_deliveries = [d for d in box.media.pipeline.sender.deliveries if d.app == "lidarr"]
        assert lidarr_deliveries and all(d.status == 202 for d in lidarr_deliveries)
