"""The media capability inside the gateway: links *arr and Seerr events into one timeline per item
(in the event's own processing transaction), prunes them with the events, and answers `media.timeline`.

Others reach it as `media_of(services)`:

    media = media_of(services)
    await media.timeline("movie:tmdb:603")               # the item's history, oldest first
    await media.timeline_for_download("SABnzbd_nzo_p9k2tq")
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from openclaw.core.slots import Slot
from openclaw.events import Events, events_of
from openclaw.core.methods import READ, MethodCall, MethodError
from openclaw.media import timelines

if TYPE_CHECKING:
    from openclaw.core.services import Services



class Media:
    def __init__(self, events: Events) -> None:
        self.events = events
        events.db.add_schema(timelines.SCHEMA)
        for source in timelines.MEDIA_SOURCES:
            events.register(source, timelines.link_media_event)
        events.on_prune(timelines.prune_timeline)

    async def timeline(self, item_key: str) -> list[dict[str, Any]]:
        return await self.events.db.run(lambda conn: timelines.media_timeline(conn, item_key))

    async def timeline_for_download(self, download_id: str) -> list[dict[str, Any]]:
        def query(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            key = timelines.item_for_download(conn, download_id)
            return timelines.media_timeline(conn, key) if key else []

        return await self.events.db.run(query)

    async def items_by_last_event(self) -> dict[str, int]:
        return await self.events.db.run(timelines.items_by_last_event)


MEDIA: Slot[Media] = Slot("media", "the media capability is not running")
# The media apps another capability (the embedded sandbox) offers: {app: {"url", "apiKey"} | {"url", "username", "password"}}.
MEDIA_ENDPOINTS: Slot[dict[str, dict[str, str]]] = Slot("media.endpoints", "no media apps were offered")


def media_of(services: Services) -> Media:
    return services.get(MEDIA)


def install(services: Services) -> Media:
    media = Media(events_of(services))
    services.put(MEDIA, media)

    @services.methods.method("media.timeline", READ)
    async def media_timeline(call: MethodCall) -> dict[str, Any]:
        key, download_id = call.params.get("key"), call.params.get("downloadId")
        if isinstance(key, str) and key:
            return {"key": key, "events": await media.timeline(key)}
        if isinstance(download_id, str) and download_id:
            return {"downloadId": download_id, "events": await media.timeline_for_download(download_id)}
        raise MethodError("INVALID_REQUEST", "key or downloadId: expected a media item key (e.g. movie:tmdb:603) or a download id", {"field": "key"})

    return media
