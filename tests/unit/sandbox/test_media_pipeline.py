"""The simulated media pipeline moves a request to available and sends the real apps' webhooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from media_harness import KEY, Harness, media_harness

TEMPLATE = Path(__file__).resolve().parents[2] / "data" / "seerr-default-template.json"


def sent(h: Harness) -> list[tuple[str, dict[str, Any]]]:
    out = []
    while not h.pipeline.sender.outbox.empty():
        out.append(h.pipeline.sender.outbox.get_nowait())
    return out


def events(batch: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str]]:
    return [(app, str(body.get("eventType") or body.get("notification_type"))) for app, body in batch]


def record_all(h: Harness) -> None:
    h.pipeline.sender.targets = {"sonarr": "http://gw/hooks/sonarr", "radarr": "http://gw/hooks/radarr", "seerr": "http://gw/hooks/seerr"}


async def test_pending_request_goes_through_every_step_to_available_in_jellyfin() -> None:
    async with media_harness() as h:
        record_all(h)
        created = await h.seerr.post("/api/v1/request", json={"mediaType": "tv", "mediaId": 95396, "seasons": [1]}, headers={"X-Api-User": "2"})
        assert created.status_code == 201 and created.json()["status"] == 1
        rid = created.json()["id"]
        assert events(sent(h)) == [("seerr", "MEDIA_PENDING")]
        approved = await h.seerr.post(f"/api/v1/request/{rid}/approve")
        assert approved.json()["status"] == 2
        h.step(400)
        batch = sent(h)
        assert events(batch) == [("seerr", "MEDIA_APPROVED"), ("sonarr", "Grab"), ("sonarr", "Download"), ("seerr", "MEDIA_AVAILABLE")]
        grab, download = batch[1][1], batch[2][1]
        assert grab["downloadId"] == download["downloadId"] and len(download["episodeFiles"]) == 9
        items = (await h.jellyfin.get("/Items", params={"IncludeItemTypes": "Series", "AnyProviderIdEquals": "tvdb.371980"})).json()
        assert items["TotalRecordCount"] == 1 and items["Items"][0]["Name"] == "Severance"
        request = (await h.seerr.get(f"/api/v1/request/{rid}")).json()
        assert request["media"]["status"] == 5 and request["media"]["jellyfinMediaId"] == items["Items"][0]["Id"]


async def test_seerr_webhook_follows_the_default_template_with_string_values() -> None:
    template = json.loads(TEMPLATE.read_text())
    async with media_harness() as h:
        record_all(h)
        await h.seerr.post("/api/v1/request", json={"mediaType": "movie", "mediaId": 438631}, headers={"X-Api-User": "2"})
        (_, body), = sent(h)
    assert set(body) == {k.strip("{}") for k in template}
    assert body["media"] == {"media_type": "movie", "tmdbId": "438631", "tvdbId": "", "status": "PENDING", "status4k": "UNKNOWN"}
    assert set(body["request"]) == set(template["{{request}}"]) and all(isinstance(v, str) for v in body["request"].values())
    assert body["issue"] is None and body["comment"] is None and body["event"] == "New Movie Request"


async def test_stalled_download_is_fixed_by_blocklisting_and_searching_again() -> None:
    async with media_harness() as h:
        record_all(h)
        h.pipeline.faults.stall["Dune"] = 1
        await h.seerr.post("/api/v1/request", json={"mediaType": "movie", "mediaId": 438631})
        h.step(200)
        (record,) = (await h.radarr.get("/api/v3/queue")).json()["records"]
        assert record["status"] == "warning" and "stalled" in record["statusMessages"][0]["messages"][0]
        torrents = (await _qbit_login(h)).get("/api/v2/torrents/info")
        assert (await torrents)[0]["state"] == "stalledDL"
        first = record["title"]
        assert (await h.radarr.delete(f"/api/v3/queue/{record['id']}", params={"removeFromClient": "true", "blocklist": "true"})).status_code == 200
        (delete,) = h.pipeline.received.of("radarr", method="DELETE")
        assert delete.path == f"/api/v3/queue/{record['id']}" and delete.query == {"removeFromClient": "true", "blocklist": "true"} and delete.status == 200
        h.step(400)
        imported = [b for a, b in sent(h) if b.get("eventType") == "Download"]
        assert len(imported) == 1 and imported[0]["release"]["releaseTitle"] != first
        movie = (await h.radarr.get("/api/v3/movie", params={"tmdbId": "438631"})).json()[0]
        assert movie["hasFile"] is True


async def test_failed_import_blocks_the_queue_item_and_asks_for_manual_interaction() -> None:
    async with media_harness() as h:
        record_all(h)
        h.pipeline.faults.fail_import["Arrival"] = 5
        h.pipeline.add_series(393443)
        h.pipeline.faults.fail_import["Slow Horses"] = 1
        h.step(300)
        (record, *_) = (await h.sonarr.get("/api/v3/queue")).json()["records"]
        assert record["trackedDownloadState"] == "importBlocked" and record["trackedDownloadStatus"] == "warning"
        manual = [b for _, b in sent(h) if b.get("eventType") == "ManualInteractionRequired"]
        assert manual and manual[0]["downloadId"] == record["downloadId"]
        await h.sonarr.post("/api/v3/command", json={"name": "RefreshMonitoredDownloads"})
        h.step(30)
        assert (await h.sonarr.get("/api/v3/queue")).json()["totalRecords"] == 0
        assert all(e["hasFile"] for e in (await h.sonarr.get("/api/v3/episode", params={"seriesId": record["seriesId"]})).json())


async def test_no_release_found_leaves_the_movie_missing_until_releases_appear() -> None:
    async with media_harness() as h:
        h.pipeline.faults.no_release.add("Blade Runner")
        movie = (await h.radarr.post("/api/v3/movie", json={"tmdbId": 335984, "addOptions": {"searchForMovie": True}})).json()
        h.step(10)
        commands = (await h.radarr.get("/api/v3/command")).json()
        assert commands[-1]["message"] == "0 reports downloaded."
        assert movie["id"] in [m["id"] for m in (await h.radarr.get("/api/v3/wanted/missing")).json()["records"]]
        h.pipeline.faults.no_release.clear()
        await h.radarr.post("/api/v3/command", json={"name": "MoviesSearch", "movieIds": [movie["id"]]})
        h.step(10)
        assert (await h.radarr.get("/api/v3/queue")).json()["totalRecords"] == 1


async def test_apps_refuse_requests_without_their_key() -> None:
    async with media_harness() as h:
        assert (await h.sonarr.get("/api/v3/system/status", headers={"X-Api-Key": "wrong"})).status_code == 401
        assert (await h.sonarr.get("/api/v3/system/status", params={"apikey": KEY}, headers={"X-Api-Key": ""})).status_code == 200
        assert (await h.jellyfin.get("/Items", headers={"X-Emby-Token": "nope"})).status_code == 401
        assert (await h.jellyfin.get("/Items", headers={"X-Emby-Token": "", "Authorization": f'MediaBrowser Client="x", Token="{KEY}"'})).status_code == 200
        assert (await h.qbit.get("/api/v2/torrents/info")).status_code == 403
        bad = await h.qbit.post("/api/v2/auth/login", data={"username": "admin", "password": "wrong"})
        assert bad.text == "Fails."
        refused = h.pipeline.received.of("sonarr", path="/api/v3/system/status")
        assert [r.status for r in refused] == [401, 200]
        assert h.pipeline.received.of("qbittorrent", path="/api/v2/auth/login")[0].body == b"username=admin&password=wrong"


async def test_bad_input_gets_an_error_naming_the_field() -> None:
    async with media_harness() as h:
        response = await h.sonarr.post("/api/v3/command", json={"name": "Bogus"})
        assert response.status_code == 400 and response.json()["propertyName"] == "name"
        response = await h.seerr.post("/api/v1/request", json={"mediaType": "book", "mediaId": 1})
        assert response.status_code == 400 and response.json()["errors"][0]["path"] == "mediaType"
        response = await h.radarr.get("/api/v3/queue", params={"includeMovie": "maybe"})
        assert response.status_code == 400 and "includeMovie" in response.json()["message"]


async def test_prowlarr_search_returns_releases_from_every_indexer() -> None:
    async with media_harness() as h:
        indexers = (await h.prowlarr.get("/api/v1/indexer")).json()
        found = (await h.prowlarr.get("/api/v1/search", params={"query": "Arrival", "type": "movie"})).json()
        assert {r["indexerId"] for r in found} == {i["id"] for i in indexers}
        assert all(r["tmdbId"] == 329865 for r in found)


async def _qbit_login(h: Harness) -> Any:
    response = await h.qbit.post("/api/v2/auth/login", data={"username": "admin", "password": "secret"})
    assert response.text == "Ok." and "SID" in response.cookies

    class Q:
        async def get(self, path: str) -> Any:
            return (await h.qbit.get(path)).json()

    return Q()


async def test_qbittorrent_adds_pauses_resumes_and_deletes_torrents() -> None:
    async with media_harness() as h:
        await h.qbit.post("/api/v2/auth/login", data={"username": "admin", "password": "secret"})
        assert (await h.qbit.get("/api/v2/app/version")).text.startswith("v")
        added = await h.qbit.post("/api/v2/torrents/add", data={"urls": "magnet:?xt=urn:btih:abc&dn=Some.Linux.ISO", "category": "manual"})
        assert added.text == "Ok."
        (torrent,) = (await h.qbit.get("/api/v2/torrents/info", params={"category": "manual"})).json()
        await h.qbit.post("/api/v2/torrents/pause", data={"hashes": torrent["hash"]})
        h.step(30)
        paused = (await h.qbit.get("/api/v2/torrents/info", params={"hashes": torrent["hash"]})).json()[0]
        assert paused["state"] == "pausedDL" and paused["progress"] == 0
        await h.qbit.post("/api/v2/torrents/resume", data={"hashes": torrent["hash"]})
        h.step(30)
        assert (await h.qbit.get("/api/v2/torrents/info", params={"hashes": torrent["hash"]})).json()[0]["progress"] == 1
        await h.qbit.post("/api/v2/torrents/delete", data={"hashes": torrent["hash"], "deleteFiles": "true"})
        assert (await h.qbit.get("/api/v2/torrents/info", params={"category": "manual"})).json() == []


async def test_removing_a_download_from_qbittorrent_drops_it_from_the_arr_queue() -> None:
    async with media_harness() as h:
        h.pipeline.faults.stall["Andor"] = 1
        h.pipeline.add_series(393189)
        h.step(20)
        queue = (await h.sonarr.get("/api/v3/queue", params={"pageSize": "50"})).json()
        assert queue["totalRecords"] == 12
        await h.qbit.post("/api/v2/auth/login", data={"username": "admin", "password": "secret"})
        await h.qbit.post("/api/v2/torrents/delete", data={"hashes": queue["records"][0]["downloadId"].lower()})
        h.step(2)
        assert (await h.sonarr.get("/api/v3/queue")).json()["totalRecords"] == 0


async def test_download_client_outage_shows_in_health_stops_downloads_and_is_restored() -> None:
    async with media_harness() as h:
        record_all(h)
        h.pipeline.add_movie(438631)
        h.step(5)
        h.pipeline.set_available("qbittorrent", False)
        (issue,) = (await h.radarr.get("/api/v3/health")).json()
        assert issue["source"] == "DownloadClientCheck" and issue["type"] == "error" and "qBittorrent" in issue["message"]
        h.step(600)
        assert (await h.radarr.get("/api/v3/queue")).json()["records"][0]["sizeleft"] > 0
        h.pipeline.set_available("qbittorrent", True)
        assert (await h.sonarr.get("/api/v3/health")).json() == []
        h.step(600)
        assert (await h.radarr.get("/api/v3/queue")).json()["totalRecords"] == 0
        health = [(a, b["eventType"], b["type"]) for a, b in sent(h) if b.get("eventType", "").startswith("Health")]
        assert health == [("sonarr", "Health", "DownloadClientCheck"), ("radarr", "Health", "DownloadClientCheck"),
                          ("sonarr", "HealthRestored", "DownloadClientCheck"), ("radarr", "HealthRestored", "DownloadClientCheck")]


async def test_approve_and_decline_answer_as_seerr_does() -> None:
    async with media_harness() as h:
        record_all(h)
        first = (await h.seerr.post("/api/v1/request", json={"mediaType": "movie", "mediaId": 545611}, headers={"X-Api-User": "2"})).json()["id"]
        second = (await h.seerr.post("/api/v1/request", json={"mediaType": "tv", "mediaId": 95396, "seasons": [1]}, headers={"X-Api-User": "2"})).json()["id"]
        sent(h)
        by_requester = await h.seerr.post(f"/api/v1/request/{first}/approve", headers={"X-Api-User": "2"})
        assert by_requester.status_code == 403, "a user without MANAGE_REQUESTS cannot answer"
        other = await h.seerr.post(f"/api/v1/request/{first}/pending")
        assert other.status_code == 400 and other.json()["message"] == "Status must be approve or decline."
        declined = await h.seerr.post(f"/api/v1/request/{first}/decline")
        assert declined.status_code == 200 and declined.json()["status"] == 3 and declined.json()["modifiedBy"]["id"] == 1
        assert declined.json()["media"]["status"] == 1, "the media goes back to unknown"
        assert events(sent(h)) == [("seerr", "MEDIA_DECLINED")]
        for verb in ("approve", "decline"):
            again = await h.seerr.post(f"/api/v1/request/{first}/{verb}")
            assert again.status_code == 409 and again.json()["message"] == "Only pending requests can be approved or declined."
        assert (await h.seerr.get(f"/api/v1/request/{first}")).json()["status"] == 3
        assert (await h.seerr.post(f"/api/v1/request/{second}/retry")).status_code == 409, "only a failed request is retried"
        assert (await h.seerr.post("/api/v1/request/999/decline")).status_code == 404
        assert (await h.seerr.post(f"/api/v1/request/{second}/approve")).json()["status"] == 2
        assert events(sent(h))[0] == ("seerr", "MEDIA_APPROVED")


async def test_a_seerr_sync_miss_holds_the_request_until_a_jellyfin_scan_job_runs_which_only_an_admin_may_start() -> None:
    async with media_harness() as h:
        record_all(h)
        h.pipeline.faults.seerr_sync_miss.add("Dune")
        rid = (await h.seerr.post("/api/v1/request", json={"mediaType": "movie", "mediaId": 438631})).json()["id"]
        h.step(900)
        listed = (await h.jellyfin.get("/Items", params={"IncludeItemTypes": "Movie", "AnyProviderIdEquals": "tmdb.438631"})).json()
        assert listed["TotalRecordCount"] == 1
        assert (await h.seerr.get(f"/api/v1/request/{rid}")).json()["media"]["status"] == 3  # processing: the sync never noticed
        denied = await h.seerr.get("/api/v1/settings/jobs", headers={"X-Api-User": "2"})
        assert denied.status_code == 403
        jobs = (await h.seerr.get("/api/v1/settings/jobs")).json()
        assert {"jellyfin-recently-added-scan", "jellyfin-full-scan"} <= {j["id"] for j in jobs}
        unknown = await h.seerr.post("/api/v1/settings/jobs/plex-recently-added-scan/run")
        assert unknown.status_code == 404 and unknown.json()["message"] == "Job not found."
        other = await h.seerr.post("/api/v1/settings/jobs/image-cache-cleanup/run")
        assert other.status_code == 200 and (await h.seerr.get(f"/api/v1/request/{rid}")).json()["media"]["status"] == 3
        ran = await h.seerr.post("/api/v1/settings/jobs/jellyfin-recently-added-scan/run")
        assert ran.status_code == 200 and ran.json()["running"] is True
        request = (await h.seerr.get(f"/api/v1/request/{rid}")).json()
        assert (request["status"], request["media"]["status"]) == (5, 5)
