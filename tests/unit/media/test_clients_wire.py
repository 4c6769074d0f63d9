"""The media clients against the sandbox's apps on loopback: every request they send is one the
app's OpenAPI document declares (Sonarr, Radarr) and every response they accept validates against
it; the other apps per their documented shapes."""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

import pytest

from media_apps import Apps, media_apps
from openapi_check import Document
from openclaw.media.clients.base import MediaAppError
from openclaw.media.clients.jellyfin import JellyfinClient
from openclaw.media.clients.prowlarr import ProwlarrClient
from openclaw.media.clients.qbittorrent import QbittorrentClient
from openclaw.media.clients.radarr import RadarrClient
from openclaw.media.clients.seerr import SeerrClient
from openclaw.media.clients.sonarr import SonarrClient
from openclaw.policy.mint import mint


# Each command's body fields (Sonarr/Radarr *Command.cs), which the OpenAPI documents do not model.
COMMAND_FIELDS = {
    "EpisodeSearch": {"episodeIds"}, "MoviesSearch": {"movieIds"}, "DownloadedEpisodesScan": {"path", "downloadClientId", "importMode"},
    "DownloadedMoviesScan": {"path", "downloadClientId", "importMode"}, "RefreshSeries": {"seriesIds", "seriesId"}, "RefreshMovie": {"movieIds"},
}


async def busy(apps: Apps) -> None:
    p = apps.stack.pipeline
    p.faults.stall["Dune"] = 1
    p.create_request("movie", 438631, None, 1)
    p.create_request("tv", 95396, [1], 1)
    apps.step(30)


T = TypeVar("T")


def must(value: T | None) -> T:
    assert value is not None
    return value


async def test_sonarr_and_radarr_requests_and_responses_follow_their_openapi_documents() -> None:
    async with media_apps() as apps:
        await busy(apps)
        for kind, cls, items in (("sonarr", SonarrClient, "series"), ("radarr", RadarrClient, "movies")):
            doc = Document(kind)
            client = must(apps.clients.of(cls))
            queue = await client.queue()
            assert queue and all(r["downloadId"] for r in queue)
            doc.validate("get", "/api/v3/queue", {"page": 1, "pageSize": 250, "sortKey": "timeleft", "sortDirection": "descending",
                                                  "totalRecords": len(queue), "records": queue})
            doc.validate("get", "/api/v3/health", await client.health())
            since = await client.history_since(apps.stack.clock.now() - timedelta(hours=1), "grabbed")
            assert since and {h["eventType"] for h in since} == {"grabbed"}
            doc.validate("get", "/api/v3/history/since", since)
            listed = await getattr(client, items)()
            doc.validate("get", "/api/v3/series" if kind == "sonarr" else "/api/v3/movie", listed)
            await client.wanted_missing()
            approval = mint("act_t", "media.search", f"{kind}/x", dry_run=False)
            ids = {"episodeIds": [1]} if kind == "sonarr" else {"movieIds": [listed[0]["id"]]}
            cmd = must(await client.command(cls.search_command, ids, approval=approval, action="media.search", target=f"{kind}/x"))
            doc.validate("get", "/api/v3/command/{id}", await client.command_status(cmd["id"]))
            remove = mint("act_r", "media.queue.remove", f"{kind}/q", dry_run=False)
            await client.remove_from_queue(queue[0]["id"], remove_from_client=False, blocklist=True, skip_redownload=True,
                                           change_category=False, approval=remove, action="media.queue.remove", target=f"{kind}/q")
            sent = apps.stack.pipeline.received.of(kind)
            assert sent and all(r.status < 400 for r in sent), [(r.method, r.path, r.status) for r in sent if r.status >= 400]
            for r in sent:
                doc.check_query(r.method, r.path, r.query)
                if r.path == "/api/v3/command":
                    # The document types a command as CommandResource only; its fields are each command's own.
                    body = r.json()
                    assert set(body) - {"name"} <= COMMAND_FIELDS[body["name"]], body
                elif r.method == "POST":
                    doc.check_body(r.method, r.path, r.json())
            deleted = next(r for r in sent if r.method == "DELETE")
            assert deleted.query == {"removeFromClient": "false", "blocklist": "true", "skipRedownload": "true", "changeCategory": "false"}


async def test_qbittorrent_logs_in_with_a_cookie_and_acts_on_the_lower_case_hash() -> None:
    async with media_apps() as apps:
        await busy(apps)
        qbit = must(apps.clients.of(QbittorrentClient))
        torrents = await qbit.torrents()
        stalled = next(t for t in torrents if t["state"] == "stalledDL")
        assert await qbit.webapi_version() == (2, 9, 3)
        approval = mint("act_q", "media.download.reannounce", "qbittorrent/t", dry_run=False)
        await qbit.reannounce(stalled["hash"].upper(), approval=approval, action="media.download.reannounce", target="qbittorrent/t")
        sent = apps.stack.pipeline.received.of("qbittorrent")
        assert [r.path for r in sent][:2] == ["/api/v2/auth/login", "/api/v2/torrents/info"]
        reannounce = next(r for r in sent if r.path == "/api/v2/torrents/reannounce")
        assert reannounce.body.decode() == f"hashes={stalled['hash']}" and reannounce.status == 200
        assert apps.stack.pipeline.state.torrents[stalled["hash"]].reannounced == 1


async def test_seerr_prowlarr_and_jellyfin_reads_and_writes() -> None:
    async with media_apps() as apps:
        p = apps.stack.pipeline
        pending = p.create_request("movie", 545611, None, 2)
        p.indexers_disabled.add(2)
        seerr = must(apps.clients.of(SeerrClient))
        found = await seerr.requests()
        assert [r["status"] for r in found if r["id"] == pending.id] == [1]
        approval = mint("act_a", "media.request.approve", "jellyseerr/r", dry_run=False)
        await seerr.approve(pending.id, approval=approval, action="media.request.approve", target="jellyseerr/r")
        assert p.state.requests[pending.id].status == 2
        prowlarr = must(apps.clients.of(ProwlarrClient))
        assert [s["indexerId"] for s in await prowlarr.indexer_status()] == [2]
        assert len(await prowlarr.indexers()) == 3
        jellyfin = must(apps.clients.of(JellyfinClient))
        library = await jellyfin.library()
        assert {"Tmdb": "329865"}.items() <= next(i for i in library if i["Type"] == "Movie" and i["ProviderIds"].get("Tmdb") == "329865")["ProviderIds"].items()
        refresh = mint("act_j", "media.library.refresh", "jellyfin/m", dry_run=False)
        await jellyfin.movie_updated(545611, approval=refresh, action="media.library.refresh", target="jellyfin/m")
        sent = p.received.of("jellyfin", method="POST")
        assert [(r.path, r.query, r.status) for r in sent] == [("/Library/Movies/Updated", {"tmdbId": "545611"}, 204)]


async def test_a_write_needs_an_approval_for_its_kind_and_target_and_a_dry_run_sends_nothing() -> None:
    async with media_apps() as apps:
        await busy(apps)
        radarr = must(apps.clients.of(RadarrClient))
        queue = await radarr.queue()
        wrong = mint("act_w", "media.search", "radarr/x", dry_run=False)
        with pytest.raises(MediaAppError, match="needs an approval for media.queue.remove on radarr/x") as caught:
            await radarr.remove_from_queue(queue[0]["id"], remove_from_client=True, blocklist=True, skip_redownload=False,
                                           change_category=False, approval=wrong, action="media.queue.remove", target="radarr/x")
        assert caught.value.reason == "not-permitted" and caught.value.app == "radarr"
        dry = mint("act_d", "media.queue.remove", "radarr/x", dry_run=True)
        await radarr.remove_from_queue(queue[0]["id"], remove_from_client=True, blocklist=True, skip_redownload=False,
                                       change_category=False, approval=dry, action="media.queue.remove", target="radarr/x")
        assert apps.stack.pipeline.received.of("radarr", method="DELETE") == []
        assert len(await radarr.queue()) == len(queue)


async def test_seerr_jobs_list_and_run_follow_the_overseerr_openapi_document_and_need_an_approval() -> None:
    async with media_apps() as apps:
        doc = Document("overseerr", "v1")
        seerr = must(apps.clients.of(SeerrClient))
        jobs = await seerr.jobs()
        doc.validate("get", "/settings/jobs", jobs)
        assert "jellyfin-recently-added-scan" in {j["id"] for j in jobs} and not any(j["id"].startswith("plex-") for j in jobs)
        with pytest.raises(MediaAppError, match="needs an approval for media.request.scan"):
            await seerr.run_job("jellyfin-recently-added-scan", approval=mint("act_o", "media.request.retry", "jellyseerr/s", dry_run=False),
                                action="media.request.scan", target="jellyseerr/s")
        approval = mint("act_s", "media.request.scan", "jellyseerr/s", dry_run=False)
        ran = must(await seerr.run_job("jellyfin-recently-added-scan", approval=approval, action="media.request.scan", target="jellyseerr/s"))
        doc.validate("post", "/settings/jobs/{jobId}/run", ran)
        assert ran["id"] == "jellyfin-recently-added-scan" and ran["running"] is True
        with pytest.raises(MediaAppError) as missing:
            await seerr.run_job("no-such-job", approval=approval, action="media.request.scan", target="jellyseerr/s")
        assert (missing.value.reason, missing.value.status) == ("refused", 404) and "Job not found." in str(missing.value), str(missing.value)
        sent = apps.stack.pipeline.received.of("jellyseerr", path="/api/v1/settings")
        assert [(r.method, r.path, r.status) for r in sent] == [("GET", "/api/v1/settings/jobs", 200),
                                                                 ("POST", "/api/v1/settings/jobs/jellyfin-recently-added-scan/run", 200),
                                                                 ("POST", "/api/v1/settings/jobs/no-such-job/run", 404)]
        for r in sent:
            doc.operation(r.method, r.path.removeprefix("/api/v1"))  # each path and method is one the document declares
