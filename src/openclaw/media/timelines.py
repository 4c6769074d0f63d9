"""Media timelines: *arr and Seerr events linked into one history per media item.

An item is keyed by the id the apps share where there is one (`movie:tmdb:<id>`, `tv:tvdb:<id>`,
`music:mb:<id>`), so a Seerr request and the Radarr import of the same movie land on one timeline;
otherwise by the app's own id (`readarr:author:<id>`). `downloadId` links a queue item's Grab,
ManualInteractionRequired and Download events even when a later event does not name the item.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, cast

from openclaw.events.models.arr import ArrEvent
from openclaw.events.models.seerr import SeerrNotification
from openclaw.core.notices import Notice
from openclaw.core.topics import Topic
from openclaw.events.processor import Processing
from openclaw.media import feed

SCHEMA = """
CREATE TABLE IF NOT EXISTS media_items (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT,
  first_at REAL NOT NULL,
  last_at REAL NOT NULL,
  last_type TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS media_downloads (
  download_id TEXT PRIMARY KEY,
  item_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS media_timeline (
  event_id TEXT NOT NULL,
  item_key TEXT NOT NULL,
  at REAL NOT NULL,
  source TEXT NOT NULL,
  type TEXT NOT NULL,
  download_id TEXT,
  summary TEXT NOT NULL,
  PRIMARY KEY (item_key, event_id)
);
CREATE INDEX IF NOT EXISTS media_timeline_at ON media_timeline(at);
"""

MEDIA_SOURCES = ("sonarr", "radarr", "lidarr", "readarr", "seerr")
# Events that are about the app, not about a media item.
NOT_MEDIA_TYPES = frozenset({"Test", "Health", "HealthRestored", "ApplicationUpdate", "TEST_NOTIFICATION"})


@dataclass(frozen=True, slots=True)
class MediaRef:
    key: str
    kind: str
    title: str | None


def arr_media_ref(source: str, event: ArrEvent) -> MediaRef | None:
    if event.series is not None:
        s = event.series
        key = f"tv:tvdb:{s.tvdb_id}" if s.tvdb_id else f"{source}:series:{s.id}"
        return MediaRef(key, "tv", s.title)
    if event.movie is not None:
        m = event.movie
        key = f"movie:tmdb:{m.tmdb_id}" if m.tmdb_id else f"{source}:movie:{m.id}"
        return MediaRef(key, "movie", m.title)
    if event.artist is not None:
        a = event.artist
        key = f"music:mb:{a.mb_id}" if a.mb_id else f"{source}:artist:{a.id}"
        return MediaRef(key, "music", a.name)
    if event.author is not None:
        return MediaRef(f"{source}:author:{event.author.id}", "book", event.author.name)
    return None


def seerr_media_ref(note: SeerrNotification) -> MediaRef | None:
    media = note.media
    if media is None:
        return None
    title = note.subject
    if media.media_type == "movie" and media.tmdb_id:
        return MediaRef(f"movie:tmdb:{media.tmdb_id}", "movie", title)
    if media.media_type == "tv":
        if media.tvdb_id:
            return MediaRef(f"tv:tvdb:{media.tvdb_id}", "tv", title)
        if media.tmdb_id:
            return MediaRef(f"tv:tmdb:{media.tmdb_id}", "tv", title)
    return None


def summarize(source: str, type: str, model: Any) -> str:
    if isinstance(model, ArrEvent):
        parts = [f"{source} {type}"]
        if model.release and model.release.release_title:
            parts.append(model.release.release_title)
        if model.is_upgrade:
            parts.append("(upgrade)")
        if model.download_status:
            parts.append(f"status {model.download_status}")
        return " ".join(parts)
    if isinstance(model, SeerrNotification):
        return f"seerr {type}" + (f": {model.subject}" if model.subject else "")
    return f"{source} {type}"


def link_media_event(conn: sqlite3.Connection, work: Processing) -> list[Notice]:
    """The processor's handler for media sources: put the event on its item's timeline."""
    event = work.event
    if event.type in NOT_MEDIA_TYPES:
        return []
    download_id: str | None = None
    if isinstance(work.model, ArrEvent):
        ref = arr_media_ref(event.source, work.model)
        download_id = work.model.download_id
    else:
        ref = seerr_media_ref(cast(SeerrNotification, work.model))
    key = ref.key if ref else None
    if key is None and download_id:
        row = conn.execute("SELECT item_key FROM media_downloads WHERE download_id = ?", (download_id,)).fetchone()
        key = row[0] if row else None
    if key is None:
        return []
    if download_id:
        conn.execute("INSERT OR REPLACE INTO media_downloads (download_id, item_key) VALUES (?, ?)", (download_id, key))
    conn.execute(
        "INSERT INTO media_items (key, kind, title, first_at, last_at, last_type) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET title = COALESCE(excluded.title, media_items.title), last_at = excluded.last_at, last_type = excluded.last_type",
        (key, ref.kind if ref else "unknown", ref.title if ref else None, event.received_at, event.received_at, event.type),
    )
    feed.on_event(conn, key, ref.kind if ref else "unknown", ref.title if ref else None, event.source, event.type, work.model, event.received_at)
    summary = summarize(event.source, event.type, work.model)
    conn.execute(
        "INSERT OR IGNORE INTO media_timeline (event_id, item_key, at, source, type, download_id, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (event.id, key, event.received_at, event.source, event.type, download_id, summary),
    )
    return [Notice(Topic.MEDIA_EVENT, {"itemKey": key, "eventId": event.id, "source": event.source, "type": event.type, "downloadId": download_id, "summary": summary})]


def add_polled(conn: sqlite3.Connection, item_key: str, event_id: str, at: float, source: str, type: str, download_id: str | None, summary: str) -> bool:
    """A timeline entry the poller found (an app's history record no webhook reported); once per `event_id`."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO media_timeline (event_id, item_key, at, source, type, download_id, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (event_id, item_key, at, source, type, download_id, summary),
    )
    return cur.rowcount > 0


# --- queries ---


def media_timeline(conn: sqlite3.Connection, item_key: str) -> list[dict[str, Any]]:
    """The item's events, oldest first."""
    rows = conn.execute(
        "SELECT event_id, at, source, type, download_id, summary FROM media_timeline WHERE item_key = ? ORDER BY at, rowid", (item_key,)
    ).fetchall()
    return [{"eventId": r[0], "at": r[1], "source": r[2], "type": r[3], "downloadId": r[4], "summary": r[5]} for r in rows]


def item_for_download(conn: sqlite3.Connection, download_id: str) -> str | None:
    row = conn.execute("SELECT item_key FROM media_downloads WHERE download_id = ?", (download_id,)).fetchone()
    return row[0] if row else None


def media_items(conn: sqlite3.Connection, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT key, kind, title, first_at, last_at, last_type FROM media_items ORDER BY last_at DESC LIMIT ?", (limit,)).fetchall()
    return [{"key": r[0], "kind": r[1], "title": r[2], "firstAt": r[3], "lastAt": r[4], "lastType": r[5]} for r in rows]


def prune_timeline(conn: sqlite3.Connection, before: float) -> int:
    cur = conn.execute("DELETE FROM media_timeline WHERE at < ?", (before,))
    conn.execute("DELETE FROM media_items WHERE last_at < ?", (before,))
    return cur.rowcount

