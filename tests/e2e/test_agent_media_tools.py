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
