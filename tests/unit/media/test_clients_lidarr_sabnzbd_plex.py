"""Lidarr, SABnzbd and Plex clients against the sandbox's apps on loopback: Lidarr's requests and
the responses it accepts are checked against Lidarr's API v1 OpenAPI document; SABnzbd's and Plex's
against their documented shapes (SABnzbd `api.py`: `mode=`, `apikey=`, `output=json`, `status:
false` errors; Plex: `X-Plex-Token`, `MediaContainer`, `Guid` ids). Each degrades to a
`MediaAppError` naming the app when it is down, refuses the key or answers a body of the wrong shape."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta
from typing import TypeVar

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from media_apps import Apps, media_apps
from openapi_check import Document
from openclaw.media.clients.base import MediaAppError
from openclaw.media.clients.lidarr import LidarrClient
from openclaw.media.clients.plex import PlexClient, item_ids
from openclaw.media.clients.registry import build
from openclaw.media.clients.sabnzbd import SabnzbdClient
from openclaw.policy.mint import mint
from openclaw.sandbox.media.faults import UsenetFailure

RADIOHEAD = "a74b1b7f-71a5-4011-9441-d0b5e4122711"
# Lidarr *Command.cs body fields (the OpenAPI document types a command as CommandResource only).
COMMAND_FIELDS = {"AlbumSearch": {"albumIds"}, "DownloadedAlbumsScan": {"path", "downloadClientId", "importMode"}, "RefreshArtist": {"artistIds"}}
T = TypeVar("T")


def must(value: T | None) -> T:
    assert value is not None
    return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_lidarr_requests_and_responses_follow_its_openapi_document() -> None:
    async with media_apps() as apps:
        p = apps.stack.pipeline
        p.add_artist(RADIOHEAD)
        apps.step(20)
        lidarr = must(apps.clients.of(LidarrClient))
        doc = Document("lidarr", "v1")
        artists = await lidarr.artists()
        radiohead = next(a for a in artists if a["foreignArtistId"] == RADIOHEAD)
        doc.validate("get", "/api/v1/artist", artists)
        queue = await lidarr.queue()
        assert queue and all(r["artistId"] == radiohead["id"] and r["downloadId"] for r in queue)
        doc.validate("get", "/api/v1/queue", {"page": 1, "pageSize": 250, "sortKey": "timeleft", "sortDirection": "descending",
                                              "totalRecords": len(queue), "records": queue})
        since = await lidarr.history_since(apps.stack.clock.now() - timedelta(hours=1), "grabbed")
        assert since and {h["eventType"] for h in since} == {"grabbed"}
        doc.validate("get", "/api/v1/history/since", since)
        albums = await lidarr.albums(radiohead["id"])
        doc.validate("get", "/api/v1/album", albums)
        await lidarr.wanted_missing()
        approval = mint("act_l", "media.search", "lidarr/x", dry_run=False)
        cmd = must(await lidarr.command("AlbumSearch", {"albumIds": [albums[0]["id"]]}, approval=approval, action="media.search", target="lidarr/x"))
        doc.validate("get", "/api/v1/command/{id}", await lidarr.command_status(cmd["id"]))
        remove = mint("act_r", "media.queue.remove", "lidarr/q", dry_run=False)
        await lidarr.remove_from_queue(queue[0]["id"], remove_from_client=True, blocklist=True, skip_redownload=True,
                                       change_category=False, approval=remove, action="media.queue.remove", target="lidarr/q")
        assert queue[0]["id"] not in {r["id"] for r in await lidarr.queue()}
        sent = p.received.of("lidarr")
        assert sent and all(r.status < 400 for r in sent), [(r.method, r.path, r.status) for r in sent if r.status >= 400]
        for r in sent:
            assert r.path.startswith("/api/v1/")
            doc.check_query(r.method, r.path, r.query)
            if r.path == "/api/v1/command":
                body = r.json()
                assert set(body) - {"name"} <= COMMAND_FIELDS[body["name"]], body


async def test_sabnzbd_reads_the_failed_job_and_retries_it_under_a_new_id() -> None:
    async with media_apps() as apps:
        p = apps.stack.pipeline
        p.faults.add_usenet_failure("Blade Runner", 1, UsenetFailure("Unpacking failed, archive requires a password"))
        p.create_request("movie", 335984, None, 1)
        apps.step(300, every=5)
        sab = must(apps.clients.of(SabnzbdClient))
        assert await sab.version()
        failed = [j for j in await sab.jobs() if j["status"] == "Failed"]
        assert [j["where"] for j in failed] == ["history"]
        assert failed[0]["fail_message"] == "Unpacking failed, archive requires a password"
        approval = mint("act_s", "media.download.retry", "sabnzbd/x", dry_run=False)
        new_id = must(await sab.retry(failed[0]["nzo_id"], approval=approval, action="media.download.retry", target="sabnzbd/x"))
        assert new_id != failed[0]["nzo_id"]
        again = {j["nzo_id"]: j for j in await sab.jobs([new_id])}
        assert again[new_id]["where"] == "queue"
        with pytest.raises(MediaAppError, match="sabnzbd: mode=retry: item does not exist") as refused:
            await sab.retry("SABnzbd_nzo_gone", approval=mint("act_g", "media.download.retry", "sabnzbd/x", dry_run=False),
                            action="media.download.retry", target="sabnzbd/x")
        assert refused.value.reason == "refused"
        sent = p.received.of("sabnzbd")
        assert all(r.path == "/api" and r.query["output"] == "json" and r.query["apikey"] for r in sent)
        assert [r.query["mode"] for r in sent if r.query["mode"] == "retry"] == ["retry", "retry"]
        dry = mint("act_d", "media.download.retry", "sabnzbd/x", dry_run=True)
        assert await sab.retry(new_id, approval=dry, action="media.download.retry", target="sabnzbd/x") is None
        assert len(p.received.of("sabnzbd")) == len(sent)


async def test_plex_lists_external_ids_and_refreshes_one_folder() -> None:
    async with media_apps() as apps:
        p = apps.stack.pipeline
        plex = must(apps.clients.of(PlexClient))
        assert (await plex.identity())["machineIdentifier"]
        sections = await plex.sections()
        movies = next(s for s in sections if s["type"] == "movie")
        assert movies["Location"][0]["path"] == "/movies"
        have = set().union(*(item_ids(i) for i in await plex.library()))
        assert "movie:tmdb:329865" in have and not any(i.startswith("movie:tvdb:") for i in have)
        assert (await plex.section_for("/movies/Dune (2021)", "movie") or {}).get("key") == movies["key"]
        found = must(await plex.find("tmdb://329865"))
        assert isinstance(found["ratingKey"], str) and found["type"] == "movie"
        assert await plex.find("tmdb://1") is None
        approval = mint("act_p", "media.library.refresh", "plex/m", dry_run=False)
        await plex.refresh_section(str(movies["key"]), "/movies/Dune (2021)", approval=approval, action="media.library.refresh", target="plex/m")
        sent = p.received.of("plex")
        refresh = [r for r in sent if r.path.endswith("/refresh")]
        assert [(r.path, r.query, r.status) for r in refresh] == [(f"/library/sections/{movies['key']}/refresh", {"path": "/movies/Dune (2021)"}, 200)]
        assert 1 in p.state.plex_refresh
        with pytest.raises(MediaAppError, match="400 path: '/tv/Severance' is not in the Movies section") as refused:
            await plex.refresh_section(str(movies["key"]), "/tv/Severance", approval=mint("act_x", "media.library.refresh", "plex/m", dry_run=False),
                                       action="media.library.refresh", target="plex/m")
        assert refused.value.reason == "refused" and refused.value.app == "plex"


@pytest.mark.parametrize("kind", ["lidarr", "sabnzbd", "plex"])
async def test_a_wrong_key_names_the_config_key_and_a_down_app_names_its_url(kind: str) -> None:
    async with media_apps() as apps:
        url = apps.stack.urls[kind]
        wrong = build(kind, kind, url, api_key="not-the-key", timeout_s=2)
        down_url = f"http://127.0.0.1:{free_port()}"
        down = build(kind, kind, down_url, api_key="k", timeout_s=1)
        try:
            read = {"lidarr": lambda c: c.artists(), "sabnzbd": lambda c: c.queue(), "plex": lambda c: c.sections()}[kind]
            with pytest.raises(MediaAppError, match=f"check media.apps.{kind} credentials") as caught:
                await read(wrong)
            assert caught.value.reason == "unauthorized" and caught.value.app == kind
            with pytest.raises(MediaAppError, match=f"cannot reach {down_url}") as unreachable:
                await read(down)
            assert unreachable.value.reason == "unreachable"
        finally:
            await wrong.aclose()
            await down.aclose()


async def test_a_body_of_the_wrong_shape_or_a_newer_field_does_not_crash(unused_tcp_port: int) -> None:
    async def api(request: Request) -> Response:
        if request.query_params.get("mode") == "queue":
            return JSONResponse({"queue": {"slots": [{"nzo_id": "SABnzbd_nzo_1", "status": "Downloading", "brand_new": {"x": 1}}], "newer": True}})
        return JSONResponse({"history": ["not", "slots"]})

    async def sections(request: Request) -> Response:
        return JSONResponse([1, 2])

    app = Starlette(routes=[Route("/api", api), Route("/library/sections", sections)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=unused_tcp_port, log_level="error", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    sab = SabnzbdClient("sabnzbd", f"http://127.0.0.1:{unused_tcp_port}", api_key="k", timeout_s=2)
    plex = PlexClient("plex", f"http://127.0.0.1:{unused_tcp_port}", api_key="k", timeout_s=2)
    try:
        assert [j["nzo_id"] for j in await sab.queue()] == ["SABnzbd_nzo_1"]
        with pytest.raises(MediaAppError, match="sabnzbd: mode=history: expected") as shape:
            await sab.history()
        assert shape.value.reason == "bad-response"
        with pytest.raises(MediaAppError, match="plex: /library/sections: expected a JSON object"):
            await plex.sections()
    finally:
        await sab.aclose()
        await plex.aclose()
        server.should_exit = True
        await task
