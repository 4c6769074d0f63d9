"""A smaller alert storm through real HTTP: concurrent 202s, then exactly the expected incidents."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import httpx
import pytest

from ingest_bodies import STORM_WORKLOADS, storm_phase
from openclaw.config import store as config_store
from openclaw.events import events_of
from openclaw.gateway.embedded import run_embedded
from openclaw.incidents import incidents_of, store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TOKEN = "storm-hook-token-0123456789"


async def test_http_storm_makes_exactly_the_expected_incidents(state_dir: Path) -> None:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    rng = random.Random(11)
    phases = [
        storm_phase(STORM_WORKLOADS, 6, "firing", rng),  # 20 x 5 x 6 = 600 alerts
        storm_phase(STORM_WORKLOADS[:8], 5, "resolved", rng),  # 8 x 5 x 5 = 200
        storm_phase(STORM_WORKLOADS[:3], 8, "firing", rng),  # 3 x 5 x 8 = 120
    ]
    async with run_embedded(state_dir) as gw, httpx.AsyncClient(base_url=gw.http_url, headers={"x-openclaw-token": TOKEN}, timeout=30) as client:
        events = events_of(gw.services)
        for bodies in phases:
            for start in range(0, len(bodies), 40):
                responses = await asyncio.gather(*(client.post("/hooks/alertmanager", json=b) for b in bodies[start : start + 40]))
                assert [r.status_code for r in responses] == [202] * len(responses)
            await events.processor.drain()
        incidents = await incidents_of(gw.services).list(limit=1000)
        by_status = {s: sorted(i.title.split(": media/")[1] for i in incidents if i.status == s) for s in ("firing", "resolved")}
        assert by_status["resolved"] == STORM_WORKLOADS[:8]
        assert by_status["firing"] == sorted(STORM_WORKLOADS[:3] + STORM_WORKLOADS[8:])
        total = await events.db.run(store.alert_notification_total)
        assert total == 920
