"""Alert storm: 10,000 alerts over 100 fingerprints with repeats and resolves -> exactly the expected incidents."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from ingest_bodies import STORM_ALERTNAMES, STORM_WORKLOADS, Pipeline, storm_phase
from openclaw.incidents import store


@pytest.mark.slow
async def test_alert_storm_makes_exactly_the_expected_incidents_and_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(7)
    phases = [
        storm_phase(STORM_WORKLOADS, 50, "firing", rng),  # 20 workloads x 5 alerts x 50 repeats = 5000
        storm_phase(STORM_WORKLOADS[:10], 40, "resolved", rng),  # 10 x 5 x 40 = 2000
        storm_phase(STORM_WORKLOADS[:5], 120, "firing", rng),  # 5 x 5 x 120 = 3000: fire again after resolution
    ]
    sent = sum(len(b["alerts"]) for bodies in phases for b in bodies)  # type: ignore[arg-type]
    assert sent == 10_000 and len({f"{w}:{n}" for w in STORM_WORKLOADS for n in STORM_ALERTNAMES}) == 100

    async with Pipeline(tmp_path / "events.db", journal_mode="WAL") as p:
        for bodies in phases:
            for start in range(0, len(bodies), 200):
                await asyncio.gather(*(p.post("alertmanager", b) for b in bodies[start : start + 200]))
            await p.settle()

        incidents = await p.incidents.list(limit=1000)
        firing = sorted(i.title.split(": media/")[1] for i in incidents if i.status == "firing")
        resolved = sorted(i.title.split(": media/")[1] for i in incidents if i.status == "resolved")
        assert len(incidents) == 25
        assert resolved == STORM_WORKLOADS[:10]  # one incident per workload, resolved when all five alerts were
        assert firing == sorted(STORM_WORKLOADS[:5] + STORM_WORKLOADS[10:])  # 10 never resolved + 5 fired again
        assert all(i.alert_count == 5 for i in incidents)

        totals = await p.db.run(lambda conn: (store.alert_notification_total(conn), conn.execute("SELECT COUNT(*) FROM events WHERE processed_at IS NULL OR error IS NOT NULL").fetchone()[0], conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]))
        assert totals == (10_000, 0, sum(len(b) for b in phases))  # every alert counted, every event processed
        opened = [n for n in p.notices if n.topic == "incident.opened"]
        assert len(opened) == 25

