"""The event database: one SQLite file in the state dir, one writer.

Every write is a function of a `sqlite3.Connection`, queued to the writer task. The writer takes
what is queued (up to `max_batch` jobs), runs each job in its own savepoint inside one transaction
and commits once: concurrent webhook requests share one commit (group commit), and each caller's
future resolves only after the commit that holds its write, so a 202 is never sent for a row that
is not on disk. A failed job rolls back its own savepoint only.

The statements run on the event loop (they take microseconds, and running them there avoids a GIL
hand-off per statement between threads); the COMMIT, where SQLite waits for the disk, runs in a
dedicated thread, so an fsync (slow on NFS) never stalls the loop.

Plain row inserts (`insert`, what webhook ingest does) take a cheaper lane: rows queued for one table
are written by one multi-row INSERT. When nothing else is queued, that statement runs alone, in the
commit thread, as its own transaction: one statement, one fsync, one hand-off between the threads
for the whole batch, and no SQLite work on the event loop. Jobs queued as `background`
(event processing) yield to foreground ones (ingest, queries): one runs once foreground work has
been quiet for `idle_s`, or in every `background_every`-th transaction under load, so processing
always makes progress but a flood of webhooks is stored first and processed as the load allows.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
    # Room for every multi-row INSERT size of a few tables next to the queries' statements.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0, cached_statements=256)
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
    savepoint: bool = True


# Rows one multi-row INSERT may carry. A statement is compiled per row count, so batches take the
# largest of these sizes that is queued (the rest go in the next transaction): at most 18 compiled
# statements per table, each a few rows apart, instead of one per possible count.
INSERT_SIZES = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)


Queued = list[tuple[tuple[Any, ...], asyncio.Future[None]]]


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    columns: tuple[str, ...]


@dataclass
class _Rows:
    """Rows queued for one table's multi-row INSERT, each with the future of its caller."""

    rows: collections.deque[tuple[tuple[Any, ...], asyncio.Future[None]]] = field(default_factory=collections.deque)

    def take(self) -> Queued:
        size = max(n for n in INSERT_SIZES if n <= len(self.rows))
        return [self.rows.popleft() for _ in range(size)]


def insert_statement(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    """One INSERT of all `rows` into `table`, and its parameters."""
    values = "(" + ",".join("?" * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {','.join([values] * len(rows))}", [value for row in rows for value in row]


def _statement(table: _Table, queued: Queued) -> tuple[str, list[Any]]:
    return insert_statement(table.name, table.columns, [row for row, _ in queued])


def write_failed(exc: sqlite3.Error) -> StateError:
    return StateError(f"event database write failed: {exc}")


@dataclass
class Database:
    """The single writer. `schemas` are applied, in order, when it opens."""

    path: Path
    journal_mode: str = "DELETE"
    max_batch: int = 512
    background_every: int = 8
    # How long ingest must be quiet before background work runs outside its every-Nth share.
    idle_s: float = 0.002
    schemas: list[str] = field(default_factory=list)
    commits: int = 0
    _foreground: collections.deque[_Pending] = field(default_factory=collections.deque)
    _rows: dict[_Table, _Rows] = field(default_factory=dict)
    _background: collections.deque[_Pending] = field(default_factory=collections.deque)
    _wakeup: asyncio.Event | None = None
    _task: asyncio.Task[None] | None = None
    _closing: bool = False
    _conn: sqlite3.Connection | None = None
    _committer: ThreadPoolExecutor | None = None
    _last_foreground: float = -1.0

    def add_schema(self, sql: str) -> None:
        if self._conn is not None:
            raise StateError("schemas must be added before the event database opens")
        self.schemas.append(sql)

    @property
    def is_open(self) -> bool:
        return self._task is not None and not self._task.done()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = await asyncio.to_thread(self._open_connection)
        except sqlite3.Error as exc:
            raise StateError(f"cannot open the event database {self.path}: {exc}") from exc
        self._closing = False
        self._wakeup = asyncio.Event()
        self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="openclaw-events-commit")
        self._task = asyncio.create_task(self._write_loop(), name="events.writer")

    def _open_connection(self) -> sqlite3.Connection:
        conn = connect(self.path, self.journal_mode)
        for sql in self.schemas:
            conn.executescript(sql)
        try:
            self.path.chmod(0o600)
        except OSError:
            pass
        return conn

    async def close(self) -> None:
        """Finish what is queued, then close."""
        if self._task is None:
            return
        self._closing = True
        if self._wakeup is not None:
            self._wakeup.set()
        try:
            await self._task
        finally:
            self._task = None
            if self._committer is not None:
                self._committer.shutdown(wait=True)
                self._committer = None
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    async def run(self, fn: Callable[[sqlite3.Connection], T], *, background: bool = False, savepoint: bool = True) -> T:
        """Run `fn` inside a write transaction; return its result once that transaction is committed.

        `savepoint=False` is for a job of a single statement, which SQLite already undoes as a whole
        when it fails; it saves two statements per job on the ingest path.
        """
        if self._task is None or self._task.done() or self._wakeup is None or self._closing:
            raise StateError("the event database is not open")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        (self._background if background else self._foreground).append(_Pending(fn, future, savepoint))
        self._wakeup.set()
        return await future

    async def insert(self, table: str, columns: tuple[str, ...], row: tuple[Any, ...]) -> None:
        """Insert `row` into `table`; return once the transaction that holds it is committed.

        Rows of many callers share one INSERT statement. If that statement fails (the disk is full,
        a constraint), every row in it fails with a StateError and nothing of them is stored.
        """
        if self._task is None or self._task.done() or self._wakeup is None or self._closing:
            raise StateError("the event database is not open")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        key = _Table(table, columns)
        lane = self._rows.get(key)
        if lane is None:
            lane = self._rows[key] = _Rows()
        lane.rows.append((row, future))
        self._wakeup.set()
        await future

    def _queued_rows(self) -> bool:
        return any(lane.rows for lane in self._rows.values())

    def _take_rows(self) -> list[tuple[_Table, Queued]]:
        return [(table, lane.take()) for table, lane in self._rows.items() if lane.rows]

    async def _write_loop(self) -> None:
        wakeup = self._wakeup
        if wakeup is None or self._conn is None:
            return
        while True:
            if not self._foreground and not self._background and not self._queued_rows():
                if self._closing:
                    return
                wakeup.clear()
                await wakeup.wait()
                continue
            if not self._foreground and not self._queued_rows() and not self._closing:
                quiet_wait = self._ingest_quiet_wait()
                if quiet_wait > 0:
                    wakeup.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wakeup.wait(), quiet_wait)
                    continue
            rows = self._take_rows()
            batch = [self._foreground.popleft() for _ in range(min(len(self._foreground), self.max_batch))]
            ingest = bool(batch or rows)
            if self._background and (not ingest or self.commits % self.background_every == 0):
                batch.append(self._background.popleft())
            if batch or len(rows) > 1:
                await self._run_batch(self._conn, batch, rows)
            else:
                await self._insert_alone(self._conn, *rows[0])
            if ingest:
                self._last_foreground = asyncio.get_running_loop().time()

    def _ingest_quiet_wait(self) -> float:
        """Seconds background work should still wait for ingest to be quiet (0: run it now).

        Right after an ingest commit the queue is empty only because the answered clients have not
        sent their next request yet; a background batch run in that gap holds the loop (its
        statements are synchronous) while they do. So background work runs once ingest has been
        quiet for `idle_s`, and under sustained load in every `background_every`-th transaction.
        """
        if self._last_foreground < 0:
            return 0.0
        return self.idle_s - (asyncio.get_running_loop().time() - self._last_foreground)

    async def _insert_alone(self, conn: sqlite3.Connection, table: _Table, rows: Queued) -> None:
        """One multi-row INSERT as its own transaction, run in the commit thread."""
        if self._committer is None:  # closed under it: fail these rows, as a batch would, and keep the writer alive
            _settle_rows(rows, StateError("the event database is closed"))
            return
        work = self._committer.submit(conn.execute, *_statement(table, rows))
        try:
            await asyncio.wrap_future(work)
        except asyncio.CancelledError:
            _settle_rows(rows, _failure(work))  # the statement is under way in its thread: report how it ended
            self.commits += 1
            raise
        except sqlite3.Error as exc:
            log.error("events.commit_failed", exc_info=exc)
            _settle_rows(rows, write_failed(exc))
            return
        self.commits += 1
        _settle_rows(rows, None)

    async def _run_batch(
        self,
        conn: sqlite3.Connection,
        batch: list[_Pending],
        rows: list[tuple[_Table, Queued]] | None = None,
    ) -> None:
        outcomes: list[tuple[_Pending, Any, BaseException | None]] = []
        inserted: list[tuple[Queued, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for table, queued in rows or []:
                try:  # one statement: if it fails, SQLite has undone all of it, and the rest goes on
                    conn.execute(*_statement(table, queued))
                except sqlite3.Error as exc:
                    inserted.append((queued, write_failed(exc)))
                else:
                    inserted.append((queued, None))
            for job in batch:
                if job.savepoint:
                    conn.execute("SAVEPOINT job")
                try:
                    result = job.fn(conn)
                except Exception as exc:
                    if job.savepoint:
                        conn.execute("ROLLBACK TO job")
                        conn.execute("RELEASE job")
                    outcomes.append((job, None, exc))
                else:
                    if job.savepoint:
                        conn.execute("RELEASE job")
                    outcomes.append((job, result, None))
            if self._committer is None:
                raise sqlite3.OperationalError("committer thread is gone")
            commit = self._committer.submit(conn.execute, "COMMIT")
            try:
                await asyncio.wrap_future(commit)
            except asyncio.CancelledError:
                commit.result()  # the COMMIT is under way in its thread: let it finish, report it, then stop
                self.commits += 1
                _settle(outcomes)
                for queued, error in inserted:
                    _settle_rows(queued, error)
                raise
            self.commits += 1
        except sqlite3.Error as exc:
            log.error("events.commit_failed", exc_info=exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            failure = write_failed(exc)
            outcomes = [(job, None, failure) for job in batch]
            inserted = [(queued, failure) for _, queued in rows or []]
        _settle(outcomes)
        for queued, error in inserted:
            _settle_rows(queued, error)

def _resolve(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    """Hand a caller its outcome, unless it stopped waiting (cancelled)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _settle(items: list[tuple[_Pending, Any, BaseException | None]]) -> None:
    for job, result, error in items:
        _resolve(job.future, result, error)


def _settle_rows(rows: Queued, error: BaseException | None) -> None:
    for _, future in rows:
        _resolve(future, None, error)


def _failure(work: Any) -> BaseException | None:
    """How a statement that was already running in the commit thread ended (waits for it)."""
    try:
        work.result()
    except sqlite3.Error as exc:
        return write_failed(exc)
    return None
