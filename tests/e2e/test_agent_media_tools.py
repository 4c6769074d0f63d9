"""The agent's media tools in a real gateway tracking the sandbox's media apps, driven by a scripted
model on loopback: it lists the stuck items, reads one with its timeline, and asks for a fix; the fix
goes through policy and lands in the audit log with the agent as its actor. Fixes by the runbook
are off (`media.fixesEnabled: false`) so the only actions are the agent's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from agent_gateway_fixture import agent_stack, eventually, say
from agent_model_servers import forbid_real_model_requests

from openclaw.media.capability import media_of
from openclaw.policy.capability import policy_of
from openclaw.sandbox.media.faults import UsenetFailure

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DUNE = "movie:tmdb:438631"
REASON = "qBittorrent shows the torrent stalled with no peers for three checks"


@pytest.fixture(autouse=True)
def _guard(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_real_model_requests(monkeypatch)


def results(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["tool_use_id"]: json.loads(b["content"]) for b in body["messages"][-1]["content"] if b["type"] == "tool_result"}


def calls(*items: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "id": i, "name": n, "input": a} for i, n, a in items], "stop_reason": "tool_use"}


async def test_agent_reads_the_pipeline_and_fixes_a_stalled_download_through_policy(state_dir: Path) -> None:
    seen: dict[str, dict[str, Any]] = {}

    def fix(body: dict[str, Any]) -> dict[str, Any]:
        seen.update(results(body))
        return calls(("reannounce", "reannounce_download", {"item_id": DUNE, "reason": REASON}),
                     ("bad-id", "search_media", {"item_id": "dune", "reason": "x"}))

    def finish(body: dict[str, Any]) -> dict[str, Any]:
        seen.update(results(body))
        return say("reannounced Dune")

    first = calls(("stuck", "list_media", {"stuck": True}),
                  ("dune", "get_media_item", {"item_id": DUNE}),
                  ("missing", "get_media_item", {"item_id": "movie:tmdb:1"}))
    extra = {"media": {"pollInterval": "1h", "fixesEnabled": False}}
    async with agent_stack(state_dir, [first, fix, finish], extra=extra, media=True, speed=300) as stack:
        media = media_of(stack.gateway.services)
        stack.sandbox.media.pipeline.faults.stall["Dune"] = 1
        stack.sandbox.media.pipeline.create_request("movie", 438631, None, 1)

        async def stuck() -> bool:
            await media.poll_once()
            return any(i.id == DUNE for i in await media.items(stuck=True))

        await eventually(stuck, timeout=60, what="Dune stuck on a stalled download")
        async with stack.gateway.client() as client:
            ack = await client.call("chat.send", {"message": "is anything stuck in the media pipeline?"})
            while True:
                frame = await client.next_event("chat", timeout=60)
                if frame["payload"]["runId"] == ack["runId"] and frame["payload"]["state"] in ("final", "error"):
                    break
        assert frame["payload"]["state"] == "final", frame["payload"]
        actions = [a.to_json() for a in policy_of(stack.gateway.services).audit.list()]

    listed = seen["stuck"]["data"]
    assert [i["id"] for i in listed["items"]] == [DUNE] and listed["items"][0]["stuckReason"] == "stalled"
    assert listed["counts"] and listed["apps"]["qbittorrent"]["ok"] is True
    assert "untrusted" in listed["items"][0]["title"].lower()  # a title comes from outside: marked as data
    dune = seen["dune"]["data"]
    assert dune["download"]["state"] == "stalledDL" and "Grab" in dune["timeline"] and dune["actions"] == []
    assert seen["missing"]["status"] == "error" and "no tracked media item 'movie:tmdb:1'" in seen["missing"]["error"]

    fixed = seen["reannounce"]
    assert fixed["status"] == "success", fixed
    assert fixed["data"]["action"] == "media.download.reannounce" and fixed["data"]["outcome"] == "applied"
    assert fixed["data"]["target"] == f"qbittorrent/{DUNE}"
    assert seen["bad-id"]["status"] == "error" and "item_id: expected a media item id" in seen["bad-id"]["error"]

    # Audited: the one action is the agent's, with its reason, and nothing else changed anything.
    assert [(a["kind"], a["target"], a["actor"], a["reason"], a["outcome"]) for a in actions] == [
        ("media.download.reannounce", f"qbittorrent/{DUNE}", "agent:main", REASON, "applied")]
    assert actions[0]["id"] == fixed["data"]["actionId"]


async def test_agent_retries_a_failed_sabnzbd_job_through_policy(state_dir: Path) -> None:
    seen: dict[str, dict[str, Any]] = {}
    blade_runner = "movie:tmdb:335984"
    why = "SABnzbd failed to unpack it: the archive needs a password"

    def retry(body: dict[str, Any]) -> dict[str, Any]:
        seen.update(results(body))
        return calls(("retry", "retry_download", {"item_id": blade_runner, "reason": why}))

    def finish(body: dict[str, Any]) -> dict[str, Any]:
        seen.update(results(body))
        return say("retried Blade Runner in SABnzbd")

    first = calls(("item", "get_media_item", {"item_id": blade_runner}))
    extra = {"media": {"pollInterval": "1h", "fixesEnabled": False}}
    async with agent_stack(state_dir, [first, retry, finish], extra=extra, media=True, speed=300) as stack:
        media = media_of(stack.gateway.services)
        pipeline = stack.sandbox.media.pipeline
        pipeline.faults.add_usenet_failure("Blade Runner", 1, UsenetFailure("Unpacking failed, archive requires a password"))
        pipeline.create_request("movie", 335984, None, 1)

        async def failed() -> bool:
            await media.poll_once()
            return any(i.id == blade_runner and i.stuck_reason == "download-failed" for i in await media.items())

        await eventually(failed, timeout=60, what="Blade Runner's SABnzbd job failed")
        async with stack.gateway.client() as client:
            ack = await client.call("chat.send", {"message": "why is Blade Runner not downloading?"})
            while True:
                frame = await client.next_event("chat", timeout=60)
                if frame["payload"]["runId"] == ack["runId"] and frame["payload"]["state"] in ("final", "error"):
                    break
        assert frame["payload"]["state"] == "final", frame["payload"]
        actions = [a.to_json() for a in policy_of(stack.gateway.services).audit.list()]
        retried = [r.query for r in pipeline.received.of("sabnzbd") if r.query.get("mode") == "retry"]

    item = seen["item"]["data"]
    assert item["stuckReason"] == "download-failed" and "archive requires a password" in item["stuckDetail"]
    assert item["download"]["client"] == "sabnzbd" and item["download"]["state"] == "Failed"
    fixed = seen["retry"]
    assert fixed["status"] == "success" and fixed["data"]["target"] == f"sabnzbd/{blade_runner}", fixed
    assert fixed["data"]["action"] == "media.download.retry" and fixed["data"]["outcome"] == "applied"
    assert [(a["kind"], a["actor"], a["reason"]) for a in actions] == [("media.download.retry", "agent:main", why)]
    assert [q["value"] for q in retried] == [item["downloadId"]]
