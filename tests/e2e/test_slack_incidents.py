"""Slack fed by a real gateway on the sandbox homelab: an incident's life is one message edited in
place with its timeline in the thread; a storm is one message; a Slack outage loses nothing and
holds up no runbook."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ops_lab import crash_current_pods, pin_fault_to_current_pods, run_lab
from slack_lab import configure, drained
from slack_servers import FakeSlack

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
    roots = fake_slack.roots()
    assert len(roots) == 1, [r.text for r in roots]
    root = roots[0]
    assert root.channel == "CINCIDENTS"
    assert root.edits >= 1, "the root was edited as the incident moved, not reposted"
    assert root.text.startswith("resolved:"), root.text
    assert fake_slack.methods().count("chat.update") >= 1
    thread = [m.text for m in fake_slack.thread(root)]
    assert any("workload.restart Deployment/media/sonarr" in t and "applied" in t and "passed" in t for t in thread), thread
    assert any("runbook crashloop" in t for t in thread), thread
