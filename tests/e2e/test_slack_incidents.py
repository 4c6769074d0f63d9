"""Slack fed by a real gateway on the sandbox homelab: an incident's life is one message edited in
place with its timeline in the thread; a storm is one message; a Slack outage loses nothing and
holds up no runbook."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ops_lab import crash_current_pods, pin_fault_to_current_pods, run_lab
from slack_lab import OPERATOR, configure, drained, until
from slack_servers import FakeSlack, block_action

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TRANSIENT = "dial tcp 10.43.12.7:5432: connect: connection refused"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def test_an_incident_life_is_one_message_updated_in_place_with_its_timeline_in_the_thread(state_dir: Path, fake_slack: FakeSlack) -> None:
    configure(state_dir, fake_slack)
    async with run_lab(state_dir) as lab:
        fault = crash_current_pods(lab, "media", "sonarr", TRANSIENT, fixed_by_restart=True)
        await lab.step(5)
        pin_fault_to_current_pods(lab, fault, "media", "sonarr")

        async def resolved() -> bool:
            statuses = await lab.incident_statuses()
            return bool(statuses) and all(s == "resolved" for s in statuses.values()) and any(a.kind == "workload.restart" for a in lab.actions())

        await lab.run_until(resolved)
        await drained(lab.gw.services)
        # Mute from the root's button: a stranger is refused, an allowed user mutes
        muted = fake_slack.roots()[0]
        group = muted.buttons()["mute"]
        await fake_slack.send("interactive", block_action("USTRANGER", "mute", group, channel=muted.channel, ts=muted.ts))
        await fake_slack.send("interactive", block_action(OPERATOR, "mute", group, channel=muted.channel, ts=muted.ts))
        await until(lambda: "unmute" in muted.buttons(), what="the root to show it is muted")
        assert any("allowedUsers" in e["text"] and e["user"] == "USTRANGER" for e in fake_slack.ephemerals)
        await drained(lab.gw.services)
    roots = fake_slack.roots()
    assert len(roots) == 1, [r.text for r in roots]
    root = roots[0]
    assert f"muted by <@{OPERATOR}>" in str(root.blocks)
    assert root.channel == "CINCIDENTS"
    assert root.edits >= 1, "the root was edited as the incident moved, not reposted"
    assert root.text.startswith("resolved:"), root.text
    assert fake_slack.methods().count("chat.update") >= 1
    thread = [m.text for m in fake_slack.thread(root)]
    assert any("workload.restart Deployment/media/sonarr" in t and "applied" in t and "passed" in t for t in thread), thread
    assert any("runbook crashloop" in t for t in thread), thread


async def test_a_300_alert_storm_is_one_message(state_dir: Path, fake_slack: FakeSlack) -> None:
    import asyncio
    import random

    import httpx
    from ingest_bodies import STORM_WORKLOADS, storm_phase

    from openclaw.config import store as config_store
    from openclaw.events import events_of
    from openclaw.gateway.embedded import run_embedded

    token = "storm-hook-token-0123456789"
    config_store.set_value(state_dir, "hooks.token", token)
    configure(state_dir, fake_slack, channels={"default": "CINCIDENTS"})  # one channel: severity routing is tested on its own
    bodies = storm_phase(STORM_WORKLOADS, 3, "firing", random.Random(5))  # 20 workloads x 5 alerts x 3 = 300 alerts
    assert sum(len(b["alerts"]) for b in bodies) == 300  # type: ignore[arg-type]
    async with run_embedded(state_dir) as gw, httpx.AsyncClient(base_url=gw.http_url, headers={"x-openclaw-token": token}, timeout=30) as client:
        for start in range(0, len(bodies), 20):
            responses = await asyncio.gather(*(client.post("/hooks/alertmanager", json=b) for b in bodies[start : start + 20]))
            assert {r.status_code for r in responses} == {202}
        await events_of(gw.services).processor.drain()
        await asyncio.sleep(0.5)  # the feed reads the last notices
        await drained(gw.services)
    roots = fake_slack.roots()
    assert len(roots) == 1, [r.text for r in roots]
    assert "20 incidents" in roots[0].text or "+19 more" in roots[0].text, roots[0].text
    posts = [a for m, a in fake_slack.calls if m == "chat.postMessage" and not a.get("thread_ts")]
    assert len(posts) == 1
    assert roots[0].edits < 60, f"{roots[0].edits} edits: changes were not coalesced"


async def test_a_slack_outage_loses_no_message_and_holds_up_no_runbook_even_across_a_restart(state_dir: Path, fake_slack: FakeSlack) -> None:
    from openclaw.gateway.embedded import run_embedded
    from openclaw.incidents import incidents_of
    from openclaw.slack import slack_of

    configure(state_dir, fake_slack)
    await fake_slack.go_down()
    async with run_lab(state_dir) as lab:
        fault = crash_current_pods(lab, "media", "sonarr", TRANSIENT, fixed_by_restart=True)
        await lab.step(5)
        pin_fault_to_current_pods(lab, fault, "media", "sonarr")

        async def restarted() -> bool:
            return any(a.kind == "workload.restart" and a.verification == "passed" for a in lab.actions())

        await lab.run_until(restarted)
        action = next(a for a in lab.actions() if a.kind == "workload.restart")
        incident = await incidents_of(lab.gw.services).get(str(action.incident))
        assert incident is not None
        # the runbook acted as soon as the incident opened: nothing in its path waited for Slack
        assert action.created_at - incident.opened_at < 5.0, (incident.opened_at, action.created_at)

        async def resolved() -> bool:
            statuses = await lab.incident_statuses()
            return bool(statuses) and all(s == "resolved" for s in statuses.values())

        await lab.run_until(resolved)
        slack = slack_of(lab.gw.services)
        queued = slack.outbox.count()
        assert queued >= 3, "the root and the timeline wait in the outbox"
        assert slack.sender.state.last_error and "unreachable" in slack.sender.state.last_error
    assert fake_slack.messages == []
    await fake_slack.come_back()
    async with run_embedded(state_dir) as gw:  # a restart: what was queued is still there
        await drained(gw.services)
    roots = fake_slack.roots()
    assert len(roots) == 1 and roots[0].text.startswith("resolved:"), [r.text for r in roots]
    thread = [m.text for m in fake_slack.thread(roots[0])]
    assert any("workload.restart Deployment/media/sonarr" in t for t in thread), thread
    assert any("runbook crashloop" in t for t in thread), thread


async def test_a_media_request_is_one_message_from_waiting_for_approval_to_available(state_dir: Path, fake_slack: FakeSlack) -> None:
    import json

    import httpx
    from ingest_bodies import DATA

    from openclaw.config import store as config_store
    from openclaw.events import events_of
    from openclaw.gateway.embedded import run_embedded

    token = "media-hook-token-0123456789"
    config_store.set_value(state_dir, "hooks.token", token)
    configure(state_dir, fake_slack, channels={"default": "CINCIDENTS", "media": "CDEFAULT"})
    async with run_embedded(state_dir) as gw, httpx.AsyncClient(base_url=gw.http_url, headers={"x-openclaw-token": token}) as client:
        for name in ("MEDIA_PENDING", "MEDIA_APPROVED", "MEDIA_AVAILABLE"):
            body = json.loads((DATA / "webhooks" / "seerr" / f"{name}.json").read_text())
            assert (await client.post("/hooks/seerr", json=body)).status_code == 202
            await events_of(gw.services).processor.drain()
            await drained(gw.services)
        renamed = json.loads((DATA / "webhooks" / "radarr" / "Rename.json").read_text())
        assert (await client.post("/hooks/radarr", json=renamed)).status_code == 202  # not worth a message
        await events_of(gw.services).processor.drain()
        await drained(gw.services)
    roots = fake_slack.roots("CDEFAULT")
    assert len(roots) == 1 and fake_slack.roots() == roots, [m.text for m in fake_slack.messages]
    assert roots[0].text.startswith("available:") and roots[0].edits >= 1
    assert [m.text.split(": ", 1)[1].split(" · ")[0] for m in fake_slack.thread(roots[0])] == ["approved", "available"]
