"""The tracker inside a real gateway: the sandbox's media apps send their webhooks and are polled;
`media.list` / `media.get` over the WebSocket show each request's stage, and a stalled download is
struck on consecutive checks from qBittorrent's own state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from openclaw.config import store as config_store
from openclaw.gateway.client import GatewayError
from openclaw.gateway.embedded import EmbeddedGateway, run_embedded
from openclaw.core.services import Services
from openclaw.incidents import incidents_of
from openclaw.ops.clock import CLOCK
from openclaw.media.capability import MEDIA_ENDPOINTS, media_of
from openclaw.sandbox.embedded import media_endpoints
from openclaw.policy.capability import policy_of
from openclaw.runbooks.capability import runbooks_of
from openclaw.sandbox.media.faults import UsenetFailure
from openclaw.sandbox.runtime import Sandbox, SandboxOptions

pytestmark = pytest.mark.e2e

TOKEN = "media-tracker-hooks-0123456789abcdef"


@pytest.fixture
async def stack(state_dir: Path, request: pytest.FixtureRequest) -> AsyncIterator[tuple[EmbeddedGateway, Sandbox]]:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    for key, value in getattr(request, "param", {}).items():
        config_store.set_value(state_dir, key, value)
    # Polled by hand in the test (one cycle per call), so strikes are counted deterministically.
    config_store.set_value(state_dir, "media.pollInterval", "1h")
    box = Sandbox(SandboxOptions(speed=300))
    await box.start()
    try:
        def offer(services: Services) -> None:
            services.put(MEDIA_ENDPOINTS, media_endpoints(box))
            services.put(CLOCK, box.clock)  # verification waits in simulated seconds

        async with run_embedded(state_dir, install=[offer]) as gw:
            box.send_webhooks_to(f"{gw.http_url}/hooks", TOKEN)
            yield gw, box
    finally:
        await box.stop()


async def until(check: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached before the deadline")


TRACK_ONLY = {"media.fixesEnabled": False}  # strikes pile up with no fix resetting them


@pytest.mark.parametrize("stack", [TRACK_ONLY], indirect=True)
async def test_a_request_is_tracked_to_available_and_a_stalled_one_is_struck(stack: tuple[EmbeddedGateway, Sandbox]) -> None:
    gw, box = stack
    media = media_of(gw.services)
    pipeline = box.media.pipeline
    pipeline.faults.stall["Dune"] = 1
    pipeline.create_request("movie", 438631, None, 1)  # Dune: stalls
    pipeline.create_request("movie", 545611, None, 2)  # by a user who needs approval
    pipeline.create_request("tv", 95396, [1], 1)  # Severance S1: flows through

    async with gw.client() as ws:
        async def stage_of(item_id: str) -> str | None:
            await media.poll_once()
            listed = await ws.call("media.list", {})
            return next((i["stage"] for i in listed["items"] if i["id"] == item_id), None)

        await until(lambda: _is(stage_of("tv:tvdb:371980"), "available"), timeout=60)
        dune = await ws.call("media.get", {"id": "movie:tmdb:438631"})
        assert dune["stage"] in ("grabbed", "downloading") and dune["download"]["state"] == "stalledDL"
        assert dune["downloadId"] == dune["downloadId"].upper() and dune["ids"]["tmdb"] == 438631 and dune["app"] == "radarr"
        for _ in range(3):
            await media.poll_once()
        dune = await ws.call("media.get", {"id": "movie:tmdb:438631"})
        assert dune["stuck"] is True and dune["stuckReason"] == "stalled" and dune["strikes"]["stalled"] >= 3
        assert "stalledDL" in dune["stuckDetail"]
        assert [e["type"] for e in dune["timeline"]][:2] == ["MEDIA_AUTO_APPROVED", "Grab"]
        stuck = await ws.call("media.list", {"stuck": True})
        # With a check an hour apart, three checks outlast media.pendingApprovalAfter (30 min): both are stuck.
        assert sorted(i["id"] for i in stuck["items"]) == ["movie:tmdb:438631", "movie:tmdb:545611"]
        listed = await ws.call("media.list", {})
        assert listed["counts"]["available"] >= 1 and listed["apps"]["qbittorrent"]["ok"] is True
        arrival = next(i for i in listed["items"] if i["id"] == "movie:tmdb:545611")
        assert arrival["stage"] == "requested" and arrival["stuckReason"] == "pending-approval" and arrival["stuck"] is True
        with pytest.raises(GatewayError, match="stuck: expected true or false"):
            await ws.call("media.list", {"stuck": "yes"})
        with pytest.raises(GatewayError, match="no tracked media item"):
            await ws.call("media.get", {"id": "movie:tmdb:1"})


@pytest.mark.parametrize("stack", [TRACK_ONLY], indirect=True)
async def test_a_download_client_that_is_down_strikes_nothing(stack: tuple[EmbeddedGateway, Sandbox]) -> None:
    gw, box = stack
    media = media_of(gw.services)
    pipeline = box.media.pipeline
    pipeline.faults.stall["Dune"] = 1
    pipeline.create_request("movie", 438631, None, 1)

    async def grabbed() -> bool:
        await media.poll_once()
        item = await media.item("movie:tmdb:438631")
        return item is not None and item.download_id is not None and item.strikes.get("stalled", 0) >= 1

    await until(grabbed)
    before = await media.item("movie:tmdb:438631")
    await box.media.servers["qbittorrent"].stop()
    for _ in range(4):
        await media.poll_once()
    after = await media.item("movie:tmdb:438631")
    assert before is not None and after is not None and after.strikes == before.strikes and after.stage == before.stage
    status = media.poller.apps["qbittorrent"] if media.poller else None
    assert status is not None and status.ok is False and "qbittorrent: " in str(status.error) and "cannot reach" in str(status.error)


@pytest.mark.parametrize("stack", [TRACK_ONLY], indirect=True)
async def test_a_failed_sabnzbd_job_strikes_download_failed_and_sabnzbd_down_strikes_nothing(stack: tuple[EmbeddedGateway, Sandbox]) -> None:
    gw, box = stack
    media = media_of(gw.services)
    pipeline = box.media.pipeline
    pipeline.faults.add_usenet_failure("Blade Runner", 1, UsenetFailure("Repair failed, not enough repair blocks (40 short)"))
    pipeline.create_request("movie", 335984, None, 1)

    async def failed() -> bool:
        await media.poll_once()
        item = await media.item("movie:tmdb:335984")
        return item is not None and item.stuck_reason == "download-failed"

    await until(failed, 60)
    before = await media.item("movie:tmdb:335984")
    assert before is not None and before.download_id and before.download_id.upper().startswith("SABNZBD_NZO_")
    assert before.stuck_detail == f"SABnzbd job {before.state['download']['id']} failed: Repair failed, not enough repair blocks (40 short)"
    await box.media.servers["sabnzbd"].stop()
    await box.media.servers["plex"].stop()
    for _ in range(3):
        await media.poll_once()
    after = await media.item("movie:tmdb:335984")
    assert after is not None and (after.strikes, after.stage, after.download_id) == (before.strikes, before.stage, before.download_id)
    assert media.poller is not None and "sabnzbd: " in str(media.poller.apps["sabnzbd"].error) and media.poller.apps["plex"].ok is False
    # With Plex down, what Jellyfin lists stays in library: a server that does not answer misses nothing.
    assert not [i for i in await media.items() if i.stuck_reason == "not-in-library"]


async def test_sabnzbd_out_of_disk_is_escalated_with_no_fix_tried(stack: tuple[EmbeddedGateway, Sandbox]) -> None:
    gw, box = stack
    media, runner = media_of(gw.services), runbooks_of(gw.services)
    box.media.pipeline.faults.add_usenet_failure("Blade Runner", 1, UsenetFailure("Unpacking failed, write error or disk is full?"))
    box.media.pipeline.create_request("movie", 335984, None, 1)

    async def escalated() -> list[dict[str, Any]]:
        await media.poll_once()
        await media.idle()
        return [e for e in await runner.escalations.list() if e["alertname"] == "MediaItemStuck"]

    told = await until(escalated, 60)
    evidence = told[0]["report"]["evidence"]
    assert evidence["item"]["stuckReason"] == "disk-full" and "free space on the download volume" in evidence["item"]["stuckDetail"]
    assert told[0]["report"]["actions"] == [] and told[0]["routedTo"] in ("agent", "operator")
    assert [a for a in policy_of(gw.services).audit.list() if a.kind.on_media] == []


async def _is(value: Awaitable[Any], want: Any) -> bool:
    return (await value) == want


async def test_media_fix_runs_the_next_rung_through_policy_as_the_operator(stack: tuple[EmbeddedGateway, Sandbox]) -> None:
    gw, box = stack
    media = media_of(gw.services)
    pipeline = box.media.pipeline
    pipeline.faults.stall["Dune"] = 1
    pipeline.create_request("movie", 438631, None, 1)
    pipeline.create_request("movie", 329865, None, 1)  # Arrival: already in the library, nothing to fix

    async def struck_once() -> bool:
        await media.poll_once()
        item = await media.item("movie:tmdb:438631")
        return item is not None and item.strikes.get("stalled", 0) >= 1

    await until(struck_once)
    async with gw.client() as ws:
        fixed = await ws.call("media.fix", {"id": "movie:tmdb:438631"}, timeout=60)
        kinds = [d["kind"] for d in fixed["decisions"]]
        assert kinds == ["media.download.reannounce"] and all(d["actor"].startswith("operator:") for d in fixed["decisions"])
        assert fixed["item"]["ladder"][0] == "media.download.reannounce" and fixed["item"]["incident"]
        detail = await ws.call("media.get", {"id": "movie:tmdb:438631"})
        assert [a["kind"] for a in detail["actions"]][-1] == "media.download.reannounce"
        calm = await ws.call("media.fix", {"id": "movie:tmdb:329865"})
        assert calm["decisions"] == [] and "is not stuck" in calm["message"]
        with pytest.raises(GatewayError, match="no tracked media item"):
            await ws.call("media.fix", {"id": "movie:tmdb:1"})
        for bad in (0, "all", True, 99):
            with pytest.raises(GatewayError, match="rungs: expected a whole number from 1 to 20"):
                await ws.call("media.fix", {"id": "movie:tmdb:438631", "rungs": bad})
    incident = await incidents_of(gw.services).detail(fixed["item"]["incident"])
    assert incident is not None and incident["kind"] == "media" and any(n["kind"] == "finding" for n in incident["notes"])


@pytest.mark.parametrize("stack", [TRACK_ONLY], indirect=True)
async def test_a_failed_download_no_webhook_reports_is_polled_from_history_once(stack: tuple[EmbeddedGateway, Sandbox]) -> None:
    gw, box = stack
    media = media_of(gw.services)
    pipeline = box.media.pipeline
    pipeline.faults.stall["Dune"] = 1
    pipeline.create_request("movie", 438631, None, 1)

    async def grabbed() -> bool:
        await media.poll_once()
        item = await media.item("movie:tmdb:438631")
        return item is not None and item.download_id is not None

    await until(grabbed)
    before = await media.item("movie:tmdb:438631")
    assert before is not None
    # Radarr's own failed-download handling: marked failed, blocklisted, no re-search; it sends no webhook for it.
    queued = next(q for q in pipeline.state.queue.values() if q.app == "radarr")
    pipeline.remove_from_queue("radarr", queued.id, remove_from_client=True, blocklist=True, skip_redownload=True)
    for _ in range(2):
        await media.poll_once()
    after = await media.item("movie:tmdb:438631")
    assert after is not None and after.stage.value == "searching" and after.download_id is None
    failed = [e for e in await media.timeline("movie:tmdb:438631") if e["type"] == "downloadFailed"]
    assert len(failed) == 1 and failed[0]["source"] == "radarr" and failed[0]["downloadId"] == before.download_id
    assert "Manually marked as failed" in failed[0]["summary"]
