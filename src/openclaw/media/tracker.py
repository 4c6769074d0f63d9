"""The tracker's table: one record per requested or monitored item, joined on the ids the apps share.

An item's id is the timeline's key (`movie:tmdb:<id>`, `tv:tvdb:<id>`), so its webhooks, its polled
state and its actions meet on one record. Webhooks move it on inside the event's own processing
transaction (`on_event`, called by `timelines.link_media_event`); the poller writes what it observed
(`observe`). Stages only move forward, except where a fix sends an item back to searching.

The item JSON (`item_json`; `media.list` gives it without `timeline` and `actions`):

    {"id": "movie:tmdb:438631", "kind": "movie", "title": "Dune (2021)",
     "stage": "downloading", "stageSince": 1733212800.0, "firstSeen": ..., "updatedAt": ...,
     "app": "radarr",                       # the *arr instance that has it (null until one does)
     "ids": {"tmdb": 438631, "tvdb": null, "arr": 12, "seerrRequest": 7, "seerrMedia": 8, "jellyfin": null},
     "downloadId": "9F3C...",               # qBittorrent hash upper-cased, as Sonarr/Radarr report it
     "download": {"client": "qbittorrent", "state": "stalledDL", "progress": 0.0, "bytesDone": 0,
                  "size": 8000000000, "private": false, "tags": []} | null,
     "queue": {"ids": [31], "status": "warning", "trackedDownloadState": "downloading",
               "trackedDownloadStatus": "warning", "messages": ["The download is stalled with no connections"]} | null,
     "request": {"status": 2, "mediaStatus": 3, "createdAt": "2026-..."} | null,
     "stuck": true, "stuckReason": "stalled" | null, "stuckDetail": "qBittorrent state stalledDL ...",
     "strikes": {"stalled": 3}, "protected": false, "incident": "inc-4" | null,
     "ladder": ["media.download.reannounce"],   # fixes tried for the current stuck reason
     "escalated": false,
     "timeline": [...],                     # media.get only: media.timeline's events, oldest first
     "actions": [...]}                      # media.get only: the audit records of fixes on this item
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openclaw.media.stages import Stage

SCHEMA = """
CREATE TABLE IF NOT EXISTS media_tracked (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT,
  stage TEXT NOT NULL,
  stage_at REAL NOT NULL,
  first_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  app TEXT,
  ids TEXT NOT NULL DEFAULT '{}',
  download_id TEXT,
  state TEXT NOT NULL DEFAULT '{}',
  stuck_reason TEXT,
  stuck_detail TEXT,
  strikes TEXT NOT NULL DEFAULT '{}',
  protected INTEGER NOT NULL DEFAULT 0,
  incident TEXT,
  ladder TEXT NOT NULL DEFAULT '[]',
  escalated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS media_tracked_download ON media_tracked(download_id);
CREATE INDEX IF NOT EXISTS media_tracked_stage ON media_tracked(stage);
"""

COLUMNS = "id, kind, title, stage, stage_at, first_at, updated_at, app, ids, download_id, state, stuck_reason, stuck_detail, strikes, protected, incident, ladder, escalated"


@dataclass
class Tracked:
    id: str
    kind: str
    title: str | None
    stage: Stage
    stage_at: float
    first_at: float
    updated_at: float
    app: str | None = None
    ids: dict[str, Any] = field(default_factory=dict)
    download_id: str | None = None
    state: dict[str, Any] = field(default_factory=dict)  # the last observed download / queue / request snapshots
    stuck_reason: str | None = None
    stuck_detail: str | None = None
    strikes: dict[str, int] = field(default_factory=dict)
    protected: bool = False
    incident: str | None = None
    ladder: list[str] = field(default_factory=list)
    escalated: bool = False

    def stuck(self, needed: Mapping[str, int]) -> bool:
        """Stuck: the current reason has struck on as many consecutive checks as it needs."""
        return self.stuck_reason is not None and self.strikes.get(self.stuck_reason, 0) >= needed.get(self.stuck_reason, 3)

    def to_json(self, needed: Mapping[str, int]) -> dict[str, Any]:
        ids = {"tmdb": None, "tvdb": None, "mb": None, "arr": None, "seerrRequest": None, "seerrMedia": None, "jellyfin": None, **self.ids}
        return {
            "id": self.id, "kind": self.kind, "title": self.title, "stage": str(self.stage), "stageSince": self.stage_at,
            "firstSeen": self.first_at, "updatedAt": self.updated_at, "app": self.app, "ids": ids, "downloadId": self.download_id,
            "download": self.state.get("download"), "queue": self.state.get("queue"), "request": self.state.get("request"),
            "library": self.state.get("library"), "stuck": self.stuck(needed), "stuckReason": self.stuck_reason, "stuckDetail": self.stuck_detail, "strikes": dict(self.strikes),
            "protected": self.protected, "incident": self.incident, "ladder": list(self.ladder), "escalated": self.escalated,
        }


def _row(r: sqlite3.Row | tuple[Any, ...]) -> Tracked:
    return Tracked(r[0], r[1], r[2], Stage(r[3]), r[4], r[5], r[6], r[7], json.loads(r[8]), r[9], json.loads(r[10]), r[11], r[12],
                   json.loads(r[13]), bool(r[14]), r[15], json.loads(r[16]), bool(r[17]))


def get(conn: sqlite3.Connection, item_id: str) -> Tracked | None:
    row = conn.execute(f"SELECT {COLUMNS} FROM media_tracked WHERE id = ?", (item_id,)).fetchone()
    return _row(row) if row else None


def by_download(conn: sqlite3.Connection, download_id: str) -> Tracked | None:
    row = conn.execute(f"SELECT {COLUMNS} FROM media_tracked WHERE download_id = ? COLLATE NOCASE", (download_id,)).fetchone()
    return _row(row) if row else None


def all_items(conn: sqlite3.Connection, *, limit: int = 10_000) -> list[Tracked]:
    return [_row(r) for r in conn.execute(f"SELECT {COLUMNS} FROM media_tracked ORDER BY updated_at DESC LIMIT ?", (limit,))]


def stage_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {str(r[0]): int(r[1]) for r in conn.execute("SELECT stage, count(*) FROM media_tracked GROUP BY stage")}


def save(conn: sqlite3.Connection, item: Tracked) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO media_tracked ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (item.id, item.kind, item.title, str(item.stage), item.stage_at, item.first_at, item.updated_at, item.app, json.dumps(item.ids),
         item.download_id, json.dumps(item.state), item.stuck_reason, item.stuck_detail, json.dumps(item.strikes), int(item.protected),
         item.incident, json.dumps(item.ladder), int(item.escalated)),
    )


def ensure(conn: sqlite3.Connection, item_id: str, kind: str, title: str | None, now: float, stage: Stage = Stage.REQUESTED) -> Tracked:
    """The item, created at `stage` when it is new."""
    found = get(conn, item_id)
    if found is not None:
        if title and not found.title:
            found.title = title
        return found
    return Tracked(item_id, kind, title, stage, now, now, now)


def advance(item: Tracked, stage: Stage, now: float) -> bool:
    """Move forward to `stage` (never back); True when the stage changed. A new stage is progress:
    the strikes and the fix ladder start over."""
    if stage.rank <= item.stage.rank:
        return False
    set_stage(item, stage, now)
    return True


def set_stage(item: Tracked, stage: Stage, now: float) -> None:
    item.stage, item.stage_at, item.updated_at = stage, now, now
    item.strikes, item.stuck_reason, item.stuck_detail, item.ladder = {}, None, None, []
