"""The events capability inside the gateway: database, store, processor, retention.

Others reach it as `events_of(services)`:

    events = events_of(services)
    stored = await events.ingest(accepted, payload_text)   # durable, then queued
    unsubscribe = events.subscribe(listener)               # Notice after each committed change
    events.register("radarr", handler)                      # a processing step, in the event's transaction
    events.on_prune(step)                                   # what else retention removes, same transaction
"""

from __future__ import annotations

import asyncio
import logging
import time
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from prometheus_client import Counter, Gauge

from openclaw.core.slots import Slot
from openclaw.core.notices import Listener, NoticeStream
from openclaw.core.topics import Topic
from openclaw.errors import ConfigError
from openclaw.events import refusals
from openclaw.events.db import DB_FILE_NAME, Database
from openclaw.events.journal import choose_journal_mode
from openclaw.events.processor import EventProcessor, Handler
from openclaw.events.receivers import Accepted
from openclaw.events.store import EventStore, NewEvent, StoredEvent, prune_events

if TYPE_CHECKING:
    from openclaw.config.schema import Settings
    from openclaw.core.services import Services

log = logging.getLogger(__name__)

# Runs inside the retention transaction: remove what is older than the cutoff, return the count.
PruneStep = Callable[[sqlite3.Connection, float], int]

RETENTION_INTERVAL_S = 3600.0


class Events:
    """Durable event intake and processing; one per gateway."""

    def __init__(
        self,
        db: Database,
        *,
        settings: Callable[[], Settings],
        clock: Callable[[], float] = time.time,
        received: Counter | None = None,
        notices: NoticeStream | None = None,
    ) -> None:
        self.db = db
        self._received = received
        self._received_by_source: dict[str, Any] = {}
        self.store = EventStore(db)
        self.notices = notices if notices is not None else NoticeStream()
        self.processor = EventProcessor(db, self.notices, clock=clock)
        self.settings = settings
        self.clock = clock
        self._prune_steps: list[PruneStep] = []
        db.add_schema(refusals.SCHEMA)

    # --- lifecycle ---

    async def open(self) -> None:
        await self.db.open()
        await self.processor.recover()

    async def close(self) -> None:
        await self.db.close()

    # --- intake ---

    async def ingest(self, accepted: Accepted, payload: str) -> NewEvent:
        """Store the event (returns once it is on disk), then queue it for processing."""
        event = await self.store.append(accepted.source, accepted.type, payload, received_at=self.clock())
        if self._received is not None:
            counter = self._received_by_source.get(accepted.source)
            if counter is None:  # labels() takes a lock and builds a key: once per source
                counter = self._received_by_source[accepted.source] = self._received.labels(accepted.source)
            counter.inc()
        self.processor.submit(event.id, accepted.model)
        return event

    async def record_too_large(self, hook: str, *, size: int | None, limit: int, setting: str) -> None:
        """Keep a 413 for `openclaw doctor`: which hook, the size seen, the limit and its setting."""
        at = self.clock()
        await self.db.run(lambda conn: refusals.record_too_large(conn, hook, at=at, size=size, limit=limit, setting=setting), savepoint=False)

    # --- extension points ---

    def register(self, source: str, handler: Handler) -> None:
        """Add a processing step for events of `source` (runs in the writer transaction)."""
        self.processor.register(source, handler)

    def on_prune(self, step: PruneStep) -> None:
        """Run `step(conn, cutoff)` in each retention pass (a capability's own derived rows)."""
        self._prune_steps.append(step)

    def subscribe(self, listener: Listener, topics: tuple[Topic, ...] | None = None) -> Callable[[], None]:
        """Be told about committed changes (`alert.firing`, `incident.opened`, `media.event`, ...; all when
        `topics` is None): a subscription to the gateway's notice stream."""
        return self.notices.subscribe(listener, topics)

    # --- queries ---

    async def get(self, event_id: str) -> StoredEvent | None:
        return await self.store.get(event_id)

    async def recent(self, *, source: str | None = None, type: str | None = None, limit: int = 100) -> list[StoredEvent]:
        return await self.store.recent(source=source, type=type, limit=limit)

    # --- retention ---

    async def prune(self, *, now: float | None = None) -> int:
        """Delete processed events (and what capabilities derived from them) older than `events.retentionDays`."""
        cutoff = (now if now is not None else self.clock()) - self.settings().events.retention_days * 86400

        def work(conn: sqlite3.Connection) -> int:
            for step in self._prune_steps:
                step(conn, cutoff)
            return prune_events(conn, cutoff)

        removed = await self.db.run(work)
        if removed:
            log.info("events.pruned", extra={"count": removed})
        return removed

    async def retention_loop(self, interval_s: float = RETENTION_INTERVAL_S) -> None:
        while True:
            try:
                await self.prune()
            except Exception:
                log.exception("events.prune_failed")
            await asyncio.sleep(interval_s)


def _install_methods(services: Services, events: Events) -> None:
    from openclaw.core.methods import READ, MethodCall, MethodError

    @services.methods.method("events.recent", READ)
    async def events_recent(call: MethodCall) -> dict[str, Any]:
        source, type_, limit = call.params.get("source"), call.params.get("type"), call.params.get("limit", 50)
        if source is not None and not isinstance(source, str):
            raise MethodError("INVALID_REQUEST", "source: expected a string such as alertmanager or sonarr", {"field": "source"})
        if type_ is not None and not isinstance(type_, str):
            raise MethodError("INVALID_REQUEST", "type: expected a string such as firing or Grab", {"field": "type"})
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 500:
            raise MethodError("INVALID_REQUEST", "limit: expected an integer from 1 to 500", {"field": "limit"})
        found = await events.recent(source=source, type=type_, limit=limit)
        return {"events": [e.to_json() for e in found]}


EVENTS: Slot[Events] = Slot("events", "the event store is not running")


def events_of(services: Services) -> Events:
    return services.get(EVENTS)


def check_hook_settings(settings: Settings) -> None:
    """Refuse settings the webhook ingress cannot honour (the paths are checked by the schema)."""
    check_hook_token(settings)


def check_hook_token(settings: Settings) -> None:
    """hooks.token must not be the gateway token: a leaked webhook secret must not open the Control UI."""
    hook_token, gateway_token = settings.hooks.token, settings.gateway.auth.token
    if hook_token and gateway_token and hook_token == gateway_token:
        raise ConfigError(
            "hooks.token equals gateway.auth.token",
            ["hooks.token: use a separate secret for webhooks, e.g. `openclaw config set hooks.token \"$(openssl rand -hex 32)\"`"],
        )


def install(services: Services) -> Events:
    """Create the events capability; open it at start-up; run its processor and retention."""
    settings = services.config.settings
    check_hook_settings(settings)
    journal = choose_journal_mode(settings.events.journal_mode, services.state_dir)
    db = Database(services.state_dir / DB_FILE_NAME, journal_mode=journal)
    received = Counter("openclaw_webhook_events", "Webhook events stored, by source", ["source"], registry=services.metrics)
    events = Events(db, settings=lambda: services.config.settings, received=received, notices=services.notices)
    services.put(EVENTS, events)
    pending = Gauge("openclaw_events_pending", "Stored events waiting to be processed", registry=services.metrics)
    pending.set_function(lambda: events.processor.queue.qsize())
    processed = Gauge("openclaw_events_processed", "Events processed since start", registry=services.metrics)
    processed.set_function(lambda: events.processor.processed)
    commits = Gauge("openclaw_events_commits", "Event database transactions committed since start (group commits)", registry=services.metrics)
    commits.set_function(lambda: db.commits)

    _install_methods(services, events)

    async def start() -> None:
        await events.open()
        log.info("events.opened", extra={"path": str(db.path), "journalMode": journal})
        services.supervisor.start("events.processor", events.processor.run())
        services.supervisor.start("events.retention", events.retention_loop())

    async def stop() -> None:
        await events.close()

    async def ready() -> str | None:
        return None if db.is_open else "event database is not open"

    services.startup.append(start)
    services.shutdown.append(stop)
    services.readiness["events"] = ready
    return events
