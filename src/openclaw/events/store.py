"""The durable event store: every accepted webhook is a row here before its 202 is sent.

A row keeps the body as received, its source and type, when it arrived and when it was
processed. Rows with `processed_at IS NULL` are what a restart still has to process.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from openclaw.events.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  type TEXT NOT NULL,
  received_at REAL NOT NULL,
  payload TEXT NOT NULL,
  processed_at REAL,
  error TEXT
);
CREATE INDEX IF NOT EXISTS events_pending ON events(seq) WHERE processed_at IS NULL;
CREATE INDEX IF NOT EXISTS events_received ON events(received_at);
CREATE INDEX IF NOT EXISTS events_source_type ON events(source, type);
"""


def new_event_id() -> str:
    """`evt_` + 48 bits of milliseconds since the epoch + 80 random bits, as 32 hex digits.

    Time first, as in UUIDv7: ids of new events sort after older ones, so each insert into the id
    index lands on its right edge instead of a random page (a random id dirties one more page per
    event, about a quarter of a durable insert's cost). Random bits from the fast non-cryptographic
    generator: ids are unique, not secret.
    """
    return f"evt_{time.time_ns() // 1_000_000:012x}{random.getrandbits(80):020x}"


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An accepted webhook, ready to store: `payload` is the JSON text of the body."""

    id: str
    source: str
    type: str
    payload: str
    received_at: float


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    id: str
    source: str
    type: str
    received_at: float
    payload: str
    processed_at: float | None
    error: str | None

    def data(self) -> Any:
        return json.loads(self.payload)

    def to_json(self, *, with_payload: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "seq": self.seq,
            "source": self.source,
            "type": self.type,
            "receivedAt": self.received_at,
            "processedAt": self.processed_at,
            "error": self.error,
        }
        if with_payload:
            out["payload"] = self.data()
        return out


def _row(row: sqlite3.Row) -> StoredEvent:
    return StoredEvent(row["seq"], row["id"], row["source"], row["type"], row["received_at"], row["payload"], row["processed_at"], row["error"])


# --- functions of a connection (run in the writer thread, or on a read-only connection) ---


EVENT_COLUMNS = ("id", "source", "type", "received_at", "payload")


def get_event(conn: sqlite3.Connection, event_id: str) -> StoredEvent | None:
    row = conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
    return _row(row) if row else None


def get_events(conn: sqlite3.Connection, event_ids: list[str]) -> dict[str, StoredEvent]:
    out: dict[str, StoredEvent] = {}
    for start in range(0, len(event_ids), 500):  # stay under SQLite's bound-parameter limit
        chunk = event_ids[start : start + 500]
        for row in conn.execute(f"SELECT * FROM events WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[row["id"]] = _row(row)
    return out


def pending_ids(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM events WHERE processed_at IS NULL ORDER BY seq")]


def mark_processed(conn: sqlite3.Connection, event_id: str, at: float, error: str | None = None) -> None:
    conn.execute("UPDATE events SET processed_at = ?, error = ? WHERE id = ?", (at, error, event_id))


def mark_processed_many(conn: sqlite3.Connection, event_ids: list[str], at: float) -> None:
    conn.executemany("UPDATE events SET processed_at = ? WHERE id = ?", [(at, i) for i in event_ids])


def list_events(conn: sqlite3.Connection, *, source: str | None = None, type: str | None = None, limit: int = 100) -> list[StoredEvent]:
    sql, args = "SELECT * FROM events WHERE 1=1", list[object]()
    if source:
        sql += " AND source = ?"
        args.append(source)
    if type:
        sql += " AND type = ?"
        args.append(type)
    sql += " ORDER BY seq DESC LIMIT ?"
    args.append(limit)
    return [_row(r) for r in conn.execute(sql, args)]


def count_events(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])


def prune_events(conn: sqlite3.Connection, before: float) -> int:
    """Delete processed events received before `before` (epoch seconds); unprocessed ones stay."""
    cur = conn.execute("DELETE FROM events WHERE received_at < ? AND processed_at IS NOT NULL", (before,))
    return cur.rowcount


class EventStore:
    """Async access to the event table through the database's writer thread."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.add_schema(SCHEMA)

    async def append(self, source: str, type: str, payload: str, *, received_at: float | None = None) -> NewEvent:
        """Store one event; returns once the row is committed to disk."""
        event = NewEvent(new_event_id(), source, type, payload, received_at if received_at is not None else time.time())
        await self.db.insert("events", EVENT_COLUMNS, (event.id, event.source, event.type, event.received_at, event.payload))
        return event

    async def get(self, event_id: str) -> StoredEvent | None:
        return await self.db.run(lambda conn: get_event(conn, event_id))

    async def recent(self, *, source: str | None = None, type: str | None = None, limit: int = 100) -> list[StoredEvent]:
        return await self.db.run(lambda conn: list_events(conn, source=source, type=type, limit=limit))

    async def pending(self) -> list[str]:
        return await self.db.run(pending_ids)

    async def count(self) -> int:
        return await self.db.run(count_events)

    async def prune(self, retention_days: int, *, now: float | None = None) -> int:
        cutoff = (now if now is not None else time.time()) - retention_days * 86400
        return await self.db.run(lambda conn: prune_events(conn, cutoff))
