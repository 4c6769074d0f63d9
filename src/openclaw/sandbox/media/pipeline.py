"""The media pipeline: request -> approve -> search -> grab -> download -> import -> library -> available.

All apps share one `MediaState`; this class is the only thing that changes it. Time is simulated:
`tick()` moves downloads and due steps forward to the clock's now. Each step queues the webhook the
real app sends at that point.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openclaw.sandbox.media import indexer, webhooks
from openclaw.sandbox.media.catalog import DEFAULT_CATALOG, Catalog
from openclaw.sandbox.media.faults import MediaFaults
from openclaw.sandbox.media.recorder import RequestRecorder
from openclaw.sandbox.media.state import (
    MEDIA_AVAILABLE,
    MEDIA_PARTIALLY_AVAILABLE,
    MEDIA_PROCESSING,
    REQUEST_APPROVED,
    REQUEST_COMPLETED,
    REQUEST_DECLINED,
    REQUEST_FAILED,
    App,
    BlocklistEntry,
    Command,
    Episode,
    HistoryRecord,
    JellyfinItem,
    MediaState,
    Movie,
    QueueItem,
    Release,
    SeerrRequest,
    SeerrUser,
    Series,
    Torrent,
)
from openclaw.sandbox.simclock import SimClock

log = logging.getLogger(__name__)

SERIES_COMMANDS = {"EpisodeSearch", "SeasonSearch", "SeriesSearch", "MissingEpisodeSearch", "RefreshMonitoredDownloads", "RefreshSeries", "RescanSeries",
                   "DownloadedEpisodesScan"}
MOVIE_COMMANDS = {"MoviesSearch", "MissingMoviesSearch", "RefreshMonitoredDownloads", "RefreshMovie", "RescanMovie", "DownloadedMoviesScan"}
NOT_ELIGIBLE = "No files found are eligible for import in {path}"
# What Sonarr's and Radarr's health checks say when a dependency is unreachable: (check, level, message).
HEALTH_CHECKS = {
    "qbittorrent": ("DownloadClientCheck", "error", "Unable to communicate with qBittorrent. Connection refused (qbittorrent.media.svc.cluster.local:8080)"),
    "prowlarr": ("IndexerStatusCheck", "warning", "Indexers unavailable due to failures: TorrentLeech (Prowlarr), IPTorrents (Prowlarr), Nyaa (Prowlarr)"),
}


class MediaError(Exception):
    """A request the simulated app refuses; `field` names the offending input, `status` the HTTP code."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


@dataclass(frozen=True, slots=True)
class Timings:
    """Simulated seconds each step takes."""

    command: float = 2.0
    download_bytes_per_s: float = 50_000_000.0
    import_delay: float = 5.0
    library_scan_delay: float = 5.0
    availability_sync: float = 30.0


@dataclass
class MediaPipeline:
    clock: SimClock
    catalog: Catalog = DEFAULT_CATALOG
    sender: webhooks.WebhookSender = field(default_factory=webhooks.WebhookSender)
    timings: Timings = field(default_factory=Timings)
    faults: MediaFaults = field(default_factory=MediaFaults)
    app_urls: dict[str, str] = field(default_factory=dict)
    state: MediaState = field(default_factory=MediaState)
    # app -> (source, level, message) shown by its /health endpoint
    health_issues: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    # Every request the simulated apps received (for tests that assert on the calls made).
    received: RequestRecorder = field(default_factory=RequestRecorder)
    # Dependencies the homelab can take down: "qbittorrent" (download client), "prowlarr" (indexers).
    down: set[str] = field(default_factory=set)
    # Indexer ids Prowlarr has disabled after failures (its /indexerstatus).
    indexers_disabled: set[int] = field(default_factory=set)
    _last: float = 0.0
    _scan_due: float | None = None
    _sync_due: float = 0.0

    def __post_init__(self) -> None:
        self.state.users[1] = SeerrUser(1, "admin", "admin@homelab.local", auto_approve=True)
        self.state.users[2] = SeerrUser(2, "family", "family@homelab.local", auto_approve=False)
        self._last = self.clock.seconds()

    # ---- seed ---------------------------------------------------------------------------------
    def seed_library(self) -> None:
        """A lived-in homelab: some titles already downloaded, imported and in Jellyfin."""
        now = self.clock.now()
        expanse = self.add_series(280619, search=False)
        for ep in self.state.episodes_of(expanse.id):
            if ep.season == 1:
                ep.file_id, ep.file_size = self.state.next_id(), 1_400_000_000
                self.state.unscanned.append(("series", expanse.id, ep.season, ep.number))
        for tmdb in (329865, 286217):
            movie = self.add_movie(tmdb, search=False)
            movie.file_id, movie.file_size, movie.file_added = self.state.next_id(), 8_000_000_000, now
            self.state.unscanned.append(("movie", movie.id, None, None))
        self._scan_library()

    # ---- Sonarr / Radarr ----------------------------------------------------------------------
    def add_series(self, tvdb_id: int, *, monitored: bool = True, search: bool = True, seasons: list[int] | None = None) -> Series:
        title = self.catalog.series_by_tvdb(tvdb_id)
        if title is None:
            raise MediaError(f"tvdbId {tvdb_id} is not a series the indexers know", field="tvdbId", status=404)
        existing = next((s for s in self.state.series.values() if s.title.tvdb_id == tvdb_id), None)
        series = existing or Series(self.state.next_id(), title, self.clock.now(), monitored)
        if existing is None:
            self.state.series[series.id] = series
            for season, count in title.seasons.items():
                for number in range(1, count + 1):
                    eid = self.state.next_id()
                    self.state.episodes[eid] = Episode(eid, series.id, season, number, f"Episode {number}", f"{title.year + season - 1}-02-{min(number, 28):02d}",
                                                       monitored and (seasons is None or season in seasons))
        if seasons is not None:
            for ep in self.state.episodes_of(series.id):
                ep.monitored = ep.monitored or ep.season in seasons
        if search:
            self.queue_command("sonarr", "SeriesSearch", {"seriesId": series.id})
        return series

    def add_movie(self, tmdb_id: int, *, monitored: bool = True, search: bool = True) -> Movie:
        title = self.catalog.movie_by_tmdb(tmdb_id)
        if title is None:
            raise MediaError(f"tmdbId {tmdb_id} is not a movie the indexers know", field="tmdbId", status=404)
        movie = next((m for m in self.state.movies.values() if m.title.tmdb_id == tmdb_id), None)
        if movie is None:
            movie = Movie(self.state.next_id(), title, self.clock.now(), monitored)
            self.state.movies[movie.id] = movie
        if search:
            self.queue_command("radarr", "MoviesSearch", {"movieIds": [movie.id]})
        return movie

    def queue_command(self, app: App, name: str, params: dict[str, Any]) -> Command:
        known = SERIES_COMMANDS if app == "sonarr" else MOVIE_COMMANDS
        if name not in known:
            raise MediaError(f"name: unknown command {name!r}; expected one of {', '.join(sorted(known))}", field="name")
        cmd = Command(self.state.next_id(), app, name, params, self.clock.now(), due=self.clock.seconds() + self.timings.command)
        self.state.commands[cmd.id] = cmd
        return cmd

    def remove_from_queue(self, app: App, record_id: int, *, remove_from_client: bool, blocklist: bool, skip_redownload: bool) -> None:
        item = self.state.queue_item_for_record(record_id)
        if item is None or item.app != app:
            raise MediaError(f"queue item {record_id} not found", field="id", status=404)
        del self.state.queue[item.id]
        torrent = self.state.torrents.get(item.download_id.lower())
        if remove_from_client and torrent is not None:
            del self.state.torrents[torrent.hash]
        if blocklist:
            now = self.clock.now()
            self.state.blocklist.append(BlocklistEntry(self.state.next_id(), app, item.release, now, "Manually marked as failed",
                                                       item.series_id, list(item.episode_ids), item.movie_id))
            self._history(app, "downloadFailed", item, {"message": "Manually marked as failed"})
            if not skip_redownload:
                if app == "sonarr":
                    self.queue_command(app, "EpisodeSearch", {"episodeIds": list(item.episode_ids)})
                else:
                    self.queue_command(app, "MoviesSearch", {"movieIds": [item.movie_id]})

    def remove_blocklist(self, app: App, entry_id: int) -> None:
        before = len(self.state.blocklist)
        self.state.blocklist = [b for b in self.state.blocklist if not (b.app == app and b.id == entry_id)]
        if len(self.state.blocklist) == before:
            raise MediaError(f"blocklist item {entry_id} not found", field="id", status=404)

    # ---- searches and grabs -------------------------------------------------------------------
    def _queued_episodes(self) -> set[int]:
        return {eid for item in self.state.queue.values() if item.app == "sonarr" for eid in item.episode_ids}

    def _pick(self, app: App, releases: list[Release], title: str) -> Release | None:
        if self.faults.has_no_release(title) or "prowlarr" in self.down:
            return None
        return next((r for r in releases if not self.state.blocked(app, r.title)), None)

    def _search_episodes(self, episodes: list[Episode]) -> int:
        queued = self._queued_episodes()
        wanted = [e for e in episodes if e.monitored and not e.has_file and e.id not in queued]
        grabs = 0
        by_season: dict[tuple[int, int], list[Episode]] = {}
        for ep in wanted:
            by_season.setdefault((ep.series_id, ep.season), []).append(ep)
        for (series_id, season), eps in by_season.items():
            series = self.state.series[series_id]
            whole = len(eps) == series.title.seasons.get(season, 0) and len(eps) > 1
            if whole:
                release = self._pick("sonarr", indexer.series_releases(series.title, season), series.title.title)
                if release is not None:
                    self._grab("sonarr", release, series_id=series_id, episode_ids=[e.id for e in eps])
                    grabs += 1
                    continue
            for ep in eps:
                release = self._pick("sonarr", indexer.series_releases(series.title, season, ep.number), series.title.title)
                if release is not None:
                    self._grab("sonarr", release, series_id=series_id, episode_ids=[ep.id])
                    grabs += 1
        return grabs

    def _search_movies(self, movies: list[Movie]) -> int:
        queued = {item.movie_id for item in self.state.queue.values() if item.app == "radarr"}
        grabs = 0
        for movie in movies:
            if movie.file_id or not movie.monitored or movie.id in queued:
                continue
            release = self._pick("radarr", indexer.movie_releases(movie.title), movie.title.title)
            if release is not None:
                self._grab("radarr", release, movie_id=movie.id)
                grabs += 1
        return grabs

    def _grab(self, app: App, release: Release, *, series_id: int = 0, episode_ids: list[int] | None = None, movie_id: int = 0) -> QueueItem:
        now = self.clock.now()
        info_hash = indexer.info_hash(release)
        category = "tv-sonarr" if app == "sonarr" else "radarr"
        fault = self.faults.take_download(release.title)
        self.state.torrents[info_hash] = Torrent(info_hash, release.title, release.size, category, now,
                                                 stalled=self.faults.take_stall(release.title), fault=fault, metadata=fault == "metadata")
        item = QueueItem(self.state.next_id(), app, info_hash.upper(), release, now, series_id, list(episode_ids or []), movie_id)
        self.state.queue[item.id] = item
        self._history(app, "grabbed", item, {"indexer": release.indexer, "releaseGroup": release.group,
                                             "size": str(release.size), "downloadClient": "qBittorrent",
                                             "downloadClientName": "qBittorrent", "torrentInfoHash": info_hash.upper(),
                                             "protocol": "2", "guid": release.guid})
        self.sender.enqueue(app, webhooks.grab(app, self.app_urls.get(app, ""), item, self.subject(item)))
        log.info("sandbox.media.grabbed", extra={"app": app, "release": release.title})
        return item

    def subject(self, item: QueueItem) -> dict[str, Any]:
        if item.app == "sonarr":
            series = self.state.series[item.series_id]
            eps = [self.state.episodes[e] for e in item.episode_ids if e in self.state.episodes]
            return {"series": webhooks.series_body(series), "episodes": [webhooks.episode_body(e) for e in eps]}
        movie = self.state.movies[item.movie_id]
        t = movie.title
        return {"movie": webhooks.movie_body(movie), "remoteMovie": {"tmdbId": t.tmdb_id, "imdbId": t.imdb_id, "title": t.title, "year": t.year}}

    def _history(self, app: App, event: str, item: QueueItem, data: dict[str, str]) -> None:
        now = self.clock.now()
        for eid in item.episode_ids or [0]:
            self.state.history.append(HistoryRecord(self.state.next_id(), app, event, now, item.release, item.download_id,
                                                    item.series_id, eid, item.movie_id, dict(data)))

    # ---- qBittorrent --------------------------------------------------------------------------
    def add_torrent(self, url: str, category: str, paused: bool) -> Torrent:
        if not url:
            raise MediaError("urls: expected at least one magnet or torrent URL", field="urls")
        name = url.rsplit("/", 1)[-1].split("&dn=")[-1] or url
        info_hash = hashlib.sha1(url.encode()).hexdigest()
        torrent = Torrent(info_hash, name, 700_000_000, category, self.clock.now(), paused=paused)
        self.state.torrents[info_hash] = torrent
        return torrent

    def reannounce(self, hashes: list[str]) -> None:
        """Ask the trackers for peers again: a swarm that went quiet answers; a torrent nobody seeds stays stalled."""
        for h in hashes:
            torrent = self.state.torrents.get(h.lower())
            if torrent is not None:
                torrent.reannounced += 1
                torrent.frozen = False

    def recheck(self, hashes: list[str]) -> None:
        """Hash the data on disk again: an errored torrent resumes; one whose files vanished starts over."""
        for h in hashes:
            torrent = self.state.torrents.get(h.lower())
            if torrent is not None:
                if torrent.missing:
                    torrent.progress, torrent.missing = 0.0, False
                torrent.errored = False

    def delete_torrents(self, hashes: list[str]) -> None:
        for h in hashes:
            self.state.torrents.pop(h.lower(), None)

    # ---- Jellyseerr ---------------------------------------------------------------------------
    def create_request(self, media_type: str, tmdb_id: int, seasons: list[int] | None, user_id: int) -> SeerrRequest:
        if media_type not in ("movie", "tv"):
            raise MediaError(f"mediaType: expected 'movie' or 'tv', got {media_type!r}", field="mediaType")
        user = self.state.users.get(user_id)
        if user is None:
            raise MediaError(f"X-Api-User: no user {user_id}", field="X-Api-User", status=403)
        now = self.clock.now()
        if media_type == "movie":
            movie = self.catalog.movie_by_tmdb(tmdb_id)
            if movie is None:
                raise MediaError(f"mediaId: no movie with tmdb id {tmdb_id}", field="mediaId", status=404)
            title, tvdb, wanted = f"{movie.title} ({movie.year})", None, []
        else:
            show = self.catalog.series_by_tmdb(tmdb_id)
            if show is None:
                raise MediaError(f"mediaId: no series with tmdb id {tmdb_id}", field="mediaId", status=404)
            title, tvdb = f"{show.title} ({show.year})", show.tvdb_id
            wanted = sorted(seasons) if seasons else sorted(show.seasons)
            bad = [s for s in wanted if s not in show.seasons]
            if bad:
                raise MediaError(f"seasons: {show.title} has no season {bad[0]}", field="seasons")
        if any(r.tmdb_id == tmdb_id and r.status not in (REQUEST_DECLINED,) for r in self.state.requests.values()):
            raise MediaError("Request for this media already exists.", field="mediaId", status=409)
        request = SeerrRequest(self.state.next_id(), self.state.next_id(), media_type, tmdb_id, tvdb, title, user, now, now, wanted)  # type: ignore[arg-type]  # media_type checked above
        self.state.requests[request.id] = request
        if user.auto_approve:
            self._approve(request, user, "MEDIA_AUTO_APPROVED")
        else:
            self.sender.enqueue("seerr", webhooks.seerr("MEDIA_PENDING", request))
        return request

    def retry(self, request_id: int, user_id: int = 1) -> SeerrRequest:
        """Seerr's retry: a FAILED request is sent to Sonarr/Radarr again."""
        request = self._request(request_id)
        if request.status != REQUEST_FAILED:
            raise MediaError(f"request {request_id} has not failed", field="status")
        self._approve(request, self.state.users[user_id], "MEDIA_APPROVED")
        return request

    def approve(self, request_id: int, user_id: int = 1) -> SeerrRequest:
        request = self._request(request_id)
        if request.status != 1:
            raise MediaError(f"request {request_id} is not pending", field="status")
        self._approve(request, self.state.users[user_id], "MEDIA_APPROVED")
        return request

    def decline(self, request_id: int, user_id: int = 1) -> SeerrRequest:
        request = self._request(request_id)
        request.status, request.modified_by, request.updated = REQUEST_DECLINED, self.state.users[user_id], self.clock.now()
        request.media_status = 1
        self.sender.enqueue("seerr", webhooks.seerr("MEDIA_DECLINED", request))
        return request

    def _request(self, request_id: int) -> SeerrRequest:
        request = self.state.requests.get(request_id)
        if request is None:
            raise MediaError(f"request {request_id} not found", field="requestId", status=404)
        return request

    def _approve(self, request: SeerrRequest, user: SeerrUser, notification: str) -> None:
        if self.faults.take_handoff_fail(request.title):
            # Seerr could not add it to Sonarr/Radarr (the *arr refused or timed out): the request fails.
            request.status, request.modified_by, request.updated = REQUEST_FAILED, user, self.clock.now()
            self.sender.enqueue("seerr", webhooks.seerr("MEDIA_FAILED", request))
            return
        request.status, request.media_status, request.modified_by, request.updated = REQUEST_APPROVED, MEDIA_PROCESSING, user, self.clock.now()
        self.sender.enqueue("seerr", webhooks.seerr(notification, request))
        # Jellyseerr hands an approved request to Sonarr/Radarr with "search on add".
        if request.media_type == "movie":
            self.add_movie(request.tmdb_id)
        elif request.tvdb_id is not None:
            self.add_series(request.tvdb_id, seasons=request.seasons)

    # ---- Jellyfin -----------------------------------------------------------------------------
    def refresh_library(self) -> None:
        self._scan_due = self.clock.seconds()

    def _scan_library(self) -> None:
        now = self.clock.now()
        missed: list[tuple[str, int, int | None, int | None]] = []
        for entry in self.state.unscanned:
            kind, owner_id, season, number = entry
            name = self.state.movies[owner_id].title.title if kind == "movie" else self.state.series[owner_id].title.title
            if self.faults.take_library_miss(name):
                missed.append(entry)  # a scan that skips new files (a metadata provider timing out)
                continue
            if kind == "movie":
                movie = self.state.movies[owner_id]
                self._item(movie.path, movie.title.title, "Movie", movie.title.year,
                           {"Tmdb": str(movie.title.tmdb_id), "Imdb": movie.title.imdb_id}, now)
                continue
            series = self.state.series[owner_id]
            show = self._item(series.path, series.title.title, "Series", series.title.year,
                              {"Tvdb": str(series.title.tvdb_id), "Tmdb": str(series.title.tmdb_id), "Imdb": series.title.imdb_id}, now)
            self._item(f"{series.path}/Season {season:02d}/E{number:02d}", f"Episode {number}", "Episode", series.title.year,
                       {}, now, series_id=show.id, season=season, episode=number)
        self.state.unscanned = missed
        self._scan_due = None

    def _item(self, path: str, name: str, kind: str, year: int, provider_ids: dict[str, str], now: datetime, **extra: Any) -> JellyfinItem:
        item_id = hashlib.md5(path.encode()).hexdigest()
        if item_id not in self.state.items:
            self.state.items[item_id] = JellyfinItem(item_id, name, kind, year, provider_ids, path, now, **extra)  # type: ignore[arg-type]  # kind is one of the three item types
        return self.state.items[item_id]

    def _sync_availability(self) -> None:
        """Jellyseerr's periodic Jellyfin scan: requests whose media is in the library become available."""
        for request in self.state.requests.values():
            if request.status != REQUEST_APPROVED:
                continue
            found, total = self._library_presence(request)
            if total and found == total:
                request.media_status, request.status, request.updated = MEDIA_AVAILABLE, REQUEST_COMPLETED, self.clock.now()
                self.sender.enqueue("seerr", webhooks.seerr("MEDIA_AVAILABLE", request))
            elif found and request.media_status != MEDIA_PARTIALLY_AVAILABLE:
                request.media_status = MEDIA_PARTIALLY_AVAILABLE

    def _library_presence(self, request: SeerrRequest) -> tuple[int, int]:
        items = self.state.items.values()
        if request.media_type == "movie":
            movie = next((i for i in items if i.type == "Movie" and i.provider_ids.get("Tmdb") == str(request.tmdb_id)), None)
            if movie is not None:
                request.jellyfin_id = movie.id
            return (1 if movie else 0), 1
        show = next((i for i in items if i.type == "Series" and i.provider_ids.get("Tvdb") == str(request.tvdb_id)), None)
        title = self.catalog.series_by_tmdb(request.tmdb_id)
        total = sum(title.seasons[s] for s in request.seasons) if title else 0
        if show is None:
            return 0, total
        request.jellyfin_id = show.id
        found = sum(1 for i in items if i.series_id == show.id and i.season in request.seasons)
        return found, total

    # ---- dependencies -------------------------------------------------------------------------
    def set_available(self, dependency: str, available: bool) -> None:
        """qBittorrent or Prowlarr going down (or back): Sonarr and Radarr report it in /health and
        send Health / HealthRestored, as their health checks do."""
        if dependency not in HEALTH_CHECKS or available == (dependency not in self.down):
            return
        check, level, message = HEALTH_CHECKS[dependency]
        for app in ("sonarr", "radarr"):
            issues = [i for i in self.health_issues.get(app, []) if i[0] != check]
            if not available:
                issues.append((check, level, message))
            self.health_issues[app] = issues
            self.sender.enqueue(app, webhooks.health(app, self.app_urls.get(app, ""), level, message, check, restored=available))
        if available:
            self.down.discard(dependency)
        else:
            self.down.add(dependency)
        log.info("sandbox.media.dependency", extra={"dependency": dependency, "available": available})

    # ---- time ---------------------------------------------------------------------------------
    def tick(self) -> None:
        now_s = self.clock.seconds()
        dt, self._last = max(now_s - self._last, 0.0), now_s
        for cmd in [c for c in self.state.commands.values() if c.status == "queued" and c.due <= now_s]:
            self._run_command(cmd)
        for torrent in self.state.torrents.values() if "qbittorrent" not in self.down else ():
            if torrent.moving:
                torrent.progress = min(1.0, torrent.progress + self.timings.download_bytes_per_s * dt / torrent.size)
                if torrent.done:
                    torrent.completed_on = self.clock.now()
                self._download_fault(torrent)
        for item in list(self.state.queue.values()):
            self._advance(item, now_s)
        if self._scan_due is not None and self._scan_due <= now_s:
            self._scan_library()
        if now_s >= self._sync_due:
            self._sync_availability()
            self._sync_due = now_s + self.timings.availability_sync

    def _download_fault(self, torrent: Torrent) -> None:
        """A fault that hits a download part-way: an I/O error or vanished files at 30 %, a swarm gone quiet at 20 %."""
        at = {"errored": 0.3, "missing-files": 0.3, "slow": 0.2}.get(torrent.fault or "")
        if at is None or torrent.progress < at:
            return
        torrent.progress = at
        torrent.errored, torrent.missing, torrent.frozen = torrent.fault == "errored", torrent.fault == "missing-files", torrent.fault == "slow"
        torrent.fault = None

    def _run_command(self, cmd: Command) -> None:
        cmd.status, cmd.started = "started", self.clock.now()
        p = cmd.params
        grabs = 0
        if cmd.name in ("EpisodeSearch", "SeasonSearch", "SeriesSearch", "MissingEpisodeSearch"):
            eps = list(self.state.episodes.values())
            if cmd.name == "EpisodeSearch":
                ids = set(_ints(p.get("episodeIds")))
                eps = [e for e in eps if e.id in ids]
            elif cmd.name in ("SeasonSearch", "SeriesSearch"):
                eps = [e for e in eps if e.series_id == p.get("seriesId") and (cmd.name == "SeriesSearch" or e.season == p.get("seasonNumber"))]
            grabs = self._search_episodes(eps)
        elif cmd.name in ("MoviesSearch", "MissingMoviesSearch"):
            movies = list(self.state.movies.values())
            if cmd.name == "MoviesSearch":
                ids = set(_ints(p.get("movieIds")))
                movies = [m for m in movies if m.id in ids]
            grabs = self._search_movies(movies)
        elif cmd.name in ("DownloadedEpisodesScan", "DownloadedMoviesScan"):
            # A scan of one download's folder imports what it can, as the completed-download handler would.
            wanted = str(p.get("downloadClientId") or "").upper()
            for item in self.state.queue.values():
                if item.app == cmd.app and item.state == "importBlocked" and (not wanted or item.download_id == wanted):
                    if self.faults.is_archive(item.release.title) or self.faults.take_fail_import(item.release.title):
                        continue
                    item.state, item.import_due = "importPending", self.clock.seconds()
        elif cmd.name == "RefreshMonitoredDownloads":
            for item in self.state.queue.values():
                if item.app == cmd.app and item.state == "importBlocked" and not self.faults.take_fail_import(item.release.title):
                    item.state, item.import_due = "importPending", self.clock.seconds()
        cmd.status, cmd.ended = "completed", self.clock.now()
        cmd.message = f"{grabs} reports downloaded." if "Search" in cmd.name else "Completed"

    def _advance(self, item: QueueItem, now_s: float) -> None:
        torrent = self.state.torrents.get(item.download_id.lower())
        if torrent is None:
            # Removed from the client behind Sonarr's back: the queue forgets it.
            del self.state.queue[item.id]
            return
        if item.state == "downloading" and torrent.done:
            item.state, item.import_due = "importPending", now_s + self.timings.import_delay
        if item.state == "importPending" and item.import_due is not None and item.import_due <= now_s:
            if self.faults.is_archive(item.release.title) or self.faults.take_fail_import(item.release.title):
                item.state = "importBlocked"
                item.blocked_reason = NOT_ELIGIBLE.format(path=f"/downloads/complete/{torrent.category}/{torrent.name}")
                self.sender.enqueue(item.app, webhooks.manual_interaction(item.app, self.app_urls.get(item.app, ""), item, self.subject(item)))
            else:
                self._import(item, torrent)

    def _import(self, item: QueueItem, torrent: Torrent) -> None:
        now = self.clock.now()
        files: list[dict[str, Any]] = []
        source = f"/downloads/complete/{torrent.category}/{torrent.name}"
        if item.app == "sonarr":
            series = self.state.series[item.series_id]
            each = item.release.size // max(len(item.episode_ids), 1)
            for eid in item.episode_ids:
                ep = self.state.episodes[eid]
                ep.file_id, ep.file_size = self.state.next_id(), each
                rel = f"Season {ep.season:02d}/{series.title.title} - S{ep.season:02d}E{ep.number:02d} - {ep.title} [{item.release.quality}].mkv"
                files.append(webhooks.file_body(ep.file_id, series.path, rel, item.release, each, now, f"{source}/{rel.rsplit('/', 1)[-1]}"))
                self.state.unscanned.append(("series", series.id, ep.season, ep.number))
        else:
            movie = self.state.movies[item.movie_id]
            movie.file_id, movie.file_size, movie.file_added = self.state.next_id(), item.release.size, now
            rel = f"{movie.title.title} ({movie.title.year}) [{item.release.quality}].mkv"
            files.append(webhooks.file_body(movie.file_id, movie.path, rel, item.release, item.release.size, now, f"{source}/{rel}"))
            self.state.unscanned.append(("movie", movie.id, None, None))
        item.state = "imported"
        self._history(item.app, "downloadFolderImported", item, {"droppedPath": source, "importedPath": files[0]["path"]})
        self.sender.enqueue(item.app, webhooks.download(item.app, self.app_urls.get(item.app, ""), item, self.subject(item), files))
        del self.state.queue[item.id]
        # The apps' Jellyfin connection asks for a library refresh after an import.
        if self._scan_due is None:
            self._scan_due = self.clock.seconds() + self.timings.library_scan_delay
        log.info("sandbox.media.imported", extra={"app": item.app, "release": item.release.title})


def _ints(value: object) -> list[int]:
    if isinstance(value, list):
        return [int(v) for v in value if isinstance(v, (int, str)) and str(v).isdigit()]
    return []
