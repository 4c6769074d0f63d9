"""The event database: one SQLite file in the state dir, written by one thread.

Every write is a function of a `sqlite3.Connection` queued to the writer thread. The thread takes
whatever is queued (up to `max_batch`), runs each job in its own savepoint inside one
transaction and commits once: concurrent webhook requests share one commit (group commit) and
each caller's future resolves only after the commit that holds its write, so a 202 is never sent
for a row that is not on disk. A failed job rolls back its own savepoint only.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from openclaw.errors import StateError

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[sqlite3.Connection], Any]

DB_FILE_NAME = "events.db"


def connect(path: Path, journal_mode: str) -> sqlite3.Connection:
    """A connection set up the way every writer of the event database uses it."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.row_factory = sqlite3.Row
    mode = conn.execute(f"PRAGMA journal_mode={journal_mode}").fetchone()[0]
    if str(mode).upper() != journal_mode.upper():
        log.warning("events.journal_mode_refused", extra={"wanted": journal_mode, "got": mode})
    # FULL: a commit is on stable storage when it returns (the 202 promises durability).
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection for the CLI: works with or without a running gateway."""
    if not path.exists():
        raise StateError(f"no event database at {path}: the gateway has not received any event yet")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10.0)
    conn.row_factory = sqlite3.Row
    return conn


@dataclass
class _Pending:
    fn: Job
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


_STOP = object()


@dataclass
class Database:
    """The writer thread and its queue. `schemas` are applied, in order, when it opens."""

    path: Path
    journal_mode: str = "DELETE"
    max_batch: int = 256
    schemas: list[str] = field(default_factory=list)
    commits: int = 0
    _queue: queue.SimpleQueue[Any] = field(default_factory=queue.SimpleQueue)
    _thread: threading.Thread | None = None
    _conn: sqlite3.Connection | None = None

    def add_schema(self, sql: str) -> None:
        if self._thread is not None:
            raise StateError("schemas must be added before the event database opens")
        self.schemas.append(sql)

    @property
    def is_open(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = connect(self.path, self.journal_mode)
            for sql in self.schemas:
                self._conn.executescript(sql)
        except sqlite3.Error as exc:
            raise StateError(f"cannot open the event database {self.path}: {exc}") from exc
        try:
            self.path.chmod(0o600)
        except OSError:
            pass
        self._thread = threading.Thread(target=self._run, name="openclaw-events-writer", daemon=True)
        self._thread.start()

    async def close(self) -> None:
        if self._thread is None:
            return
        self._queue.put(_STOP)
        await asyncio.to_thread(self._thread.join)
        self._thread = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in the writer thread inside a transaction; return once it is committed."""
        if self._thread is None:
            raise StateError("the event database is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Pending(fn, future, loop))
        return await future

    def _run(self) -> None:
        conn = self._conn
        if conn is None:  # open() sets it before starting the thread
            return
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                break
            batch: list[_Pending] = [first]
            while len(batch) < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stopping = True
                    break
                batch.append(nxt)
            self._run_batch(conn, batch)

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Pending]) -> None:
        outcomes: list[tuple[_Pending, Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                conn.execute("SAVEPOINT job")
                try:
                    result = job.fn(conn)
                except Exception as exc:
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((job, None, exc))
                else:
                    conn.execute("RELEASE job")
                    outcomes.append((job, result, None))
            conn.execute("COMMIT")
            self.commits += 1
        except sqlite3.Error as exc:
            log.error("events.commit_failed", exc_info=exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            failure = StateError(f"event database write failed: {exc}")
            outcomes = [(job, None, failure) for job in batch]
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Pending, Any, BaseException | None]]] = {}
        for outcome in outcomes:
            by_loop.setdefault(outcome[0].loop, []).append(outcome)
        for loop, items in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, items)
            except RuntimeError:  # the caller's loop is closed: nobody is waiting any more
                pass


def _settle(items: list[tuple[_Pending, Any, BaseException | None]]) -> None:
    for job, result, error in items:
        if job.future.done():
            continue
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)
