"""Messages waiting for Slack, in `<state>/slack.db`, so a restart or an outage loses none.

A row is one Web API call to make: `post` (chat.postMessage, optionally into the thread of a
message known by `key`), `update` (chat.update of the message known by `key`) or `ephemeral`.
Posted messages' timestamps are kept in `messages` under their key, which is how later updates and
thread replies find them. A message that changes again before it is sent is rewritten in place (one
call carries the latest state), which is what turns a storm of changes into one message.

Kept out of `events.db`: Slack's backlog must never contend with the event writer, and the file
is small, written a few times a second at most.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Method = Literal["post", "update", "ephemeral"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    method TEXT NOT NULL,
    key TEXT,
    thread_key TEXT,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    next_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_channel ON outbox (channel, id);
CREATE INDEX IF NOT EXISTS outbox_key ON outbox (key);
CREATE TABLE IF NOT EXISTS messages (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT NOT NULL,
    posted_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Pending:
    id: int
    channel: str
    method: Method
    key: str | None
    thread_key: str | None
    body: dict[str, Any]
    next_at: float
    attempts: int


@dataclass(frozen=True, slots=True)
class Posted:
    channel: str
    ts: str


class QueueFull(Exception):
    """The outbox holds `limit` messages already; the new one is not kept."""


class Outbox:
    def __init__(self, path: Path, *, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=5.0, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _exec(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        with self._lock:
            cur = self._db.execute(sql, args)
            return cur.lastrowid or 0

    # ---- queueing ------------------------------------------------------------------------------

    def count(self) -> int:
        return int(self._one("SELECT count(*) FROM outbox")[0])

    def post(self, channel: str, body: dict[str, Any], *, now: float, delay: float = 0.0, key: str | None = None,
             thread_key: str | None = None, essential: bool = False) -> int:
        """Queue a new message; `essential` ones (roots, approvals) are kept past the limit."""
        if not essential and self.count() >= self.limit:
            raise QueueFull(f"{self.count()} Slack messages are waiting (slack.queueLimit {self.limit})")
        return self._exec(
            "INSERT INTO outbox (channel, method, key, thread_key, body, created_at, next_at) VALUES (?, 'post', ?, ?, ?, ?, ?)",
            (channel, key, thread_key, json.dumps(body), now, now + delay),
        )

    def ephemeral(self, channel: str, user: str, text: str, *, now: float, thread_ts: str | None = None) -> int:
        body: dict[str, Any] = {"user": user, "text": text}
        if thread_ts:
            body["thread_ts"] = thread_ts
        return self._exec(
            "INSERT INTO outbox (channel, method, body, created_at, next_at) VALUES (?, 'ephemeral', ?, ?, ?)",
            (channel, json.dumps(body), now, now),
        )

    def put_message(self, key: str, channel: str, body: dict[str, Any], *, now: float, delay: float = 0.0,
                    thread_key: str | None = None) -> None:
        """The message known by `key` should now read `body`: posted when new, else updated. A change
        not sent yet is rewritten in place and keeps its place and send time (a debounce that a
        steady storm cannot postpone forever)."""
        text = json.dumps(body)
        with self._lock:
            db = self._db
            waiting = db.execute("SELECT id FROM outbox WHERE key = ? AND method IN ('post', 'update') ORDER BY id DESC LIMIT 1", (key,)).fetchone()
            if waiting is not None:
                db.execute("UPDATE outbox SET body = ? WHERE id = ?", (text, waiting[0]))
                return
            posted = db.execute("SELECT channel FROM messages WHERE key = ?", (key,)).fetchone()
            method = "update" if posted is not None else "post"
            db.execute(
                "INSERT INTO outbox (channel, method, key, thread_key, body, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (posted[0] if posted is not None else channel, method, key, thread_key, text, now, now + delay),
            )

    def has_waiting(self, key: str) -> bool:
        return self._one("SELECT 1 FROM outbox WHERE key = ? LIMIT 1", (key,)) is not None

    # ---- sending -------------------------------------------------------------------------------

    def due(self, now: float, blocked: set[str]) -> list[Pending]:
        """The oldest waiting row of each channel not in `blocked`, if its time has come. Rows of one
        channel go in order, so a thread reply never overtakes its root."""
        with self._lock:
            rows = self._db.execute(
                "SELECT o.id, o.channel, o.method, o.key, o.thread_key, o.body, o.next_at, o.attempts FROM outbox o "
                "JOIN (SELECT channel, min(id) AS id FROM outbox GROUP BY channel) f ON f.id = o.id"
            ).fetchall()
        return [Pending(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7]) for r in rows if r[1] not in blocked and r[6] <= now]

    def next_time(self) -> float | None:
        row = self._one("SELECT min(next_at) FROM outbox")
        return None if row is None or row[0] is None else float(row[0])

    def done(self, row_id: int) -> None:
        self._exec("DELETE FROM outbox WHERE id = ?", (row_id,))

    def retry(self, row_id: int, at: float, error: str) -> None:
        self._exec("UPDATE outbox SET next_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?", (at, error[:500], row_id))

    def remember(self, key: str, channel: str, ts: str, *, now: float) -> None:
        self._exec("INSERT OR REPLACE INTO messages (key, channel, ts, posted_at) VALUES (?, ?, ?, ?)", (key, channel, ts, now))

    def posted(self, key: str) -> Posted | None:
        row = self._one("SELECT channel, ts FROM messages WHERE key = ?", (key,))
        return Posted(row[0], row[1]) if row is not None else None

    def key_of(self, channel: str, ts: str) -> str | None:
        row = self._one("SELECT key FROM messages WHERE channel = ? AND ts = ?", (channel, ts))
        return str(row[0]) if row is not None else None

    # ---- small state (groups, mutes) -------------------------------------------------------------

    def get_state(self, key: str) -> Any:
        row = self._one("SELECT value FROM state WHERE key = ?", (key,))
        return json.loads(row[0]) if row is not None else None

    def set_state(self, key: str, value: Any) -> None:
        self._exec("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, json.dumps(value)))
