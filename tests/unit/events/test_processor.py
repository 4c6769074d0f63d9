"""Processing: exactly once per event id, recovery after a restart, poison events do not block."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ingest_bodies import Pipeline
from openclaw.core.notices import Notice
from openclaw.core.topics import Topic
from openclaw.events.processor import Processing
from openclaw.events.store import get_event


async def test_an_event_is_processed_once_even_when_submitted_twice(tmp_path: Path) -> None:
    seen: list[str] = []
    async with Pipeline(tmp_path / "events.db") as p:

        def count(conn: sqlite3.Connection, work: Processing) -> list[Notice]:
            seen.append(work.event.id)
            return []

        p.events.register("wake", count)
        event_id = await p.post("wake", {"text": "hello"})
        await p.settle()
        p.events.processor.submit(event_id)
        await p.settle()
    assert seen == [event_id]


async def test_stored_but_unprocessed_events_are_processed_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    seen: list[str] = []
    first = Pipeline(path)
    await first.events.open()  # open without running the processor: events stay unprocessed, as after a crash
    ids = [await first.post("wake", {"text": f"n{i}"}) for i in range(5)]
    await first.events.close()

    second = Pipeline(path)
    second.events.register("wake", lambda conn, work: seen.append(work.event.id) or [])
    async with second:
        await second.settle()
        assert seen == ids
        stored = await second.events.get(ids[0])
        assert stored is not None and stored.processed_at is not None

    third = Pipeline(path)
    third.events.register("wake", lambda conn, work: seen.append(work.event.id) or [])
    async with third:
        await third.settle()
    assert seen == ids  # nothing processed twice across restarts


async def test_a_poison_event_is_marked_failed_and_the_next_one_is_processed(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "events.db") as p:
        bad = await p.events.store.append("wake", "now", json.dumps({"mode": "now"}))  # no text: fails re-validation
        p.events.processor.submit(bad.id)
        good = await p.post("wake", {"text": "fine"})
        await p.settle()
        rows = await p.db.run(lambda conn: (get_event(conn, bad.id), get_event(conn, good)))
        assert rows[0] is not None and rows[0].processed_at is not None and "ValidationError" in (rows[0].error or "")
        assert rows[1] is not None and rows[1].processed_at is not None and rows[1].error is None
        assert p.events.processor.failed == 1


async def test_handler_effects_roll_back_with_a_failing_event(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "events.db") as p:
        def half_then_fail(conn: sqlite3.Connection, work: Processing) -> list[Notice]:
            conn.execute("CREATE TABLE IF NOT EXISTS effects (id TEXT)")
            conn.execute("INSERT INTO effects VALUES (?)", (work.event.id,))
            if "fail" in work.event.payload:
                raise RuntimeError("handler failed half way")
            return [Notice(Topic.MEDIA_EVENT, {"id": work.event.id})]

        p.events.register("wake", half_then_fail)
        ok = await p.post("wake", {"text": "fine"})
        await p.post("wake", {"text": "fail"})
        await p.settle()
        effects = await p.db.run(lambda conn: [r[0] for r in conn.execute("SELECT id FROM effects")])
        assert effects == [ok]
        assert [n.topic for n in p.notices] == [Topic.MEDIA_EVENT]
