"""Stuck reasons come from the apps' own state and strike on consecutive checks; progress clears them."""

from __future__ import annotations

from typing import Any

import pytest

from openclaw.config.schema import MediaSettings
from openclaw.media.stages import Stage
from openclaw.media.stuck import Observation, apply, thresholds
from openclaw.media.tracker import Tracked


def item(stage: Stage = Stage.DOWNLOADING, **ids: Any) -> Tracked:
    return Tracked("movie:tmdb:438631", "movie", "Dune (2021)", stage, 0.0, 0.0, 0.0, app="radarr", ids=dict(ids), download_id="ABC")


def torrent(state: str, done: int = 0, progress: float = 0.0) -> dict[str, Any]:
    return {"client": "qbittorrent", "state": state, "progress": progress, "bytesDone": done, "size": 10_000, "private": False}


def seen(**kw: Any) -> Observation:
    kw.setdefault("checked", {"radarr", "qbittorrent", "jellyfin", "seerr"})
    kw.setdefault("download_id", "ABC")
    return Observation(**kw)


@pytest.mark.parametrize(("state", "reason"), [("stalledDL", "stalled"), ("metaDL", "metadata"), ("forcedMetaDL", "metadata"),
                                               ("error", "errored"), ("missingFiles", "missing-files")])
def test_each_download_client_state_is_its_own_reason_counted_per_check(state: str, reason: str) -> None:
    it = item()
    for n in (1, 2, 3):
        apply(it, seen(download=torrent(state)), float(n))
        assert (it.stuck_reason, it.strikes) == (reason, {reason: n})
    assert it.stuck(thresholds(MediaSettings())) and state in str(it.stuck_detail)


def test_bytes_arriving_reset_the_strikes_and_the_ladder_and_no_bytes_over_checks_is_no_progress() -> None:
    it = item()
    apply(it, seen(download=torrent("stalledDL", 100)), 1.0)
    apply(it, seen(download=torrent("stalledDL", 100)), 2.0)
    it.ladder = ["media.download.reannounce"]
    assert apply(it, seen(download=torrent("downloading", 500)), 3.0) is True
    assert (it.stuck_reason, it.strikes, it.ladder) == (None, {}, [])
    apply(it, seen(download=torrent("downloading", 500)), 4.0)
    assert it.stuck_reason == "no-progress" and it.strikes == {"no-progress": 1}


def test_a_changed_reason_starts_its_own_count() -> None:
    it = item()
    for n in range(3):
        apply(it, seen(download=torrent("stalledDL")), float(n))
    apply(it, seen(download=torrent("error")), 9.0)
    assert it.strikes == {"errored": 1}


def test_import_blocked_reads_the_tracked_state_and_keeps_the_apps_message() -> None:
    it = item(Stage.IMPORTING)
    queue = {"ids": [3], "status": "completed", "trackedDownloadState": "importBlocked", "trackedDownloadStatus": "warning",
             "messages": ["No files found are eligible for import in /downloads/x"]}
    apply(it, seen(download=torrent("stalledUP", 10_000, 1.0), queue=queue), 1.0)
    assert it.stuck_reason == "import-blocked" and "No files found are eligible" in str(it.stuck_detail)


def test_a_search_with_nothing_grabbed_strikes_only_for_requested_items_and_only_when_the_app_answered() -> None:
    monitored = item(Stage.SEARCHING)
    apply(monitored, seen(download_id=None), 1.0)
    assert monitored.stuck_reason is None  # nobody asked for it: a missing item is not stuck
    requested = item(Stage.SEARCHING, seerrRequest=7)
    apply(requested, seen(download_id=None, checked={"seerr"}), 1.0)
    assert requested.stuck_reason is None  # Radarr did not answer: nothing is known
    apply(requested, seen(download_id=None), 2.0)
    assert requested.stuck_reason == "no-release"


def test_time_based_reasons_need_as_many_checks_as_their_duration_spans() -> None:
    needed = thresholds(MediaSettings.model_validate({"pollInterval": "1m", "pendingApprovalAfter": "30m", "libraryGrace": "10m"}))
    assert needed["pending-approval"] == 30 and needed["not-in-library"] == 10 and needed["stalled"] == 3 and needed["request-failed"] == 1
    pending = item(Stage.REQUESTED, seerrRequest=9)
    for n in range(29):
        apply(pending, seen(download_id=None, request={"status": 1}), float(n))
    assert not pending.stuck(needed)
    apply(pending, seen(download_id=None, request={"status": 1}), 30.0)
    assert pending.stuck(needed) and pending.stuck_reason == "pending-approval"


def test_imported_and_missing_from_the_library_then_found() -> None:
    it = item(Stage.IMPORTED)
    apply(it, seen(download_id=None, missing_from=["jellyfin"]), 1.0)
    assert it.stuck_reason == "not-in-library" and "jellyfin" in str(it.stuck_detail)
    assert it.state["library"] == {"missingFrom": ["jellyfin"]}
    apply(it, seen(download_id=None, in_library=True, stage=Stage.IN_LIBRARY), 2.0)
    assert it.stage is Stage.IN_LIBRARY and it.stuck_reason is None and "library" not in it.state


def test_available_in_one_server_but_missing_from_plex_is_still_not_in_library() -> None:
    it = item(Stage.AVAILABLE)
    apply(it, seen(download_id=None, in_library=True, missing_from=["plex"]), 1.0)
    assert (it.stage, it.stuck_reason) == (Stage.AVAILABLE, "not-in-library") and "plex does not list it" in str(it.stuck_detail)
    assert apply(it, seen(download_id=None), 2.0) is False and it.stuck_reason is None  # no server answered: nothing to say


def test_a_failed_sabnzbd_job_is_download_failed_with_its_fail_message_and_a_queued_one_is_not() -> None:
    it = item(download_id="SABnzbd_nzo_1")
    job = {"client": "sabnzbd", "protocol": "usenet", "id": "SABnzbd_nzo_1", "state": "Failed", "progress": 1.0, "bytesDone": 10_000,
           "size": 10_000, "failMessage": "Unpacking failed, archive requires a password"}
    for n in (1, 2, 3):
        apply(it, seen(download_id="SABnzbd_nzo_1", download=job), float(n))
    assert it.strikes == {"download-failed": 3} and it.stuck(thresholds(MediaSettings()))
    assert it.stuck_detail == "SABnzbd job SABnzbd_nzo_1 failed: Unpacking failed, archive requires a password"
    # A torrent client's own "error" word is not confused with SABnzbd's: only a usenet job's Failed counts.
    apply(it, seen(download_id="SABnzbd_nzo_2", download={**job, "id": "SABnzbd_nzo_2", "state": "Queued"}), 4.0)
    assert it.stuck_reason is None


def test_stuck_checks_below_three_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="stuck_checks|stuckChecks"):
        MediaSettings.model_validate({"stuckChecks": 2})


def test_a_sabnzbd_write_error_is_the_disk_not_the_release() -> None:
    it = item(download_id="SABnzbd_nzo_1")
    job = {"client": "sabnzbd", "protocol": "usenet", "id": "SABnzbd_nzo_1", "state": "Failed", "progress": 1.0, "bytesDone": 1, "size": 1,
           "failMessage": "Unpacking failed, write error or disk is full?"}
    apply(it, seen(download_id="SABnzbd_nzo_1", download=job), 1.0)
    assert it.stuck_reason == "disk-full" and "free space on the download volume" in str(it.stuck_detail)


def test_listed_by_the_server_but_not_available_in_seerr_strikes_for_the_library_grace_then_clears_when_available() -> None:
    needed = thresholds(MediaSettings.model_validate({"pollInterval": "1m", "libraryGrace": "10m"}))
    assert needed["not-available-in-seerr"] == 10
    it = item(Stage.IMPORTED, seerrRequest=9)
    processing = {"status": 2, "mediaStatus": 3}
    for n in range(1, 11):
        apply(it, seen(download_id=None, in_library=True, stage=Stage.IN_LIBRARY, request=processing), float(n))
    assert it.stage is Stage.IN_LIBRARY and it.stuck(needed) and it.strikes == {"not-available-in-seerr": 10}
    assert "media status is 3" in str(it.stuck_detail)
    apply(it, seen(download_id=None, in_library=True, stage=Stage.AVAILABLE, request={"status": 5, "mediaStatus": 5}), 11.0)
    assert (it.stage, it.stuck_reason, it.strikes) == (Stage.AVAILABLE, None, {})


def test_not_available_in_seerr_needs_seerr_to_answer_every_server_to_list_it_and_an_approved_request() -> None:
    processing = {"status": 2, "mediaStatus": 3}
    cases = [
        seen(download_id=None, in_library=True, stage=Stage.IN_LIBRARY, request=processing, checked={"radarr", "jellyfin"}),  # Seerr silent
        seen(download_id=None, in_library=True, stage=Stage.IN_LIBRARY, request=None),  # nothing requested it
        seen(download_id=None, in_library=True, stage=Stage.IN_LIBRARY, request={"status": 1, "mediaStatus": 2}),  # still pending
    ]
    for case in cases:
        it = item(Stage.IMPORTED)
        apply(it, case, 1.0)
        assert it.stuck_reason is None, case
    missing = item(Stage.IMPORTED)
    apply(missing, seen(download_id=None, in_library=True, stage=Stage.IN_LIBRARY, missing_from=["plex"], request=processing), 1.0)
    assert missing.stuck_reason == "not-in-library"  # the server that lacks it comes first
