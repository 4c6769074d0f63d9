"""The writer thread: group commit, per-job rollback, durability before the caller resumes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from openclaw.errors import StateError
from openclaw.events.db import Database, connect_readonly
from openclaw.events.store import SCHEMA, EventStore


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
