"""Every `media.*` kind through the one door, against the sandbox's media apps on loopback: what runs,
what is refused (protected tag, private tracker, indexers down, search cap, cooldown), what waits
for an operator (deleting downloaded data, approving a request), dry-run and observe, and the audit
record with the signal and the state before and after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from media_apps import Apps, endpoints, media_apps
from openclaw.config.schema import OpsSettings
from openclaw.media.clients.registry import from_config
from openclaw.media.executors import requests
from openclaw.media.refs import MediaTarget
from openclaw.policy.actions import Backends
from openclaw.policy.audit import AuditLog
from openclaw.policy.engine import PolicyEngine
from openclaw.policy.mint import mint
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Outcome
from openclaw.sandbox.media.faults import UsenetFailure

DUNE, SEVERANCE, EEAAO = "movie:tmdb:438631", "tv:tvdb:371980", "movie:tmdb:545611"


class Lab:
    def __init__(self, apps: Apps, audit: AuditLog) -> None:
        self.apps = apps
        self.ops: dict[str, Any] = {"verifyTimeout": 3, "verifyStableFor": 0}
        self.engine = PolicyEngine(Backends(media=lambda: apps.clients), audit, lambda: OpsSettings.model_validate(self.ops))

    async def submit(self, kind: ActionKind, app: str, item: str, params: dict[str, Any] | None = None, why: str = "stuck: stalledDL x3") -> Any:
        return await self.engine.submit(ActionRequest(kind, MediaTarget(app, item), Actor.runbook("media-ladder"), why, params or {}))

    @contextmanager
    def policy(self, **media: Any) -> Iterator[None]:
        self.ops["policy"] = {"media": media}
        try:
            yield
        finally:
            self.ops.pop("policy", None)


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    async with media_apps() as apps:
        audit = AuditLog(tmp_path / "events.db")
        ticking = asyncio.create_task(_tick(apps))  # the apps' time moves while verification waits
        try:
            yield Lab(apps, audit)
        finally:
            ticking.cancel()
            audit.close()


async def _tick(apps: Apps) -> None:
    while True:
        apps.step(1)
        await asyncio.sleep(0.005)


def stalled_dune(apps: Apps) -> str:
    p = apps.stack.pipeline
    p.faults.stall["Dune"] = 1
    p.create_request("movie", 438631, None, 1)
    apps.step(10)
    return next(t.hash for t in p.state.torrents.values() if "Dune" in t.name)


async def test_reannounce_is_audited_with_the_signal_and_the_state_before_and_after_and_fails_verification_while_stalled(lab: Lab) -> None:
    info_hash = stalled_dune(lab.apps)
    decision = await lab.submit(ActionKind.MEDIA_REANNOUNCE, "qbittorrent", DUNE)
    assert decision.outcome is Outcome.APPLIED, decision.reason
    assert decision.verification and decision.verification.startswith("failed: after ") and decision.verification.endswith("download still stalledDL (0%)")
    record = lab.engine.audit.get(decision.action_id)
    assert record is not None and record.reason == "stuck: stalledDL x3" and record.target == f"qbittorrent/{DUNE}"
    assert record.details["before"]["torrents"][0]["state"] == "stalledDL" and record.details["after"]["torrents"][0]["hash"] == info_hash
    assert lab.apps.stack.pipeline.state.torrents[info_hash].reannounced == 1
    again = await lab.submit(ActionKind.MEDIA_REANNOUNCE, "qbittorrent", DUNE)
    assert again.outcome is Outcome.REFUSED and again.setting == "ops.policy.media.itemCooldown" and "cooldown" in again.reason


async def test_recheck_and_removal_with_blocklist_then_the_app_searches_again(lab: Lab) -> None:
    stalled_dune(lab.apps)
    assert (await lab.submit(ActionKind.MEDIA_RECHECK, "qbittorrent", DUNE)).outcome is Outcome.APPLIED
    # Nothing downloaded yet: removing it from the client deletes no data, so no approval is needed.
    removed = await lab.submit(ActionKind.MEDIA_QUEUE_REMOVE, "radarr", DUNE, {"removeFromClient": True, "blocklist": True})
    assert removed.outcome is Outcome.APPLIED and removed.verification == "passed", (removed.reason, removed.verification)
    p = lab.apps.stack.pipeline
    assert [b.release.title for b in p.state.blocklist if b.app == "radarr"]
    deletes = p.received.of("radarr", method="DELETE")
    assert deletes[0].query == {"removeFromClient": "true", "blocklist": "true", "skipRedownload": "false", "changeCategory": "false"}
    lab.apps.step(10)
    assert any("Dune" in t.name and not t.stalled for t in p.state.torrents.values()), "Radarr grabbed another release"


async def test_deleting_downloaded_data_waits_for_an_operator_and_a_private_torrent_is_kept_seeding(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    p.create_request("movie", 438631, None, 1)
    lab.apps.step(4)
    torrent = next(t for t in p.state.torrents.values() if "Dune" in t.name)
    torrent.progress, torrent.stalled = 0.4, True
    parked = await lab.submit(ActionKind.MEDIA_QUEUE_REMOVE, "radarr", DUNE, {"removeFromClient": True, "blocklist": True})
    assert parked.outcome is Outcome.PENDING and parked.setting == "ops.policy.media.deleteRequiresApproval"
    assert "deletes" in parked.reason and "GB already downloaded" in parked.reason
    torrent.private = True
    refused = await lab.submit(ActionKind.MEDIA_QUEUE_REMOVE, "radarr", DUNE, {"removeFromClient": True, "blocklist": True})
    assert refused.outcome is Outcome.REFUSED and refused.setting == "ops.policy.media.keepPrivateSeeding"
    kept = await lab.submit(ActionKind.MEDIA_QUEUE_REMOVE, "radarr", DUNE, {"removeFromClient": False, "blocklist": True, "changeCategory": True})
    assert kept.outcome is Outcome.APPLIED and torrent.hash in p.state.torrents
    assert p.received.of("radarr", method="DELETE")[-1].query["changeCategory"] == "true"


async def test_a_protected_tag_refuses_every_change(lab: Lab) -> None:
    info_hash = stalled_dune(lab.apps)
    lab.apps.stack.pipeline.state.torrents[info_hash].tags = "radarr,Keep"
    for kind, app, params in ((ActionKind.MEDIA_REANNOUNCE, "qbittorrent", {}), (ActionKind.MEDIA_QUEUE_REMOVE, "radarr", {"removeFromClient": True, "blocklist": True})):
        decision = await lab.submit(kind, app, DUNE, params)
        assert decision.outcome is Outcome.REFUSED and decision.setting == "ops.policy.media.protectedTag", decision.reason
    assert lab.apps.stack.pipeline.received.of("qbittorrent", path="/api/v2/torrents/reannounce") == []


async def test_no_re_search_while_prowlarr_reports_indexers_disabled(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    p.faults.no_release.add("Blade Runner")
    p.create_request("movie", 335984, None, 1)
    lab.apps.step(5)
    p.indexers_disabled.add(2)
    search = await lab.submit(ActionKind.MEDIA_SEARCH, "radarr", "movie:tmdb:335984")
    assert search.outcome is Outcome.REFUSED and search.setting == "ops.policy.media.indexerGate" and "2 disabled" in search.reason
    stalled_dune(lab.apps)
    blocked = await lab.submit(ActionKind.MEDIA_QUEUE_REMOVE, "radarr", DUNE, {"removeFromClient": True, "blocklist": True})
    assert blocked.outcome is Outcome.REFUSED and blocked.setting == "ops.policy.media.indexerGate"
    quiet = await lab.submit(ActionKind.MEDIA_QUEUE_REMOVE, "radarr", DUNE, {"removeFromClient": True, "blocklist": True, "skipRedownload": True})
    assert quiet.outcome is Outcome.APPLIED
    p.indexers_disabled.clear()
    again = await lab.submit(ActionKind.MEDIA_SEARCH, "radarr", "movie:tmdb:335984")
    assert again.outcome is Outcome.APPLIED and str(again.verification).endswith("the search grabbed nothing (no release found)")


async def test_searches_are_capped_per_app_per_hour(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    p.faults.no_release.update({"Blade Runner", "Everything Everywhere"})
    p.create_request("movie", 335984, None, 1)
    p.create_request("movie", 545611, None, 1)
    lab.apps.step(5)
    with lab.policy(searchesPerAppPerHour=1):
        first = await lab.submit(ActionKind.MEDIA_SEARCH, "radarr", "movie:tmdb:335984")
        second = await lab.submit(ActionKind.MEDIA_SEARCH, "radarr", EEAAO)
    assert first.outcome is Outcome.APPLIED
    assert second.outcome is Outcome.REFUSED and second.setting == "ops.policy.media.searchesPerAppPerHour"
    assert second.reason == "search cap: 1 searches on radarr in the last hour (limit 1)"
    sent = [r.json()["name"] for r in p.received.of("radarr", method="POST", path="/api/v3/command")]
    assert sent == ["MoviesSearch"]


async def test_dry_run_sends_nothing_and_observe_only_records(lab: Lab) -> None:
    stalled_dune(lab.apps)
    lab.ops["policy"] = {"mode": "dry-run"}
    dry = await lab.submit(ActionKind.MEDIA_QUEUE_REMOVE, "radarr", DUNE, {"removeFromClient": True, "blocklist": True})
    assert dry.outcome is Outcome.DRY_RUN and dry.verification == "skipped: dry run" and dry.result and dry.result.startswith("would remove")
    lab.ops["policy"] = {"mode": "observe"}
    seen = await lab.submit(ActionKind.MEDIA_REANNOUNCE, "qbittorrent", DUNE)
    assert seen.outcome is Outcome.OBSERVED
    p = lab.apps.stack.pipeline
    assert p.received.of("radarr", method="DELETE") == [] and p.received.of("qbittorrent", path="/api/v2/torrents/reannounce") == []
    assert p.state.queue


async def test_approving_a_request_waits_for_an_operator_and_a_failed_request_is_retried(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    pending = p.create_request("movie", 545611, None, 2)
    parked = await lab.submit(ActionKind.MEDIA_REQUEST_APPROVE, "jellyseerr", EEAAO, why="pending approval for 30 min")
    assert parked.outcome is Outcome.PENDING and parked.setting == 'ops.policy.actions["media.request.approve"].requireApproval'
    await lab.engine.resolve(parked.action_id, approve=True, by="operator:alice")
    done = await lab.engine.wait(parked.action_id, 10)
    assert done.outcome is Outcome.APPLIED and done.verification == "passed" and p.state.requests[pending.id].status == 2
    failed = p.create_request("tv", 95396, [1], 2)
    failed.status = 4
    retried = await lab.submit(ActionKind.MEDIA_REQUEST_RETRY, "jellyseerr", SEVERANCE, why="Seerr request FAILED")
    assert retried.outcome is Outcome.APPLIED and retried.verification == "passed" and p.state.requests[failed.id].status == 2


async def test_a_blocked_import_is_scanned_and_refresh_and_library_refresh_run(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    p.faults.fail_import["Dune"] = 1
    p.create_request("movie", 438631, None, 1)
    lab.apps.step(400)
    assert any(q.state == "importBlocked" for q in p.state.queue.values())
    scanned = await lab.submit(ActionKind.MEDIA_SCAN, "radarr", DUNE, why="importBlocked x3")
    assert scanned.outcome is Outcome.APPLIED and scanned.verification == "passed", scanned.verification
    cmd = p.received.of("radarr", method="POST", path="/api/v3/command")[-1].json()
    assert cmd["name"] == "DownloadedMoviesScan" and cmd["downloadClientId"] and cmd["importMode"] == "auto"
    refreshed = await lab.submit(ActionKind.MEDIA_REFRESH, "radarr", DUNE)
    assert refreshed.outcome is Outcome.APPLIED and refreshed.verification == "passed"
    library = await lab.submit(ActionKind.MEDIA_LIBRARY_REFRESH, "jellyfin", DUNE)
    assert library.outcome is Outcome.APPLIED and library.verification == "passed", library.verification
    assert p.received.of("jellyfin", method="POST")[-1].query == {"tmdbId": "438631"}


async def test_a_bad_target_or_an_app_that_is_down_is_refused_with_the_reason(lab: Lab) -> None:
    bad = await lab.engine.submit(ActionRequest(ActionKind.MEDIA_SEARCH, MediaTarget("radarr", "dune"), Actor.agent("s"), "r", {}))
    assert bad.outcome is Outcome.REFUSED and bad.reason.startswith("invalid request: target: expected <app>/<item id>")
    flags = await lab.submit(ActionKind.MEDIA_QUEUE_REMOVE, "radarr", DUNE, {"blocklist": True})
    assert flags.reason == "invalid request: params.removeFromClient: Field required"
    await lab.apps.stack.servers["radarr"].stop()
    down = await lab.submit(ActionKind.MEDIA_SEARCH, "radarr", DUNE)
    assert down.outcome is Outcome.REFUSED and down.reason.startswith("could not read the media apps to check the rules: radarr: GET /movie: cannot reach")


async def test_declining_a_request_waits_for_an_operator_and_is_verified_declined(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    pending = p.create_request("movie", 545611, None, 2)
    parked = await lab.submit(ActionKind.MEDIA_REQUEST_DECLINE, "jellyseerr", EEAAO, why="declined from Slack")
    assert parked.outcome is Outcome.PENDING and parked.setting == 'ops.policy.actions["media.request.decline"].requireApproval'
    assert p.state.requests[pending.id].status == 1, "nothing is sent before the operator answers"
    await lab.engine.resolve(parked.action_id, approve=True, by="slack:UAPP")
    done = await lab.engine.wait(parked.action_id, 10)
    assert (done.outcome, done.verification) == (Outcome.APPLIED, "passed") and p.state.requests[pending.id].status == 3
    assert done.result == f"declined jellyseerr request {pending.id} for {EEAAO}" and done.details["requestId"] == pending.id
    assert p.received.of("jellyseerr", method="POST", path=f"/api/v1/request/{pending.id}/decline")
    # a second decline of the same item within the hour is refused by the rate limit before anything is read
    again = await lab.submit(ActionKind.MEDIA_REQUEST_DECLINE, "jellyseerr", EEAAO, why="a second decline")
    assert again.outcome is Outcome.REFUSED and again.setting == 'ops.policy.actions["media.request.decline"].maxPerObjectPerHour'
    # with the limits lifted, Seerr itself refuses an answered request (409): the action fails with that reason
    lab.ops["policy"] = {"actions": {"media.request.decline": {"maxPerObjectPerHour": 5}}, "media": {"itemCooldown": 0.001}}
    third = await lab.submit(ActionKind.MEDIA_REQUEST_DECLINE, "jellyseerr", EEAAO, why="a third decline")
    await lab.engine.resolve(third.action_id, approve=True, by="slack:UAPP")
    failed = await lab.engine.wait(third.action_id, 10)
    assert failed.outcome is Outcome.FAILED and "409" in str(failed.result) and p.state.requests[pending.id].status == 3


BLADE_RUNNER, RADIOHEAD = "movie:tmdb:335984", "music:mb:a74b1b7f-71a5-4011-9441-d0b5e4122711"


def failed_usenet(apps: Apps, retry_fails: bool = False) -> str:
    p = apps.stack.pipeline
    p.faults.add_usenet_failure("Blade Runner", 1, UsenetFailure("Unpacking failed, archive requires a password", retry_fails=retry_fails))
    p.create_request("movie", 335984, None, 1)
    for _ in range(200):
        apps.step(5, every=5)
        failed = [j.nzo_id for j in p.state.nzbs.values() if j.status == "Failed"]
        if failed:
            return failed[0]
    raise AssertionError("the NZB never failed")


async def test_sabnzbd_retry_is_audited_with_the_failed_job_and_verified_then_capped_per_item(lab: Lab) -> None:
    nzo_id = failed_usenet(lab.apps, retry_fails=True)
    retried = await lab.submit(ActionKind.MEDIA_DOWNLOAD_RETRY, "sabnzbd", BLADE_RUNNER, why="download-failed x3")
    assert retried.outcome is Outcome.APPLIED and retried.verification == "passed", (retried.reason, retried.verification)
    record = lab.engine.audit.get(retried.action_id)
    assert record is not None and record.details["nzoIds"] == [nzo_id]
    assert record.details["before"]["jobs"] == [{"nzoId": nzo_id, "status": "Failed", "where": "history",
                                                 "failMessage": "Unpacking failed, archive requires a password"}]
    assert len(record.details["newNzoIds"]) == 1 and record.details["newNzoIds"] != [nzo_id]
    assert all(j["status"] != "Failed" for j in record.details["after"]["jobs"])
    p = lab.apps.stack.pipeline
    assert [r.query["value"] for r in p.received.of("sabnzbd") if r.query.get("mode") == "retry"] == [nzo_id]
    for _ in range(100):  # the retry fails again; one retry per item per hour by default, so the ladder moves on
        lab.apps.step(5, every=5)
        if any(j.status == "Failed" for j in p.state.nzbs.values()):
            break
    again = await lab.submit(ActionKind.MEDIA_DOWNLOAD_RETRY, "sabnzbd", BLADE_RUNNER)
    assert again.outcome is Outcome.REFUSED and again.setting == 'ops.policy.actions["media.download.retry"].maxPerObjectPerHour', again.reason
    assert again.reason == f"rate limit: media.download.retry on sabnzbd/{BLADE_RUNNER} already ran 1 time(s) in the last hour (limit 1)"


async def test_a_retry_with_no_failed_job_fails_with_the_reason_and_a_dry_run_retry_sends_nothing(lab: Lab) -> None:
    stalled_dune(lab.apps)
    nothing = await lab.submit(ActionKind.MEDIA_DOWNLOAD_RETRY, "sabnzbd", DUNE)
    assert nothing.outcome is Outcome.FAILED and nothing.result == f"{DUNE} has no failed SABnzbd job to retry"
    failed_usenet(lab.apps)
    lab.ops["policy"] = {"mode": "dry-run"}
    dry = await lab.submit(ActionKind.MEDIA_DOWNLOAD_RETRY, "sabnzbd", BLADE_RUNNER)
    assert dry.outcome is Outcome.DRY_RUN and dry.result and dry.result.startswith("would retry")
    assert [r for r in lab.apps.stack.pipeline.received.of("sabnzbd") if r.query.get("mode") == "retry"] == []


async def test_plex_refresh_scans_the_items_folder_in_its_section_and_is_verified(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    p.faults.plex_missing["Dune"] = 1
    p.create_request("movie", 438631, None, 1)
    lab.apps.step(600, every=5)
    assert p.state.movies and not any("tmdb://438631" in i.guids for i in p.state.plex_items.values())
    refreshed = await lab.submit(ActionKind.MEDIA_LIBRARY_REFRESH, "plex", DUNE, why="not-in-library x10")
    assert refreshed.outcome is Outcome.APPLIED and refreshed.verification == "passed", (refreshed.reason, refreshed.verification)
    record = lab.engine.audit.get(refreshed.action_id)
    assert record is not None and record.details["server"] == "plex" and record.details["before"]["missingFrom"] == ["plex"]
    sent = [r for r in p.received.of("plex") if r.path.endswith("/refresh")]
    assert [(r.path, r.query) for r in sent] == [("/library/sections/1/refresh", {"path": "/movies/Dune (2021)"})]


async def test_a_lidarr_artist_is_scanned_and_searched_by_its_albums_and_seerr_kinds_refuse_music(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    p.faults.fail_import["OK Computer"] = 1
    p.add_artist(RADIOHEAD.rsplit(":", 1)[1])
    for _ in range(200):
        lab.apps.step(5, every=5)
        if any(q.state == "importBlocked" for q in p.state.queue.values()):
            break
    scanned = await lab.submit(ActionKind.MEDIA_SCAN, "lidarr", RADIOHEAD, why="importBlocked x3")
    assert scanned.outcome is Outcome.APPLIED and scanned.verification == "passed", (scanned.reason, scanned.verification)
    cmd = p.received.of("lidarr", method="POST", path="/api/v1/command")[-1].json()
    assert cmd["name"] == "DownloadedAlbumsScan" and cmd["path"].startswith("/downloads/") and cmd["importMode"] == "auto"
    nothing = await lab.submit(ActionKind.MEDIA_SEARCH, "lidarr", RADIOHEAD)
    assert nothing.outcome is Outcome.FAILED and "no missing monitored album to search for" in str(nothing.result)
    music = await lab.submit(ActionKind.MEDIA_REQUEST_RETRY, "jellyseerr", RADIOHEAD)
    assert music.outcome is Outcome.REFUSED and "expected a movie or tv item" in music.reason


async def test_seerr_scan_job_of_the_server_that_lists_it_marks_the_request_available_then_waits_its_cooldown(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    p.faults.seerr_sync_miss.add("Dune")
    request = p.create_request("movie", 438631, None, 1)
    lab.apps.step(900, every=5)
    assert any(i.provider_ids.get("Tmdb") == "438631" for i in p.state.items.values()) and request.media_status != 5
    scanned = await lab.submit(ActionKind.MEDIA_REQUEST_SCAN, "jellyseerr", DUNE, why="not-available-in-seerr x10")
    assert scanned.outcome is Outcome.APPLIED and scanned.verification == "passed", (scanned.reason, scanned.verification)
    assert (request.status, request.media_status) == (5, 5)
    record = lab.engine.audit.get(scanned.action_id)
    assert record is not None and record.details["job"] == "jellyfin-recently-added-scan" and record.details["before"]["request"]["status"] == 2
    assert [r.path for r in p.received.of("jellyseerr", method="POST")] == ["/api/v1/settings/jobs/jellyfin-recently-added-scan/run"]
    again = await lab.submit(ActionKind.MEDIA_REQUEST_SCAN, "jellyseerr", DUNE)
    assert again.outcome is Outcome.REFUSED and again.setting == "ops.policy.media.itemCooldown", (again.reason, again.setting)


async def test_a_seerr_scan_with_no_server_listing_the_item_fails_with_the_reason_and_music_is_refused(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    p.create_request("movie", 545611, None, 2)  # pending: nothing downloaded, no server lists it
    early = await lab.submit(ActionKind.MEDIA_REQUEST_SCAN, "jellyseerr", EEAAO)
    assert early.outcome is Outcome.FAILED and "no media server lists movie:tmdb:545611" in str(early.result), early.result
    music = await lab.submit(ActionKind.MEDIA_REQUEST_SCAN, "jellyseerr", RADIOHEAD)
    assert music.outcome is Outcome.REFUSED and "expected a movie or tv item" in music.reason
    assert not p.received.of("jellyseerr", method="POST")


async def test_the_seerr_scan_picks_the_job_of_the_server_that_lists_the_item_and_names_a_job_seerr_does_not_schedule(lab: Lab) -> None:
    p = lab.apps.stack.pipeline
    p.faults.seerr_sync_miss.add("Dune")
    p.create_request("movie", 438631, None, 1)
    lab.apps.step(900, every=5)
    # Only Plex configured: the Plex job is the one to run, and this Jellyfin-backed Jellyseerr does not schedule it.
    plex_only = from_config({}, {k: v for k, v in endpoints(lab.apps.stack).items() if k != "jellyfin"}, timeout_s=5)
    try:
        target = MediaTarget("jellyseerr", DUNE)
        with pytest.raises(ValueError, match="schedules no plex-recently-added-scan job .*jellyfin-recently-added-scan.*is its media server set"):
            await requests.scan(plex_only, target, approval=mint("act_p", "media.request.scan", target.key, dry_run=False))
    finally:
        await plex_only.aclose()
    assert not p.received.of("jellyseerr", method="POST")
