"""Simulated SABnzbd over loopback: its API modes, key refusals, failed jobs, retries, and its place as
the *arr apps' usenet download client."""

from __future__ import annotations

import re

from media_live import Live, live_stack

from openclaw.sandbox.media.faults import PASSWORD_REQUIRED, REPAIR_FAILED, UsenetFailure
from openclaw.sandbox.media.pipeline import Timings

NZO = re.compile(r"^SABnzbd_nzo_[a-z0-9_]{8}$")
RADIOHEAD = "a74b1b7f-71a5-4011-9441-d0b5e4122711"


async def add_dune(live: Live) -> int:
    movie = (await live.radarr.post("/api/v3/movie", json={"tmdbId": 438631, "addOptions": {"searchForMovie": True}})).json()
    return int(movie["id"])


async def radarr_record(live: Live) -> dict:  # type: ignore[type-arg]  # a Radarr queue record
    (record,) = (await live.radarr.get("/api/v3/queue")).json()["records"]
    return record  # type: ignore[no-any-return]  # JSON


async def test_version_needs_no_key_and_a_wrong_or_missing_key_is_refused_as_sabnzbd_does() -> None:
    async with live_stack() as live:
        assert (await live.sabnzbd.get("/api", params={"mode": "version", "output": "json"})).json() == {"version": "4.5.1"}
        wrong = await live.sabnzbd.get("/api", params={"mode": "queue", "output": "json", "apikey": "0" * 32})
        assert wrong.status_code == 403 and wrong.text == "API Key Incorrect"
        missing = await live.sabnzbd.get("/sabnzbd/api", params={"mode": "history", "output": "json"})
        assert missing.status_code == 403 and missing.text == "API Key Required"
        posted = await live.sabnzbd.post("/sabnzbd/api", data={"mode": "queue", "output": "json", "apikey": live.key("sabnzbd")})
        assert posted.status_code == 200 and posted.json()["queue"]["status"] == "Idle"
        assert (await live.sab(mode="bogus")) == {"status": False, "error": "not implemented"}
        assert [r.status for r in live.pipeline.received.of("sabnzbd")] == [200, 403, 403, 200, 200]


async def test_a_job_that_fails_to_unpack_shows_failed_in_history_and_in_the_radarr_queue() -> None:
    async with live_stack() as live:
        live.pipeline.faults.add_usenet_failure("Dune", 1, UsenetFailure(PASSWORD_REQUIRED))
        await add_dune(live)
        live.step(5)
        (slot,) = (await live.sab(mode="queue"))["queue"]["slots"]
        assert NZO.match(slot["nzo_id"]) and slot["cat"] == "movies" and slot["status"] == "Downloading"
        record = await radarr_record(live)
        assert record["downloadClient"] == "SABnzbd" and record["protocol"] == "usenet" and record["downloadId"] == slot["nzo_id"]
        assert record["indexer"] == "NZBgeek"
        live.step(186)  # downloaded: post-processing has started
        history = (await live.sab(mode="history"))["history"]
        assert history["ppslots"] == 1 and history["slots"][0]["status"] in ("Verifying", "Repairing", "Extracting", "Moving")
        assert history["slots"][0]["loaded"] is True and (await radarr_record(live))["status"] == "downloading"
        live.step(14)
        history = (await live.sab(mode="history"))["history"]
        (failed,) = history["slots"]
        assert failed["status"] == "Failed" and failed["fail_message"] == PASSWORD_REQUIRED and failed["nzo_id"] == slot["nzo_id"]
        assert failed["retry"] == 1 and failed["storage"] == "" and failed["stage_log"][-1] == {"name": "Unpack", "actions": [PASSWORD_REQUIRED]}
        assert (await live.sab(mode="queue"))["queue"]["slots"] == []
        record = await radarr_record(live)
        assert (record["status"], record["trackedDownloadStatus"], record["trackedDownloadState"]) == ("failed", "error", "failedPending")
        assert record["errorMessage"] == PASSWORD_REQUIRED and record["statusMessages"][0]["messages"] == [PASSWORD_REQUIRED]
        live.step(600)  # failed download handling is off: it stays until someone acts
        assert (await radarr_record(live))["trackedDownloadState"] == "failedPending"


async def test_a_retry_requeues_the_job_under_a_new_nzo_id_and_the_import_follows() -> None:
    async with live_stack() as live:
        live.pipeline.faults.add_usenet_failure("Dune", 1, UsenetFailure(PASSWORD_REQUIRED))
        movie_id = await add_dune(live)
        live.step(200)
        old = (await radarr_record(live))["downloadId"]
        before = (await live.sab(mode="history"))["history"]["last_history_update"]
        assert (await live.sab(mode="history", last_history_update=str(before))) == {"history": False}
        retried = await live.sab(mode="retry", value=old)
        assert retried["status"] is True and NZO.match(retried["nzo_id"]) and retried["nzo_id"] != old
        assert (await live.sab(mode="history", nzo_ids=old))["history"]["slots"] == []
        assert (await live.sab(mode="history", last_history_update=str(before)))["history"] is not False
        assert [s["nzo_id"] for s in (await live.sab(mode="queue"))["queue"]["slots"]] == [retried["nzo_id"]]
        record = await radarr_record(live)
        assert record["downloadId"] == retried["nzo_id"] and record["trackedDownloadState"] == "downloading"
        live.step(60)
        (done,) = (await live.sab(mode="history"))["history"]["slots"]
        assert done["status"] == "Completed" and done["storage"].startswith("/downloads/complete/movies/")
        assert (await live.radarr.get(f"/api/v3/movie/{movie_id}")).json()["hasFile"] is True
        assert (await live.radarr.get("/api/v3/queue")).json()["totalRecords"] == 0
        assert (await live.sab(mode="retry", value=old)) == {"status": False, "error": "item does not exist"}


async def test_a_retry_that_fails_again_is_settled_by_blocklisting_and_a_torrent_from_the_next_search() -> None:
    async with live_stack() as live:
        message = REPAIR_FAILED.format(short=40)
        live.pipeline.faults.add_usenet_failure("Dune", 1, UsenetFailure(message, retry_fails=True))
        movie_id = await add_dune(live)
        live.step(200)
        first = (await radarr_record(live))["downloadId"]
        (slot,) = (await live.sab(mode="history", failed_only="1"))["history"]["slots"]
        assert slot["stage_log"][-1]["name"] == "Repair" and slot["fail_message"] == message
        again = (await live.sab(mode="retry", value=first))["nzo_id"]
        live.step(60)
        (slot,) = (await live.sab(mode="history", failed_only="1"))["history"]["slots"]
        assert slot["nzo_id"] == again and slot["fail_message"] == message
        record = await radarr_record(live)
        assert record["trackedDownloadState"] == "failedPending" and record["downloadId"] == again
        deleted = await live.radarr.delete(f"/api/v3/queue/{record['id']}", params={"removeFromClient": "true", "blocklist": "true"})
        assert deleted.status_code == 200
        assert (await live.sab(mode="history"))["history"]["slots"] == []  # removed from the client
        live.step(300)
        history = (await live.radarr.get("/api/v3/history", params={"eventType": "downloadFailed"})).json()["records"]
        assert history and history[0]["downloadId"] == again
        assert (await live.radarr.get(f"/api/v3/movie/{movie_id}")).json()["hasFile"] is True
        grabs = (await live.radarr.get("/api/v3/history", params={"eventType": "grabbed"})).json()["records"]
        assert grabs[0]["data"]["downloadClient"] == "qBittorrent"  # the NZB is blocklisted; a torrent came next


async def test_a_retry_with_the_archive_password_unpacks_even_when_a_plain_retry_would_fail() -> None:
    async with live_stack() as live:
        live.pipeline.faults.add_usenet_failure("Dune", 1, UsenetFailure(PASSWORD_REQUIRED, retry_fails=True))
        movie_id = await add_dune(live)
        live.step(200)
        nzo = (await radarr_record(live))["downloadId"]
        assert (await live.sab(mode="retry", value=nzo, password="s3cret"))["status"] is True
        live.step(60)
        assert (await live.sab(mode="history"))["history"]["slots"][0]["status"] == "Completed"
        assert (await live.radarr.get(f"/api/v3/movie/{movie_id}")).json()["hasFile"] is True


async def test_with_failed_download_handling_on_the_app_blocklists_and_searches_again_by_itself() -> None:
    async with live_stack() as live:
        live.pipeline.timings = Timings(failed_download_handling=60.0)
        live.pipeline.faults.add_usenet_failure("Dune", 1, UsenetFailure(PASSWORD_REQUIRED))
        movie_id = await add_dune(live)
        live.step(600)
        failed = (await live.radarr.get("/api/v3/history", params={"eventType": "downloadFailed"})).json()["records"]
        assert failed[0]["data"]["message"] == PASSWORD_REQUIRED
        assert (await live.radarr.get("/api/v3/blocklist")).json()["records"][0]["protocol"] == "usenet"
        assert (await live.radarr.get(f"/api/v3/movie/{movie_id}")).json()["hasFile"] is True


async def test_jobs_pause_resume_and_delete_one_by_one_or_all_together() -> None:
    async with live_stack() as live:
        await live.lidarr.post("/api/v1/artist", json={"foreignArtistId": RADIOHEAD, "addOptions": {"searchForMissingAlbums": True}})
        live.step(3)
        first, second = (await live.sab(mode="queue"))["queue"]["slots"]
        assert (first["status"], second["status"]) == ("Downloading", "Downloading")
        assert int(first["percentage"]) > 0 and second["percentage"] == "0"  # fetched one at a time, in order
        paused = await live.sab(mode="queue", name="pause", value=first["nzo_id"])
        assert paused == {"status": True, "nzo_ids": [first["nzo_id"]]}
        live.step(2)
        slots = (await live.sab(mode="queue"))["queue"]["slots"]
        assert [s["status"] for s in slots] == ["Paused", "Downloading"]
        assert (await live.sab(mode="pause")) == {"status": True}
        live.step(2)
        queue = (await live.sab(mode="queue"))["queue"]
        progress = [s["mbleft"] for s in queue["slots"]]
        live.step(5)
        assert queue["status"] == "Paused" and [s["mbleft"] for s in (await live.sab(mode="queue"))["queue"]["slots"]] == progress
        lidarr_queue = (await live.lidarr.get("/api/v1/queue")).json()["records"]
        assert {r["status"] for r in lidarr_queue} == {"paused"}
        assert (await live.sab(mode="resume")) == {"status": True}
        await live.sab(mode="queue", name="resume", value=first["nzo_id"])
        deleted = await live.sab(mode="queue", name="delete", value=second["nzo_id"], del_files="1")
        assert deleted == {"status": True, "nzo_ids": [second["nzo_id"]]}
        live.step(2)
        assert [r["downloadId"] for r in (await live.lidarr.get("/api/v1/queue")).json()["records"]] == [first["nzo_id"]]
        assert (await live.sab(mode="queue", name="delete", value="")) == {"status": False, "error": "expects one parameter"}
        assert (await live.sab(mode="queue", name="delete", value="all"))["nzo_ids"] == [first["nzo_id"]]
        assert (await live.sab(mode="get_cats"))["categories"] == ["*", "movies", "music", "tv"]
        assert (await live.sab(mode="history", start="x", limit="-"))["history"]["noofslots"] == 0  # lenient numbers, as SABnzbd's
