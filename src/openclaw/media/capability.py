"""The media capability inside the gateway: links *arr and Seerr events into one timeline per item
and moves the item's tracker record on (in the event's own processing transaction), polls the apps
for what no webhook reports, and answers `media.timeline`, `media.list`, `media.get`, `media.fix`.

Others reach it as `media_of(services)`:

    media = media_of(services)
    await media.timeline("movie:tmdb:603")               # the item's history, oldest first
    await media.timeline_for_download("SABnzbd_nzo_p9k2tq")
    await media.items(stuck=True)                        # tracked items (tracker.Tracked)
    media.clients                                        # the app clients (reads; writes need an Approval)
    media.on_stuck(handler)                              # async (item) -> None, after each poll, per stuck item
    media.on_settled(handler)                            # async (item) -> None, per item with an incident that moved on
    media.fixer = handler                                # async (item id, actor, rungs) -> dict: what `media.fix` runs

Items that changed are announced as `media.updated {ids: [item id]}` (after a poll cycle, or a
webhook that moved an item), so the Control UI's Media screen refreshes without polling.

Shapes: `media.list {stuck?: bool, stage?: str, limit?: int}` -> `{items: [item], counts: {stage: n},
apps: {name: {ok, error, checkedAt}}}`; `media.get {id}` -> item with `timeline` and `actions`;
`media.fix {id, rungs?: int = 1}` -> `{item, decisions: [audit record]}` (rungs: the most fixes tried, stopping at the first that holds). The item JSON is documented in `tracker.py`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from openclaw.core.notices import Notice
from openclaw.core.slots import Slot
from openclaw.core.topics import Topic
from openclaw.events import Events, events_of
from openclaw.core.methods import READ, WRITE, MethodCall, MethodError
from openclaw.media import timelines, tracker
from openclaw.media.clients.registry import MediaClients, from_config
from openclaw.media.poller import Poller
from openclaw.media.stages import Stage
from openclaw.media.stuck import thresholds
from openclaw.ops.clock import CLOCK, OfferedClock

if TYPE_CHECKING:
    from openclaw.config.schema import MediaSettings
    from openclaw.core.services import Services

log = logging.getLogger(__name__)

StuckHandler = Callable[[tracker.Tracked], Coroutine[Any, Any, None]]
MAX_RUNGS = 20  # more than any ladder has: "until one holds"
Fixer = Callable[[str, str, int], Awaitable[dict[str, Any]]]  # (item id, actor, most rungs)
ActionsFor = Callable[[str], list[dict[str, Any]]]


class Media:
    def __init__(self, events: Events, settings: Callable[[], MediaSettings] | None = None) -> None:
        from openclaw.config.schema import MediaSettings

        self.events = events
        self.settings: Callable[[], MediaSettings] = settings or MediaSettings
        self.clients = MediaClients()
        self.poller: Poller | None = None
        self.fixer: Fixer | None = None  # set by the capability that runs the fixes (runbooks)
        self.actions_for: ActionsFor = lambda item_id: []  # set by the policy capability: audit records on an item
        self.announce: Callable[[list[str]], None] = lambda ids: None  # set by install: posts media.updated
        self._stuck_handlers: list[StuckHandler] = []
        self._settled_handlers: list[StuckHandler] = []
        self._handling: dict[str, asyncio.Task[None]] = {}
        events.db.add_schema(timelines.SCHEMA)
        events.db.add_schema(tracker.SCHEMA)
        for source in timelines.MEDIA_SOURCES:
            events.register(source, timelines.link_media_event)
        events.on_prune(timelines.prune_timeline)

    # ---- reads ----------------------------------------------------------------------------------

    async def timeline(self, item_key: str) -> list[dict[str, Any]]:
        return await self.events.db.run(lambda conn: timelines.media_timeline(conn, item_key))

    async def timeline_for_download(self, download_id: str) -> list[dict[str, Any]]:
        def query(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            key = timelines.item_for_download(conn, download_id)
            return timelines.media_timeline(conn, key) if key else []

        return await self.events.db.run(query)

    def needed(self) -> dict[str, int]:
        return thresholds(self.settings())

    async def items(self, *, stuck: bool | None = None, stage: Stage | None = None, limit: int = 10_000) -> list[tracker.Tracked]:
        needed = self.needed()
        found: list[tracker.Tracked] = await self.events.db.run(lambda conn: tracker.all_items(conn, limit=limit))
        return [i for i in found if (stuck is None or i.stuck(needed) == stuck) and (stage is None or i.stage is stage)]

    async def stage_counts(self) -> dict[str, int]:
        """Tracked items per stage, counted in the database (stages with none are absent)."""
        return await self.events.db.run(tracker.stage_counts)

    async def item(self, item_id: str) -> tracker.Tracked | None:
        return await self.events.db.run(lambda conn: tracker.get(conn, item_id))

    async def update(self, item_id: str, change: Callable[[tracker.Tracked], None]) -> tracker.Tracked | None:
        """Change one item in a transaction (the fix ladder records what it tried)."""

        def write(conn: sqlite3.Connection) -> tracker.Tracked | None:
            item = tracker.get(conn, item_id)
            if item is not None:
                change(item)
                tracker.save(conn, item)
            return item

        return await self.events.db.run(write)

    async def detail(self, item_id: str) -> dict[str, Any] | None:
        item = await self.item(item_id)
        if item is None:
            return None
        return {**item.to_json(self.needed()), "timeline": await self.timeline(item_id), "actions": self.actions_for(item_id)}

    # ---- polling --------------------------------------------------------------------------------

    def on_stuck(self, handler: StuckHandler) -> Callable[[], None]:
        self._stuck_handlers.append(handler)
        return lambda: self._stuck_handlers.remove(handler)

    def on_settled(self, handler: StuckHandler) -> Callable[[], None]:
        """`handler(item)` for each item that has an incident and is not stuck any more."""
        self._settled_handlers.append(handler)
        return lambda: self._settled_handlers.remove(handler)

    async def poll_once(self) -> list[tracker.Tracked]:
        """One poll cycle, then each stuck item to the handlers (one task per item at a time)."""
        if self.poller is None:
            return []
        changed = await self.poller.poll()
        if changed:
            self.announce([i.id for i in changed])
        needed = self.needed()
        for item in changed:
            if item.id in self._handling:
                continue
            if item.stuck(needed) and self._stuck_handlers:
                self._handling[item.id] = asyncio.create_task(self._handle(item, self._stuck_handlers), name=f"media-stuck-{item.id}")
            elif item.incident and not item.stuck_reason and self._settled_handlers:
                self._handling[item.id] = asyncio.create_task(self._handle(item, self._settled_handlers), name=f"media-settled-{item.id}")
        return changed

    async def _handle(self, item: tracker.Tracked, handlers: list[StuckHandler]) -> None:
        try:
            for handler in list(handlers):
                try:
                    await handler(item)
                except Exception:  # a task boundary: one item's failed fix must not hide the others'
                    log.exception("media.stuck_handler_failed", extra={"item": item.id})
        finally:
            self._handling.pop(item.id, None)

    async def cancel(self) -> None:
        """Stop the fixes in progress (shutdown): their audit rows say how far they got."""
        tasks = list(self._handling.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def idle(self) -> None:
        while self._handling:
            await asyncio.gather(*list(self._handling.values()), return_exceptions=True)

    async def run(self, clock: OfferedClock) -> None:
        while True:
            try:
                await self.poll_once()
            except Exception:  # one failed cycle must not stop tracking for good
                log.exception("media.poll_failed")
            await clock.sleep(self.settings().poll_interval)


MEDIA: Slot[Media] = Slot("media", "the media capability is not running")
# The media apps another capability (the embedded sandbox) offers: {app: {"url", "apiKey"} | {"url", "username", "password"}}.
MEDIA_ENDPOINTS: Slot[dict[str, dict[str, str]]] = Slot("media.endpoints", "no media apps were offered")


def media_of(services: Services) -> Media:
    return services.get(MEDIA)


def _item_id(params: dict[str, Any]) -> str:
    item_id = params.get("id")
    if not isinstance(item_id, str) or not item_id:
        raise MethodError("INVALID_REQUEST", "id: expected a media item id such as movie:tmdb:438631 (see media.list)", {"field": "id"})
    return item_id


def install(services: Services) -> Media:
    media = Media(events_of(services), lambda: services.config.settings.media)
    services.put(MEDIA, media)
    media.announce = lambda ids: services.notices.post(Notice(Topic.MEDIA_UPDATED, {"ids": ids}))
    # A webhook moves its item inside the event's own transaction; its notice says which item.
    services.notices.subscribe(lambda n: media.announce([str(n.payload.get("itemKey"))]), topics=[Topic.MEDIA_EVENT])
    m = services.methods

    @m.method("media.timeline", READ)
    async def media_timeline(call: MethodCall) -> dict[str, Any]:
        key, download_id = call.params.get("key"), call.params.get("downloadId")
        if isinstance(key, str) and key:
            return {"key": key, "events": await media.timeline(key)}
        if isinstance(download_id, str) and download_id:
            return {"downloadId": download_id, "events": await media.timeline_for_download(download_id)}
        raise MethodError("INVALID_REQUEST", "key or downloadId: expected a media item key (e.g. movie:tmdb:603) or a download id", {"field": "key"})

    @m.method("media.list", READ)
    async def media_list(call: MethodCall) -> dict[str, Any]:
        stuck, stage, limit = call.params.get("stuck"), call.params.get("stage"), call.params.get("limit", 1000)
        if stuck is not None and not isinstance(stuck, bool):
            raise MethodError("INVALID_REQUEST", "stuck: expected true or false", {"field": "stuck"})
        if stage is not None and stage not in {str(s) for s in Stage}:
            raise MethodError("INVALID_REQUEST", f"stage: expected one of {', '.join(Stage)}", {"field": "stage"})
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 10_000:
            raise MethodError("INVALID_REQUEST", "limit: expected an integer from 1 to 10000", {"field": "limit"})
        needed = media.needed()
        found = await media.items(stuck=stuck, stage=Stage(stage) if stage else None, limit=limit)
        counts = await media.stage_counts()
        apps = media.poller.apps if media.poller else {}
        return {"items": [i.to_json(needed) for i in found], "counts": counts, "apps": {k: v.to_json() for k, v in apps.items()}}

    @m.method("media.get", READ)
    async def media_get(call: MethodCall) -> dict[str, Any]:
        item_id = _item_id(call.params)
        found = await media.detail(item_id)
        if found is None:
            raise MethodError("NOT_FOUND", f"id: no tracked media item {item_id!r} (see media.list)", {"field": "id"})
        return found

    @m.method("media.fix", WRITE)
    async def media_fix(call: MethodCall) -> dict[str, Any]:
        item_id = _item_id(call.params)
        if await media.item(item_id) is None:
            raise MethodError("NOT_FOUND", f"id: no tracked media item {item_id!r} (see media.list)", {"field": "id"})
        if media.fixer is None:
            raise MethodError("UNAVAILABLE", "no media fixes are running (ops.runbooksEnabled, media.fixesEnabled)")
        rungs = call.params.get("rungs", 1)
        if isinstance(rungs, bool) or not isinstance(rungs, int) or not 1 <= rungs <= MAX_RUNGS:
            raise MethodError("INVALID_REQUEST", f"rungs: expected a whole number from 1 to {MAX_RUNGS}", {"field": "rungs"})
        return await media.fixer(item_id, f"operator:{call.caller.operator}", rungs)

    def connect() -> bool:
        """(Re)build the clients from `media.apps` and the offered apps; start polling once there are any."""
        settings = services.config.settings.media
        try:
            clients = from_config(settings.apps, services.find(MEDIA_ENDPOINTS), timeout_s=settings.request_timeout)
        except ValueError as exc:
            log.error("media.clients_not_built", extra={"detail": str(exc)})
            return False
        old, media.clients = media.clients, clients
        services.supervisor.start("media.clients.close", old.aclose())
        if len(clients) and media.poller is None:
            media.poller = Poller(lambda: media.clients, media.events.db.run, lambda: services.config.settings.media,
                                  lambda: services.config.settings.ops.policy.media.protected_tag, media.events.clock)
            services.supervisor.start("media.poll", media.run(OfferedClock(lambda: services.find(CLOCK))))
        return True

    def on_config(old: Any, new: Any) -> None:
        # Apps added, removed or re-keyed apply live: the next poll and the next action use the new clients.
        before, after = old.settings.media, new.settings.media
        if (before.apps, before.request_timeout) != (after.apps, after.request_timeout):
            connect()

    async def start() -> None:
        connect()
        services.config.on_change(on_config)

    async def stop() -> None:
        await media.cancel()
        await media.clients.aclose()

    services.startup.append(start)
    services.shutdown.append(stop)
    return media
