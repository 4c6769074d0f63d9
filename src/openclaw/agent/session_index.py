"""The session index: session key -> entry (ids, token and cost totals), one row per session in
`<sessions>/sessions.sqlite`.

It was `sessions.json`, rewritten whole (and fsynced) on every turn, so a turn cost more with every
session ever made; a row update costs the same at ten sessions or ten thousand. An existing
`sessions.json` is imported on first open and renamed `sessions.json.migrated` (kept, never read
again). The gateway and the CLI may both open the file: SQLite's locking serializes the writers.
Calls block on disk; the runtime makes them from a worker thread, never on the event loop.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from openclaw.config import paths

log = logging.getLogger(__name__)

INDEX_FILE = "sessions.sqlite"
LEGACY_FILE = "sessions.json"
MIGRATED_SUFFIX = ".migrated"

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
  key TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  entry TEXT NOT NULL
) WITHOUT ROWID
"""

Entry = dict[str, Any]


class SessionIndex:
    def __init__(self, root: Path, journal_mode: str = "WAL") -> None:
        self.root = root
        self.path = root / INDEX_FILE
        self.journal_mode = journal_mode
        self._ready = threading.Lock()
        self._lock = threading.Lock()
        self._shared: sqlite3.Connection | None = None
        self._migrated = False

    # ---- connection ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        """The one connection, held for one operation. Kept open: closing the last connection of a
        WAL database checkpoints it, which would cost milliseconds per update. Operations take
        microseconds, so worker threads take turns on it; other processes lock through SQLite."""
        with self._lock:
            if self._shared is None:
                self._prepare()
                conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0, check_same_thread=False)
                conn.execute("PRAGMA synchronous=NORMAL" if self.journal_mode == "WAL" else "PRAGMA synchronous=FULL")
                self._shared = conn
                # Closed with the index, so no connection is left for the collector to find open.
                weakref.finalize(self, conn.close)
            yield self._shared

    def close(self) -> None:
        with self._lock:
            if self._shared is not None:
                self._shared.close()
                self._shared = None

    def _prepare(self) -> None:
        with self._ready:
            if self._migrated:
                return
            paths.ensure_private_dir(self.root)
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            try:
                conn.execute(f"PRAGMA journal_mode={self.journal_mode}")
                conn.execute(SCHEMA)
                self.path.chmod(0o600)
                self._migrate(conn)
            finally:
                conn.close()
            self._migrated = True

    def _migrate(self, conn: sqlite3.Connection) -> None:
        legacy = self.root / LEGACY_FILE
        if not legacy.exists():
            return
        try:
            data = json.loads(legacy.read_text(encoding="utf-8") or "{}")
        except (ValueError, RecursionError) as exc:
            # Left where it is for the operator; the sessions in it start afresh.
            log.error("agent.sessions_not_migrated", extra={"file": str(legacy), "error": str(exc)[:200]})
            return
        rows = [(k, str(v.get("sessionId", "")), str(v.get("updatedAt", "")), json.dumps(v, ensure_ascii=False))
                for k, v in (data.items() if isinstance(data, dict) else ()) if isinstance(v, dict)]
        conn.execute("BEGIN IMMEDIATE")
        try:
            # A row already here is newer than the file (a migration cut short after its commit).
            conn.executemany("INSERT OR IGNORE INTO sessions (key, session_id, updated_at, entry) VALUES (?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        legacy.rename(_free_name(legacy.with_name(LEGACY_FILE + MIGRATED_SUFFIX)))
        log.info("agent.sessions_migrated", extra={"from": str(legacy), "to": str(self.path), "sessions": len(rows)})

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._conn() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # ---- reads -----------------------------------------------------------------------------------

    def get(self, key: str) -> Entry | None:
        with self._conn() as conn:
            row = conn.execute("SELECT entry FROM sessions WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self) -> dict[str, Entry]:
        with self._conn() as conn:
            return {k: json.loads(e) for k, e in conn.execute("SELECT key, entry FROM sessions ORDER BY key")}

    def count(self) -> int:
        with self._conn() as conn:
            return int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])

    # ---- writes ----------------------------------------------------------------------------------

    def get_or_create(self, key: str, create: Callable[[], Entry]) -> tuple[Entry, bool]:
        """The entry for `key`; `create()` makes and stores it when there is none (True then)."""
        with self._write() as conn:
            row = conn.execute("SELECT entry FROM sessions WHERE key = ?", (key,)).fetchone()
            if row:
                return json.loads(row[0]), False
            entry = create()
            self._put(conn, key, entry)
            return entry, True

    def update(self, key: str, change: Callable[[Entry], Entry]) -> Entry | None:
        """Apply `change` to the entry for `key` in one transaction; None when there is none."""
        with self._write() as conn:
            row = conn.execute("SELECT entry FROM sessions WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            entry = change(json.loads(row[0]))
            self._put(conn, key, entry)
            return entry

    def remove(self, key: str) -> bool:
        with self._write() as conn:
            return conn.execute("DELETE FROM sessions WHERE key = ?", (key,)).rowcount > 0

    @staticmethod
    def _put(conn: sqlite3.Connection, key: str, entry: Entry) -> None:
        conn.execute("INSERT OR REPLACE INTO sessions (key, session_id, updated_at, entry) VALUES (?, ?, ?, ?)",
                     (key, str(entry.get("sessionId", "")), str(entry.get("updatedAt", "")), json.dumps(entry, ensure_ascii=False)))


def _free_name(path: Path) -> Path:
    """`path`, or `path.2`, `path.3`...: an earlier migration's copy is never replaced."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.{n}")
    return candidate
