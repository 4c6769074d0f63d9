"""Every shipped scenario's faults reach a real gateway as the alerts and webhooks it expects.

Each scenario runs on a fresh sandbox at x2000 simulated speed, posting to an embedded gateway on
a loopback port; the assertions read the gateway's durable event store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from openclaw.config import store as config_store
from openclaw.events import events_of
from openclaw.gateway.embedded import EmbeddedGateway, run_embedded
from openclaw.sandbox import scenario as scenarios
from openclaw.sandbox.runtime import Sandbox, SandboxOptions

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SHIPPED = scenarios.discover(REPO / "scenarios")


def one_per_fault_type(paths: list[Path]) -> list[Path]:
    """The first scenario of each fault type, and every one that expects webhooks: each fault reaches
    the gateway, without replaying all the shipped scenarios (`openclaw eval` runs them all)."""
    chosen: list[Path] = []
    seen: set[str] = set()
    for path in paths:
        loaded = scenarios.load(path)
        kinds = {f.type for f in loaded.faults}
        if max((a.within for a in loaded.expect.alerts), default=0) > 3 * 3600:
            continue  # half a simulated day: test_sandbox_fault_types covers it faster
        if kinds - seen or loaded.expect.webhooks:
            chosen.append(path)
            seen |= kinds
    return chosen


REPRESENTATIVE = one_per_fault_type(SHIPPED)
TOKEN = "sandbox-hooks-0123456789abcdef"


@pytest.fixture
async def gateway(state_dir: Path) -> AsyncIterator[EmbeddedGateway]:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    async with run_embedded(state_dir) as gw:
        yield gw


def test_at_least_forty_scenarios_ship_and_cover_every_fault_type() -> None:
    loaded = [scenarios.load(p) for p in SHIPPED]
    assert len(loaded) >= 40
    kinds = {f.type for s in loaded for f in s.faults}
    assert set(scenarios.FAULT_TYPES) <= kinds
    crash = [f for s in loaded for f in s.faults if f.type == "crashloop"]
    assert {f.fixed_by_restart for f in crash} == {True, False}
    assert any(f.type == "request" and f.user == "family" for s in loaded for f in s.faults)


@pytest.mark.parametrize("path", REPRESENTATIVE, ids=lambda p: p.stem)
async def test_scenario_faults_reach_the_gateway_as_the_expected_events(gateway: EmbeddedGateway, path: Path) -> None:
    scenario = scenarios.load(path)
    box = Sandbox(SandboxOptions(speed=2000))
    await box.start()
    box.send_webhooks_to(f"{gateway.http_url}/hooks", TOKEN)
    try:
        result = await scenarios.play(box, scenario)
        assert result.expectations.ok, result.expectations.problems
        await box.drain()
    finally:
        await box.stop()
    events = events_of(gateway.services)
    alert_bodies = [e.data() for e in await events.recent(source="alertmanager", limit=1000)]
    for expected in scenario.expect.alerts:
        assert any(scenarios.alert_matches(expected, body) for body in alert_bodies), expected
    for hook in scenario.expect.webhooks:
        assert await events.recent(source=hook.app, type=hook.event, limit=1), hook
    assert box.alerts.deliveries and all(code == 202 for code in box.alerts.deliveries)
    assert all(d.status == 202 for d in box.media.pipeline.sender.deliveries)
