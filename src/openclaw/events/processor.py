"""The in-process event queue and the processor that drains it.

The ingress stores an event, then `submit`s its id. The processor takes ids in batches and, in one
writer transaction per batch, runs the handlers registered for the event's source and marks the
event processed. Handler effects and the processed mark commit together, so a crash either keeps
both or neither: after a restart, `recover` re-queues what is still unprocessed, and an event
already marked is skipped (exactly once, keyed by event id).

Handlers run inside the writer's transaction with its connection; what they return are `Notice`s,
published after the commit on the notice stream (`core/notices.py`: runbooks, the WebSocket feed,
...) and delivered to every subscriber before the next batch, so a subscriber that starts long work
(a runbook, a model turn) schedules it as a task and returns.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel

from openclaw.core.notices import Notice, NoticeStream
from openclaw.events.db import Database
from openclaw.events.receivers import model_for
from openclaw.events.store import StoredEvent, get_events, mark_processed, mark_processed_many, pending_ids

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Processing:
    """What a handler gets: the stored event, its typed body, and the processing time."""

    event: StoredEvent
    model: BaseModel
    now: float


# Runs inside the writer transaction; must only use `conn`.
Handler = Callable[[sqlite3.Connection, Processing], list[Notice]]


@dataclass
class EventProcessor:
    db: Database
    notices: NoticeStream = field(default_factory=NoticeStream)
    clock: Callable[[], float] = time.time
    # Events per transaction: small, so an ingest commit never waits long behind processing.
    batch_size: int = 16
    handlers: dict[str, list[Handler]] = field(default_factory=dict)
    processed: int = 0
    failed: int = 0
    _queue: asyncio.Queue[str] | None = None
    # Typed bodies of recently submitted events, so processing does not parse them again. Bounded:
    # a backlog keeps only ids in memory (a growing heap of models makes each full GC pass slower).
    _models: dict[str, BaseModel] = field(default_factory=dict)
    max_cached_models: int = 512

    def register(self, source: str, handler: Handler) -> None:
        """Run `handler` for every event of `source` (`*` for every source)."""
        self.handlers.setdefault(source, []).append(handler)

    @property
    def queue(self) -> asyncio.Queue[str]:
        if self._queue is None:
            self._queue = asyncio.Queue()
        return self._queue

    def submit(self, event_id: str, model: BaseModel | None = None) -> None:
        if model is not None and len(self._models) < self.max_cached_models:
            self._models[event_id] = model
        self.queue.put_nowait(event_id)

    async def recover(self) -> int:
        """Queue every stored event not yet processed (after a crash or restart)."""
        ids = await self.db.run(pending_ids)
        for event_id in ids:
            self.submit(event_id)
        if ids:
            log.info("events.recovered", extra={"count": len(ids)})
        return len(ids)

    async def run(self) -> None:
        """Drain the queue until cancelled."""
        q = self.queue
        while True:
            ids = [await q.get()]
            while len(ids) < self.batch_size and not q.empty():
                ids.append(q.get_nowait())
            try:
                notices = await self.db.run(lambda conn: self.process_batch(conn, ids), background=True)
                await self.deliver(notices)
            except Exception:
                # The database refused the batch: the events stay unprocessed and are retried on restart.
                log.exception("events.batch_failed", extra={"count": len(ids)})
            finally:
                # Done once its notices are delivered too, so `drain()` means "processed and told".
                for _ in ids:
                    q.task_done()

    async def drain(self) -> None:
        """Wait until every submitted event is processed (tests, shutdown)."""
        await self.queue.join()

    async def deliver(self, notices: list[Notice]) -> None:
        """Publish committed notices; returns once every subscriber has had them."""
        await self.notices.publish_all(notices)

    def process_batch(self, conn: sqlite3.Connection, ids: list[str]) -> list[Notice]:
        notices: list[Notice] = []
        events = get_events(conn, ids)
        done: list[str] = []
        now = self.clock()
        for event_id in ids:
            known = self._models.pop(event_id, None)
            event = events.get(event_id)
            if event is None or event.processed_at is not None:
                continue  # pruned, or processed before: exactly once
            result = self.process_one(conn, event, known, now)
            if result is not None:
                notices += result
                done.append(event_id)
        mark_processed_many(conn, done, now)
        return notices

    def process_one(self, conn: sqlite3.Connection, event: StoredEvent, known: BaseModel | None, now: float) -> list[Notice] | None:
        """Run the handlers for one event; None when it failed (then it is already marked failed)."""
        conn.execute("SAVEPOINT event")
        try:
            model = known if known is not None else model_for(event.source).model_validate_json(event.payload)
            work = Processing(event, model, now)
            notices: list[Notice] = []
            for handler in [*self.handlers.get(event.source, []), *self.handlers.get("*", [])]:
                notices += handler(conn, work)
        except Exception as exc:  # one event is a task boundary
            # A poison event must not block the queue: undo its effects, mark it failed, move on.
            conn.execute("ROLLBACK TO event")
            conn.execute("RELEASE event")
            mark_processed(conn, event.id, now, f"{type(exc).__name__}: {exc}"[:500])
            self.failed += 1
            log.error("events.process_failed", extra={"eventId": event.id, "source": event.source}, exc_info=exc)
            return None
        conn.execute("RELEASE event")
        self.processed += 1
        return notices
