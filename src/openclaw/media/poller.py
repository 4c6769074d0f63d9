"""Polling what no webhook reports: each cycle reads every configured app once (Seerr requests,
Sonarr/Radarr/Lidarr library and queue, qBittorrent torrents, SABnzbd jobs, Jellyfin's and Plex's
libraries), joins what it saw per item, and folds it into the tracker in one transaction.

An app that is down, slow or refuses the key is recorded in `apps` with its message and skipped for
this cycle: nothing it would have reported is changed, so no tracked item is lost or struck on stale
information (a download client that does not answer is not a stalled download).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from openclaw.config.schema import MediaSettings
from openclaw.media import timelines, tracker
from openclaw.media.clients.arr import ArrClient
from openclaw.media.clients.base import AppClient, MediaAppError
from openclaw.media.clients.jellyfin import JellyfinClient
from openclaw.media.clients.lidarr import LidarrClient
from openclaw.media.clients.plex import PlexClient, item_ids
from openclaw.media.clients.qbittorrent import QbittorrentClient
from openclaw.media.clients.radarr import RadarrClient
from openclaw.media.clients.registry import MediaClients
from openclaw.media.clients.sabnzbd import SabnzbdClient
from openclaw.media.clients.seerr import SeerrClient
from openclaw.media.clients.sonarr import SonarrClient
from openclaw.media.lookup import SERVES
from openclaw.media.stages import Stage
from openclaw.media.stuck import MEDIA_AVAILABLE, Observation, apply
from openclaw.media.tracker import set_stage

log = logging.getLogger(__name__)

Run = Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]]
SEERR_STAGE = {1: Stage.REQUESTED, 2: Stage.APPROVED, 5: Stage.APPROVED}
HISTORY_LOOKBACK = timedelta(hours=24)  # how far back the first poll after a start looks for failures
QUEUE_STAGE = {"downloading": Stage.DOWNLOADING, "importPending": Stage.IMPORTING, "importing": Stage.IMPORTING,
               "importBlocked": Stage.IMPORTING, "importFailed": Stage.IMPORTING, "imported": Stage.IMPORTED}
DOWNLOAD_CLIENTS = (QbittorrentClient, SabnzbdClient)
MEBI = 1024 * 1024


@dataclass
class AppStatus:
    ok: bool
    error: str | None
    checked_at: float

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "error": self.error, "checkedAt": self.checked_at}


@dataclass
class Cycle:
    """One poll's observations by item id, and each app's answer."""

    seen: dict[str, Observation] = field(default_factory=dict)
    kinds: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (kind, title)
    apps: dict[str, AppStatus] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)  # kinds of app that answered this cycle

    def at(self, item_id: str, kind: str, title: str | None) -> Observation:
        if item_id not in self.kinds or (title and not self.kinds[item_id][1]):
            self.kinds[item_id] = (kind, title)
        return self.seen.setdefault(item_id, Observation())


def _epoch(text: object) -> float | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


async def _failures(cycle: Cycle, client: ArrClient, by_arr_id: dict[int, str], since: datetime) -> datetime:
    """`history/since?eventType=downloadFailed`: failures Sonarr/Radarr send no webhook for. Returns the new cursor."""
    cursor = since
    for rec in await client.history_since(since, "downloadFailed"):
        owner = by_arr_id.get(rec.get(client.owner_field))  # type: ignore[arg-type]  # None when absent
        at = _epoch(rec.get("date"))
        if owner is None or at is None:
            continue
        cursor = max(cursor, datetime.fromtimestamp(at, UTC))
        message = (rec.get("data") or {}).get("message") or "download failed"
        cycle.seen[owner].history.append((f"history:{client.name}:{rec.get('id')}", at, client.name, "downloadFailed", rec.get("downloadId"),
                                          f"{client.name} downloadFailed {rec.get('sourceTitle')}: {message}"))
    return cursor


async def _arr(cycle: Cycle, client: ArrClient, since: datetime) -> tuple[dict[str, str], datetime]:
    """Library and queue of one *arr; returns download id -> item id for the download clients."""
    by_arr_id: dict[int, str] = {}
    for rec in await client.library():
        item_id = client.item_id(rec)
        if item_id is None or not rec.get("monitored", True):
            continue
        by_arr_id[int(rec["id"])] = item_id
        seen = cycle.at(item_id, client.media_kind, client.title_of(rec))
        seen.app = client.name
        if client.media_kind == "music":
            seen.ids.update({"arr": rec.get("id"), "mb": rec.get("foreignArtistId")})
        else:
            seen.ids.update({"arr": rec.get("id"), "tmdb": rec.get("tmdbId") or None, "tvdb": rec.get("tvdbId") or None})
        seen.stage = Stage.IMPORTED if client.complete(rec) else Stage.SEARCHING
    downloads: dict[str, str] = {}
    for rec in await client.queue():
        arr_id = rec.get(client.owner_field)
        owner = by_arr_id.get(arr_id) if isinstance(arr_id, int) else None
        download_id = str(rec.get("downloadId") or "")
        if owner is None or not download_id:
            continue
        seen = cycle.seen[owner]
        queue = seen.queue or {"ids": [], "status": rec.get("status"), "trackedDownloadState": rec.get("trackedDownloadState"),
                               "trackedDownloadStatus": rec.get("trackedDownloadStatus"), "messages": []}
        queue["ids"].append(rec.get("id"))
        for sm in rec.get("statusMessages") or []:
            queue["messages"].extend(m for m in sm.get("messages") or [] if m not in queue["messages"])
        queue["outputPath"] = rec.get("outputPath")
        seen.queue, seen.download_id = queue, download_id
        stage = QUEUE_STAGE.get(str(rec.get("trackedDownloadState")), Stage.DOWNLOADING)
        seen.stage = stage if seen.stage is None or seen.stage is Stage.SEARCHING or stage.rank > seen.stage.rank else seen.stage
        downloads[download_id.upper()] = owner
    return downloads, await _failures(cycle, client, by_arr_id, since)


async def _seerr(cycle: Cycle, client: SeerrClient) -> None:
    for req in await client.requests():
        media = req.get("media") or {}
        tmdb, tvdb = media.get("tmdbId"), media.get("tvdbId")
        kind = "movie" if req.get("type") == "movie" else "tv"
        item_id = f"movie:tmdb:{tmdb}" if kind == "movie" else (f"tv:tvdb:{tvdb}" if tvdb else f"tv:tmdb:{tmdb}")
        seen = cycle.at(item_id, kind, None)
        seen.ids.update({"seerrRequest": req.get("id"), "seerrMedia": media.get("id"), "tmdb": tmdb, "tvdb": tvdb,
                         "jellyfin": media.get("jellyfinMediaId")})
        seen.request = {"status": req.get("status"), "mediaStatus": media.get("status"), "createdAt": req.get("createdAt"), "app": client.name}
        stage = Stage.AVAILABLE if media.get("status") == MEDIA_AVAILABLE else SEERR_STAGE.get(int(req.get("status") or 0))
        if stage is not None and (seen.stage is None or stage.rank > seen.stage.rank):
            seen.stage = stage


async def _torrents(cycle: Cycle, client: QbittorrentClient, downloads: dict[str, str], protected_tag: str) -> None:
    for t in await client.torrents():
        item_id = downloads.get(str(t.get("hash", "")).upper())
        if item_id is None:
            continue
        tags = {x.strip().lower() for x in str(t.get("tags") or "").split(",") if x.strip()}
        size = int(t.get("size") or t.get("total_size") or 0)
        seen = cycle.seen[item_id]
        seen.download = {"client": client.name, "state": t.get("state"), "progress": float(t.get("progress") or 0),
                         "bytesDone": int(t.get("completed") or t.get("downloaded") or size - int(t.get("amount_left") or 0)),
                         "size": size, "private": bool(t.get("private") or t.get("is_private")), "seeds": t.get("num_seeds"),
                         "tags": sorted(tags), "contentPath": t.get("content_path")}
        seen.protected = seen.protected or protected_tag.lower() in tags


async def _nzbs(cycle: Cycle, client: SabnzbdClient, downloads: dict[str, str]) -> None:
    """SABnzbd's queue and history: a job's status (Failed with its fail_message) is the download's state."""
    for job in await client.jobs():
        item_id = downloads.get(str(job.get("nzo_id", "")).upper())
        if item_id is None:
            continue
        size = int(job.get("bytes") or float(job.get("mb") or 0) * MEBI)
        if job["where"] == "queue":
            progress = float(job.get("percentage") or 0) / 100
            done = int(size - float(job.get("mbleft") or 0) * MEBI)
        else:
            progress, done = 1.0, int(job.get("downloaded") or size)
        cycle.seen[item_id].download = {"client": client.name, "protocol": "usenet", "id": job.get("nzo_id"), "state": job.get("status"),
                                        "progress": progress, "bytesDone": done, "size": size, "private": False, "tags": [],
                                        "failMessage": job.get("fail_message") or None}


async def _server_has(client: AppClient) -> set[str]:
    """The tracker ids a media server lists."""
    have: set[str] = set()
    if isinstance(client, PlexClient):
        for entry in await client.library():
            have |= item_ids(entry)
        return have
    assert isinstance(client, JellyfinClient)
    for entry in await client.library():
        ids = {k.lower(): v for k, v in (entry.get("ProviderIds") or {}).items()}
        if entry.get("Type") == "Movie" and ids.get("tmdb"):
            have.add(f"movie:tmdb:{ids['tmdb']}")
        if entry.get("Type") == "Series" and ids.get("tvdb"):
            have.add(f"tv:tvdb:{ids['tvdb']}")
    return have


def _library(cycle: Cycle, listed: dict[AppClient, set[str]]) -> None:
    """Which servers list each item: one is enough for "in library"; each that answered and does not
    list it is named in `missing_from`. Seerr requests no music, so for a Lidarr artist every server
    listing it is the end of the pipeline (available)."""
    for item_id, seen in cycle.seen.items():
        kind = cycle.kinds[item_id][0]
        serving = {c: have for c, have in listed.items() if any(isinstance(c, cls) and kind in kinds for cls, kinds in SERVES.items())}
        if not serving:
            continue
        seen.in_library = any(item_id in have for have in serving.values())
        seen.missing_from = [c.name for c, have in serving.items() if item_id not in have]
        if seen.in_library and seen.stage is Stage.IMPORTED:
            seen.stage = Stage.AVAILABLE if kind == "music" and not seen.missing_from else Stage.IN_LIBRARY


class Poller:
    def __init__(self, clients: Callable[[], MediaClients], run: Run, settings: Callable[[], MediaSettings],
                 protected_tag: Callable[[], str], clock: Callable[[], float]) -> None:
        self._clients = clients
        self._run = run
        self._settings = settings
        self._protected_tag = protected_tag
        self._clock = clock
        self.apps: dict[str, AppStatus] = {}
        self._since: dict[str, datetime] = {}  # per *arr: the newest failure seen (history/since cursor)

    async def _try(self, cycle: Cycle, client: AppClient, step: Awaitable[Any]) -> Any:
        try:
            result = await step
        except MediaAppError as exc:
            cycle.apps[client.name] = AppStatus(False, str(exc), self._clock())
            log.warning("media.app_unavailable", extra={"app": client.name, "reason": exc.reason, "detail": str(exc)})
            return None
        cycle.apps[client.name] = AppStatus(True, None, self._clock())
        cycle.answered.add(client.kind)
        return result

    async def observe(self) -> Cycle:
        """Read every app once."""
        cycle = Cycle()
        clients = self._clients()
        tag = self._protected_tag()
        seerr = clients.of(SeerrClient)
        if seerr is not None:
            await self._try(cycle, seerr, _seerr(cycle, seerr))
        downloads: dict[str, str] = {}
        for arr in (clients.of(RadarrClient), clients.of(SonarrClient), clients.of(LidarrClient)):
            if arr is not None:
                since = self._since.get(arr.name) or datetime.now(UTC) - HISTORY_LOOKBACK
                found = await self._try(cycle, arr, _arr(cycle, arr, since))
                if found is not None:
                    downloads.update(found[0])
                    self._since[arr.name] = found[1]
        qbit = clients.of(QbittorrentClient)
        if qbit is not None:
            await self._try(cycle, qbit, _torrents(cycle, qbit, downloads, tag))
        sab = clients.of(SabnzbdClient)
        if sab is not None:
            await self._try(cycle, sab, _nzbs(cycle, sab, downloads))
        listed: dict[AppClient, set[str]] = {}
        for server in (clients.of(JellyfinClient), clients.of(PlexClient)):
            if server is not None:
                have = await self._try(cycle, server, _server_has(server))
                if have is not None:
                    listed[server] = have
        _library(cycle, listed)
        self.apps.update(cycle.apps)
        return cycle

    async def poll(self) -> list[tracker.Tracked]:
        """One cycle: observe, then fold into the tracker; returns the items it changed."""
        cycle = await self.observe()
        now = self._clock()
        # A download client that did not answer leaves its items as they were (not struck on stale state).
        trustworthy = all(c.kind in cycle.answered for c in self._clients() if isinstance(c, DOWNLOAD_CLIENTS))

        def write(conn: sqlite3.Connection) -> list[tracker.Tracked]:
            changed = []
            for item_id, seen in cycle.seen.items():
                kind, title = cycle.kinds[item_id]
                item = tracker.ensure(conn, item_id, kind, title, now, seen.stage or Stage.SEARCHING)
                if seen.download is None and seen.queue is not None and not trustworthy:
                    continue  # the download client did not answer: leave the item as it was
                seen.checked = set(cycle.answered)
                for event_id, at, app, kind, download_id, summary in seen.history:
                    added = timelines.add_polled(conn, item_id, event_id, at, app, kind, download_id, summary)
                    if added and download_id and item.download_id and download_id.upper() == item.download_id.upper():
                        # The app's failed-download handling dropped it (and searches again unless told not to).
                        set_stage(item, Stage.SEARCHING, now)
                        item.download_id = None
                apply(item, seen, now)
                tracker.save(conn, item)
                changed.append(item)
            return changed

        return list(await self._run(write))
