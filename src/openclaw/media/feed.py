"""Webhooks -> tracker: each stored *arr or Seerr event moves its item on, in the event's own
processing transaction (so an item moves exactly once per event, and survives a restart with it)."""

from __future__ import annotations

import sqlite3
from typing import Any

from openclaw.events.models.arr import ArrEvent
from openclaw.events.models.seerr import SeerrNotification
from openclaw.media import tracker
from openclaw.media.stages import Stage, Stuck

ARR_STAGES = {"Grab": Stage.GRABBED, "Download": Stage.IMPORTED, "ManualInteractionRequired": Stage.IMPORTING,
              "MovieAdded": Stage.SEARCHING, "SeriesAdd": Stage.SEARCHING}
SEERR_STAGES = {"MEDIA_PENDING": Stage.REQUESTED, "MEDIA_APPROVED": Stage.APPROVED, "MEDIA_AUTO_APPROVED": Stage.APPROVED,
                "MEDIA_AVAILABLE": Stage.AVAILABLE}


def on_event(conn: sqlite3.Connection, key: str, kind: str, title: str | None, source: str, type: str, model: Any, now: float) -> None:
    if isinstance(model, ArrEvent):
        stage = ARR_STAGES.get(type)
        if stage is None:
            return
        item = tracker.ensure(conn, key, kind, title, now, stage)
        item.app = item.app or source
        ids = item.ids
        if model.movie is not None:
            ids.update(tmdb=model.movie.tmdb_id or ids.get("tmdb"), arr=model.movie.id or ids.get("arr"))
        if model.series is not None:
            ids.update(tvdb=model.series.tvdb_id or ids.get("tvdb"), arr=model.series.id or ids.get("arr"))
        if model.download_id and type == "Grab":
            item.download_id = model.download_id
        tracker.advance(item, stage, now)
        if type == "ManualInteractionRequired":
            # The app asks for a person: one strike now, the poller confirms it from the queue.
            item.stuck_reason, item.stuck_detail = str(Stuck.IMPORT_BLOCKED), f"{source} asks for manual interaction ({model.download_status or 'import blocked'})"
            item.strikes[str(Stuck.IMPORT_BLOCKED)] = item.strikes.get(str(Stuck.IMPORT_BLOCKED), 0) + 1
        item.updated_at = now
        tracker.save(conn, item)
        return
    if isinstance(model, SeerrNotification):
        stage = SEERR_STAGES.get(type)
        failed = type == "MEDIA_FAILED"
        if stage is None and not failed:
            return
        item = tracker.ensure(conn, key, kind, title, now, stage or Stage.REQUESTED)
        if model.request is not None and model.request.request_id:
            item.ids["seerrRequest"] = model.request.request_id
        if model.media is not None:
            item.ids.update(tmdb=model.media.tmdb_id or item.ids.get("tmdb"), tvdb=model.media.tvdb_id or item.ids.get("tvdb"))
        if stage is not None:
            tracker.advance(item, stage, now)
        if failed:
            item.stuck_reason, item.stuck_detail = str(Stuck.REQUEST_FAILED), "Seerr could not hand the request to Sonarr/Radarr (MEDIA_FAILED)"
            item.strikes[str(Stuck.REQUEST_FAILED)] = item.strikes.get(str(Stuck.REQUEST_FAILED), 0) + 1
        item.updated_at = now
        tracker.save(conn, item)
