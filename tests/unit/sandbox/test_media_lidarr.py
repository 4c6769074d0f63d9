"""Simulated Lidarr v1 over loopback: every endpoint against Lidarr's OpenAPI document, key refusal,
import blocked / failed states, queue removal, and its webhooks delivered to a receiver."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from media_live import Live, live_stack
from test_delivery_retry import FAST, Receiver
from test_media_openapi import Document

from openclaw.sandbox.media.pipeline import TRACKS_MISSING

RADIOHEAD = "a74b1b7f-71a5-4011-9441-d0b5e4122711"
OK_COMPUTER = "c0ea8290-0f30-595d-8475-054a5a3a8d7e"


@pytest.fixture(scope="module")
def lidarr_doc() -> Document:
    return Document("lidarr", "v1")


async def add_radiohead(live: Live, search: bool = True) -> dict[str, Any]:
    response = await live.lidarr.post("/api/v1/artist", json={"foreignArtistId": RADIOHEAD, "monitored": True,
                                                                "addOptions": {"searchForMissingAlbums": search}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]  # JSON


def produced(live: Live) -> list[str]:
    return [event for app, event in live.pipeline.sender.produced if app == "lidarr"]


async def queue(live: Live) -> list[dict[str, Any]]:
    return (await live.lidarr.get("/api/v1/queue", params={"includeAlbum": "true"})).json()["records"]  # type: ignore[no-any-return]  # JSON


async def test_lidarr_refuses_requests_without_its_key() -> None:
    async with live_stack() as live:
        url = f"{live.url('lidarr')}/api/v1/system/status"
        assert (await live.raw.get(url)).status_code == 401
        assert (await live.raw.get(url, headers={"X-Api-Key": "f" * 32})).json() == {"message": "Unauthorized"}
        assert (await live.raw.get(url, params={"apikey": live.key("lidarr")})).json()["appName"] == "Lidarr"


async def test_an_added_artist_is_searched_grabbed_through_sabnzbd_imported_and_in_history(lidarr_doc: Document) -> None:
    async with live_stack() as live:
        found = (await live.lidarr.get("/api/v1/artist/lookup", params={"term": "radiohead"})).json()
        lidarr_doc.validate("get", "/api/v1/artist/lookup", found)
        assert found[0]["foreignArtistId"] == RADIOHEAD and "id" not in found[0]
        albums = (await live.lidarr.get("/api/v1/album/lookup", params={"term": "ok computer"})).json()
        lidarr_doc.validate("get", "/api/v1/album/lookup", albums)
        assert [a["foreignAlbumId"] for a in albums] == [OK_COMPUTER]
        start = live.clock.now()
        artist = await add_radiohead(live)
        lidarr_doc.validate("post", "/api/v1/artist", artist)
        live.step(5)
        records = await queue(live)
        assert {r["album"]["foreignAlbumId"] for r in records} >= {OK_COMPUTER}
        assert all(r["downloadClient"] == "SABnzbd" and r["protocol"] == "usenet" and r["downloadId"].startswith("SABnzbd_nzo_") for r in records)
        lidarr_doc.validate("get", "/api/v1/queue", (await live.lidarr.get("/api/v1/queue", params={"includeArtist": "true", "includeAlbum": "true"})).json())
        lidarr_doc.validate("get", "/api/v1/queue/details", (await live.lidarr.get("/api/v1/queue/details", params={"artistId": str(artist["id"])})).json())
        live.step(240)
        assert await queue(live) == []
        album_list = (await live.lidarr.get("/api/v1/album", params={"artistId": str(artist["id"])})).json()
        lidarr_doc.validate("get", "/api/v1/album", album_list)
        assert all(a["statistics"]["trackFileCount"] == a["statistics"]["totalTrackCount"] for a in album_list)
        one = (await live.lidarr.get(f"/api/v1/album/{album_list[0]['id']}")).json()
        lidarr_doc.validate("get", "/api/v1/album/{id}", one)
        assert one["artist"]["artistName"] == "Radiohead"
        got = (await live.lidarr.get(f"/api/v1/artist/{artist['id']}")).json()
        lidarr_doc.validate("get", "/api/v1/artist/{id}", got)
        assert got["statistics"]["percentOfTracks"] == 100.0
        since = (await live.lidarr.get("/api/v1/history/since", params={"date": start.isoformat().replace("+00:00", "Z")})).json()
        lidarr_doc.validate("get", "/api/v1/history/since", since)
        events = [h["eventType"] for h in since]
        assert events.count("downloadImported") == 2 and events.count("trackFileImported") == 22
        grabbed = (await live.lidarr.get("/api/v1/history/since", params={"date": start.isoformat(), "eventType": "grabbed"})).json()
        assert len(grabbed) == 2 and grabbed[0]["data"]["downloadClient"] == "SABnzbd" and grabbed[0]["data"]["protocol"] == "1"
        paged = (await live.lidarr.get("/api/v1/history", params={"includeArtist": "true", "includeAlbum": "true", "pageSize": "50"})).json()
        lidarr_doc.validate("get", "/api/v1/history", paged)
        for path in ("/api/v1/system/status", "/api/v1/health", "/api/v1/artist", "/api/v1/command", "/api/v1/wanted/missing"):
            response = await live.lidarr.get(path)
            assert response.status_code == 200, path
            lidarr_doc.validate("get", path, response.json())
        assert produced(live) == ["Grab", "Grab", "Download", "Download"]


async def test_commands_are_validated_queued_and_finished(lidarr_doc: Document) -> None:
    async with live_stack() as live:
        missing = await live.lidarr.post("/api/v1/command", json={"name": "AlbumSearch"})
        assert missing.status_code == 400 and missing.json()["propertyName"] == "albumIds"
        unknown = await live.lidarr.post("/api/v1/command", json={"name": "EpisodeSearch"})
        assert unknown.status_code == 400 and "AlbumSearch" in unknown.json()["message"]
        artist = await add_radiohead(live, search=False)
        wanted = (await live.lidarr.get("/api/v1/wanted/missing", params={"includeArtist": "true"})).json()
        lidarr_doc.validate("get", "/api/v1/wanted/missing", wanted)
        kid_a = next(a for a in wanted["records"] if a["title"] == "Kid A")
        created = await live.lidarr.post("/api/v1/command", json={"name": "AlbumSearch", "albumIds": [kid_a["id"]]})
        assert created.status_code == 201 and created.json()["status"] == "queued"
        lidarr_doc.validate("post", "/api/v1/command", created.json())
        refresh = await live.lidarr.post("/api/v1/command", json={"name": "RefreshArtist", "artistId": artist["id"]})
        live.step(3)
        done = (await live.lidarr.get(f"/api/v1/command/{created.json()['id']}")).json()
        lidarr_doc.validate("get", "/api/v1/command/{id}", done)
        assert done["status"] == "completed" and done["message"] == "1 reports downloaded."
        assert (await live.lidarr.get(f"/api/v1/command/{refresh.json()['id']}")).json()["status"] == "completed"
        (record,) = await queue(live)
        assert record["album"]["title"] == "Kid A"
        bad = await live.lidarr.get("/api/v1/history/since", params={"date": "yesterday"})
        assert bad.status_code == 400 and bad.json()["propertyName"] == "date"
        assert (await live.lidarr.get("/api/v1/artist/9999")).status_code == 404


async def test_an_import_blocked_album_waits_in_the_queue_without_a_webhook_until_downloads_are_refreshed() -> None:
    async with live_stack() as live:
        live.pipeline.faults.fail_import["OK Computer"] = 1
        await add_radiohead(live)
        live.step(240)
        (record,) = await queue(live)
        assert (record["status"], record["trackedDownloadStatus"], record["trackedDownloadState"]) == ("completed", "warning", "importBlocked")
        assert record["statusMessages"] == [{"title": record["title"], "messages": [TRACKS_MISSING]}]
        assert record["outputPath"] == f"/downloads/complete/music/{record['title']}"
        assert "ManualInteractionRequired" not in produced(live) and "ImportFailure" not in produced(live)
        await live.lidarr.post("/api/v1/command", json={"name": "RefreshMonitoredDownloads"})
        live.step(30)
        assert await queue(live) == []
        assert produced(live).count("Download") == 2


async def test_an_incomplete_import_is_import_failed_with_an_import_failure_webhook_and_a_manual_scan_settles_it() -> None:
    async with live_stack() as live:
        live.pipeline.faults.incomplete_import["Kid A"] = 1
        await add_radiohead(live)
        live.step(240)
        (record,) = await queue(live)
        assert record["trackedDownloadState"] == "importFailed" and record["trackedDownloadStatus"] == "warning"
        assert record["statusMessages"][0]["messages"] == [TRACKS_MISSING] and len(record["statusMessages"]) > 1
        assert "ImportFailure" in produced(live)
        incomplete = (await live.lidarr.get("/api/v1/history", params={"eventType": "albumImportIncomplete"})).json()["records"]
        assert incomplete[0]["downloadId"] == record["downloadId"]
        scan = await live.lidarr.post("/api/v1/command", json={"name": "DownloadedAlbumsScan", "path": record["outputPath"]})
        assert scan.status_code == 201
        live.step(20)
        assert await queue(live) == []
        kid_a = (await live.lidarr.get(f"/api/v1/album/{record['albumId']}")).json()
        assert kid_a["statistics"]["trackFileCount"] == 10


async def test_removing_with_blocklist_deletes_the_job_from_sabnzbd_and_grabs_the_next_release() -> None:
    async with live_stack() as live:
        await add_radiohead(live, search=False)
        album = (await live.lidarr.get("/api/v1/album", params={"foreignAlbumId": OK_COMPUTER})).json()[0]
        await live.lidarr.post("/api/v1/command", json={"name": "AlbumSearch", "albumIds": [album["id"]]})
        live.step(4)
        (record,) = await queue(live)
        assert record["quality"]["quality"]["name"] == "FLAC"
        response = await live.lidarr.delete(f"/api/v1/queue/{record['id']}", params={"removeFromClient": "true", "blocklist": "true"})
        assert response.status_code == 200
        assert [s["nzo_id"] for s in (await live.sab(mode="queue"))["queue"]["slots"]] == []
        blocklist = (await live.lidarr.get("/api/v1/blocklist")).json()
        assert blocklist["records"][0]["sourceTitle"] == record["title"] and blocklist["records"][0]["protocol"] == "usenet"
        assert produced(live)[-1] == "DownloadFailure"
        live.step(4)
        (again,) = await queue(live)
        assert again["quality"]["quality"]["name"] == "MP3-320" and again["indexer"] == "DrunkenSlug"
        gone = await live.lidarr.delete(f"/api/v1/queue/{record['id']}")
        assert gone.status_code == 404
        kept = await live.lidarr.delete(f"/api/v1/queue/{again['id']}", params={"removeFromClient": "false"})
        assert kept.status_code == 200 and await queue(live) == []
        # still in the client (a small MP3 job is already post-processing, so in SABnzbd's history)
        assert [h["nzo_id"] for h in (await live.sab(mode="history", nzo_ids=again["downloadId"]))["history"]["slots"]] == [again["downloadId"]]


async def test_lidarr_webhooks_reach_the_receiver_through_the_retrying_sender() -> None:
    receiver = Receiver([503, 202])
    await receiver.start()
    try:
        async with live_stack() as live:
            live.pipeline.sender.retry = FAST
            live.stack.send_webhooks_to({"lidarr": receiver.url.replace("alertmanager", "lidarr")}, "hooks-token")
            live.pipeline.faults.incomplete_import["OK Computer"] = 1
            await add_radiohead(live)
            live.step(240)
            await live.pipeline.sender.drain()
            deliveries = live.pipeline.sender.deliveries
    finally:
        await receiver.stop()
    bodies = [json.loads(b) for b in receiver.bodies]
    assert [b["eventType"] for b in bodies] == ["Grab", "Grab", "Grab", "ImportFailure", "Download"]  # the first Grab was retried after a 503
    assert [(d.app, d.event, d.status) for d in deliveries][:1] == [("lidarr", "Grab", 202)]
    grab, failure, download = bodies[0], bodies[3], bodies[4]
    assert grab["artist"]["mbId"] == RADIOHEAD and grab["albums"][0]["mbId"] == OK_COMPUTER
    assert grab["downloadClient"] == "SABnzbd" and grab["release"]["quality"] == "FLAC" and grab["instanceName"] == "Lidarr"
    assert failure["artist"]["name"] == "Radiohead" and "album" not in failure and failure["downloadId"] == grab["downloadId"]
    assert download["album"]["title"] == "Kid A" and len(download["trackFiles"]) == 10 and download["isUpgrade"] is False
    head = receiver.heads[0]
    assert f"authorization: basic {base64.b64encode(b'openclaw:hooks-token').decode()}".lower() in head.lower()
    assert "user-agent: lidarr/" in head.lower()
