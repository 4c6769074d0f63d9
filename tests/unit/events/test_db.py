"""The writer: group commit, per-job rollback, shared multi-row inserts, durability before the caller resumes."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from pathlib import Path

import pytest

from openclaw.errors import StateError
from openclaw.events.db import INSERT_SIZES, Database, _Rows, connect_readonly
from openclaw.events.store import EVENT_COLUMNS, SCHEMA, EventStore, new_event_id


@pytest.fixture
async def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    database = Database(tmp_path / "events.db", journal_mode="WAL")
    store = EventStore(database)
    await database.open()
    yield database, store
    await database.close()


async def test_concurrent_writes_share_commits_and_all_land(db) -> None:  # type: ignore[no-untyped-def]
    database, store = db
    events = await asyncio.gather(*(store.append("alertmanager", "firing", '{"n": %d}' % i) for i in range(300)))
    assert len({e.id for e in events}) == 300
    assert database.commits < 300  # group commit: many requests per transaction
    conn = connect_readonly(database.path)
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 300
    conn.close()


async def test_a_write_is_visible_to_another_connection_when_the_caller_resumes(db) -> None:  # type: ignore[no-untyped-def]
    database, store = db
    event = await store.append("wake", "now", '{"text": "hi"}')
    other = sqlite3.connect(database.path)
    assert other.execute("SELECT source, type FROM events WHERE id = ?", (event.id,)).fetchone() == ("wake", "now")
    other.close()


async def test_a_failing_job_rolls_back_only_itself(db) -> None:  # type: ignore[no-untyped-def]
    database, store = db

    def bad(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO events (id, source, type, received_at, payload) VALUES ('x', 's', 't', 0, '{}')")
        raise ValueError("boom")

    results = await asyncio.gather(database.run(bad), store.append("wake", "now", "{}"), return_exceptions=True)
    assert isinstance(results[0], ValueError)
    assert await store.get("x") is None
    assert await store.count() == 1


async def test_running_on_a_closed_database_is_a_state_error(tmp_path: Path) -> None:
    database = Database(tmp_path / "e.db")
    with pytest.raises(StateError):
        await database.run(lambda conn: None)


async def test_schemas_cannot_be_added_after_open(db) -> None:  # type: ignore[no-untyped-def]
    database, _ = db
    with pytest.raises(StateError):
        database.add_schema(SCHEMA)


def test_readonly_connection_on_a_missing_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="no event database"):
        connect_readonly(tmp_path / "none.db")


async def test_a_failing_single_statement_job_without_savepoint_leaves_the_rest(db) -> None:  # type: ignore[no-untyped-def]
    database, store = db
    first = await store.append("wake", "now", "{}")

    def duplicate(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO events (id, source, type, received_at, payload) VALUES (?, 's', 't', 0, '{}')", (first.id,))

    results = await asyncio.gather(database.run(duplicate, savepoint=False), store.append("wake", "now", "{}"), return_exceptions=True)
    assert isinstance(results[0], sqlite3.IntegrityError)
    assert await store.count() == 2


async def test_rows_of_concurrent_inserts_share_statements_and_all_land(db) -> None:  # type: ignore[no-untyped-def]
    database, store = db
    before = database.commits
    events = await asyncio.gather(*(store.append("alertmanager", "firing", '{"n": %d}' % i) for i in range(1000)))
    assert database.commits - before < 100  # many rows per statement, not one statement per row
    conn = connect_readonly(database.path)
    stored = {row[0]: row[1] for row in conn.execute("SELECT id, payload FROM events")}
    conn.close()
    assert stored == {e.id: e.payload for e in events}


def test_a_batch_takes_the_largest_statement_size_queued() -> None:
    loop = asyncio.new_event_loop()
    try:
        lane = _Rows()
        for i in range(23):
            lane.rows.append(((i,), loop.create_future()))
        taken = [len(lane.take()) for _ in range(3)]
    finally:
        loop.close()
    assert taken == [16, 6, 1]
    assert not lane.rows
    assert all(n in INSERT_SIZES for n in taken)


async def test_a_failing_insert_fails_every_row_of_its_statement_and_stores_none(db) -> None:  # type: ignore[no-untyped-def]
    database, store = db
    row = ("evt_same", "wake", "now", 0.0, "{}")
    # Both rows go into one statement, which the UNIQUE id refuses as a whole.
    results = await asyncio.gather(database.insert("events", EVENT_COLUMNS, row), database.insert("events", EVENT_COLUMNS, row), return_exceptions=True)
    assert all(isinstance(r, StateError) for r in results), results
    assert await store.get("evt_same") is None
    assert (await store.append("wake", "now", "{}")).id  # the next insert still works
    assert await store.count() == 1


async def test_a_failing_insert_next_to_a_job_leaves_the_job_committed(db) -> None:  # type: ignore[no-untyped-def]
    database, store = db
    row = ("evt_same", "wake", "now", 0.0, "{}")

    def job(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO events (id, source, type, received_at, payload) VALUES ('evt_job', 's', 't', 0, '{}')")
        return "done"

    results = await asyncio.gather(
        database.insert("events", EVENT_COLUMNS, row), database.insert("events", EVENT_COLUMNS, row), database.run(job), return_exceptions=True
    )
    assert isinstance(results[0], StateError) and isinstance(results[1], StateError)
    assert results[2] == "done"
    assert await store.get("evt_job") is not None
    assert await store.get("evt_same") is None


def test_event_ids_sort_in_the_order_they_were_made() -> None:
    ids = []
    for _ in range(5):
        ids.append(new_event_id())
        time.sleep(0.002)
    assert ids == sorted(ids)
    assert len(set(ids)) == 5
    assert all(re.fullmatch(r"evt_[0-9a-f]{32}", i) for i in ids)
    made_ms = int(ids[0][4:16], 16)
    assert abs(made_ms - time.time() * 1000) < 60_000  # the first 48 bits are the time it was made
