"""Retention: processed events older than events.retentionDays are pruned; nothing else is."""

from __future__ import annotations

import time
from pathlib import Path

from ingest_bodies import Pipeline


async def test_old_processed_events_are_pruned_and_recent_or_pending_ones_stay(tmp_path: Path) -> None:
    now = time.time()
    async with Pipeline(tmp_path / "events.db") as p:
        p.settings.events.retention_days = 30
        old = await p.events.store.append("wake", "now", '{"text": "old"}', received_at=now - 31 * 86400)
        p.events.processor.submit(old.id)
        pending_old = await p.events.store.append("wake", "now", '{"text": "old, never processed"}', received_at=now - 40 * 86400)
        recent = await p.post("wake", {"text": "recent"})
        await p.settle()
        removed = await p.events.prune(now=now)
        assert removed == 1
        assert await p.events.get(old.id) is None
        assert await p.events.get(pending_old.id) is not None
        assert await p.events.get(recent) is not None
