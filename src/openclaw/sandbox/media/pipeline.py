"""The media pipeline: request -> approve -> search -> grab -> download -> import -> library -> available.

Downloads go to qBittorrent (torrents) or SABnzbd (NZBs: Lidarr's music, and any title whose best
release is an NZB); imports reach Jellyfin (series, movies) and Plex (series, movies, music).

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

from openclaw.sandbox.media import indexer, plexlib, webhooks
from openclaw.sandbox.media.catalog import DEFAULT_CATALOG, Catalog
from openclaw.sandbox.media.faults import MediaFaults, UsenetFailure
from openclaw.sandbox.media.recorder import RequestRecorder
from openclaw.sandbox.media.state import (
    MEDIA_AVAILABLE,
    MEDIA_PARTIALLY_AVAILABLE,
    MEDIA_PROCESSING,
    REQUEST_APPROVED,
    REQUEST_COMPLETED,
    REQUEST_DECLINED,
    REQUEST_FAILED,
    REQUEST_PENDING,
    POSTPROC_STATES,
    Album,
    App,
    Artist,
    BlocklistEntry,
    Command,
    DownloadView,
    Episode,
    HistoryRecord,
    JellyfinItem,
    MediaState,
    Movie,
    NzbJob,
    PlexPending,
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
ALBUM_COMMANDS = {"AlbumSearch", "ArtistSearch", "MissingAlbumSearch", "RefreshMonitoredDownloads", "RefreshArtist", "RescanFolders", "DownloadedAlbumsScan"}
COMMANDS: dict[str, set[str]] = {"sonarr": SERIES_COMMANDS, "radarr": MOVIE_COMMANDS, "lidarr": ALBUM_COMMANDS}
NOT_ELIGIBLE = "No files found are eligible for import in {path}"
# Lidarr's import messages (Download/CompletedDownloadService.cs) and a track rejection of its import decisions.
TRACKS_MISSING = "One or more tracks expected in this release were not imported or missing from the release"
TRACK_REJECTED = "Album match is not close enough: 64.3% vs 80% [Track Count, Track Title]"
# SABnzbd's categories per app, and the *arr download-client protocol numbers in history data (DownloadProtocol).
# Jellyseerr's jobs that read the Jellyfin library (server/job/schedule.ts).
SEERR_SCAN_JOBS = ("jellyfin-recently-added-scan", "jellyfin-full-scan")
SAB_CATEGORIES = {"sonarr": "tv", "radarr": "movies", "lidarr": "music"}
TORRENT_CATEGORIES = {"sonarr": "tv-sonarr", "radarr": "radarr", "lidarr": "lidarr"}
PROTOCOL_NUMBERS = {"usenet": "1", "torrent": "2"}
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
    postprocess_stage: float = 3.0  # each of SABnzbd's post-processing stages (verify, repair, extract, move)
    # Seconds after a download client reports a job failed until the *arr apps' failed download handling
    # marks it failed (history downloadFailed, blocklist, search again). None: they leave it in the queue
    # (failedPending) for someone to retry it in SABnzbd or remove it with blocklist=true.
    failed_download_handling: float | None = None

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
        boc = self.add_artist("69158f97-4c07-4c4e-baf8-4e4ab1ed666e", search=False)
        for album in self.state.albums_of(boc.id):
            album.track_files, album.size_on_disk = album.title.tracks, album.title.minutes * 30_000_000
        self._scan_library()
        self._plex_seed()

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

    def add_artist(self, mb_id: str, *, monitored: bool = True, search: bool = True) -> Artist:
        title = self.catalog.artist_by_mbid(mb_id)
        if title is None:
            raise MediaError(f"foreignArtistId {mb_id} is not an artist MusicBrainz knows here", field="foreignArtistId", status=404)
        artist = next((a for a in self.state.artists.values() if a.title.mb_id == mb_id), None)
        if artist is None:
            artist = Artist(self.state.next_id(), title, self.clock.now(), monitored)
            self.state.artists[artist.id] = artist
            for album_title in title.albums:
                album = Album(self.state.next_id(), artist.id, album_title, monitored)
                self.state.albums[album.id] = album
        if search:
            self.queue_command("lidarr", "ArtistSearch", {"artistId": artist.id})
        return artist

    def queue_command(self, app: App, name: str, params: dict[str, Any]) -> Command:
        known = COMMANDS[app]
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
        if remove_from_client:
            self._remove_download(item)
        if blocklist:
            self._fail(item, "Manually marked as failed", search=not skip_redownload)

    def _remove_download(self, item: QueueItem) -> None:
        if item.client == "sabnzbd":
            if self.state.nzbs.pop(item.download_id, None) is not None:
                self.state.sab_history_update += 1
            return
        self.state.torrents.pop(item.download_id.lower(), None)

    def _fail(self, item: QueueItem, message: str, *, search: bool) -> None:
        """Failed download handling: history downloadFailed, the release blocklisted, a new search."""
        now = self.clock.now()
        self.state.blocklist.append(BlocklistEntry(self.state.next_id(), item.app, item.release, now, message,
                                                   item.series_id, list(item.episode_ids), item.movie_id, item.artist_id, item.album_id))
        self._history(item.app, "downloadFailed", item, {"message": message})
        if item.app == "lidarr":
            self.sender.enqueue("lidarr", webhooks.lidarr_download_failure(self.app_urls.get("lidarr", ""), item))
        if not search:
            return
        if item.app == "sonarr":
            self.queue_command(item.app, "EpisodeSearch", {"episodeIds": list(item.episode_ids)})
        elif item.app == "radarr":
            self.queue_command(item.app, "MoviesSearch", {"movieIds": [item.movie_id]})
        else:
            self.queue_command(item.app, "AlbumSearch", {"albumIds": [item.album_id]})

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

    def _search_albums(self, albums: list[Album]) -> int:
        queued = {item.album_id for item in self.state.queue.values() if item.app == "lidarr"}
        grabs = 0
        for album in albums:
            if album.has_files or not album.monitored or album.id in queued:
                continue
            album.last_search = self.clock.now()
            artist = self.state.artists[album.artist_id]
            release = self._pick("lidarr", indexer.album_releases(artist.title, album.title), f"{artist.title.name} {album.title.title}")
            if release is not None:
                self._grab("lidarr", release, artist_id=artist.id, album_id=album.id)
                grabs += 1
        return grabs

    def _grab(self, app: App, release: Release, *, series_id: int = 0, episode_ids: list[int] | None = None, movie_id: int = 0,
              artist_id: int = 0, album_id: int = 0) -> QueueItem:
        now = self.clock.now()
        failure = self.faults.take_usenet_failure(release.title)
        if failure is not None and release.protocol == "torrent":
            release = indexer.usenet_variant(release)  # the NZB of this release ranks first
        data = {"indexer": release.indexer, "releaseGroup": release.group, "size": str(release.size),
                "protocol": PROTOCOL_NUMBERS[release.protocol], "guid": release.guid}
        if release.protocol == "usenet":
            job = self._add_nzb(release.title, SAB_CATEGORIES[app], release.size, failure)
            download_id = job.nzo_id
            data.update(downloadClient="SABnzbd", downloadClientName="SABnzbd")
        else:
            info_hash = indexer.info_hash(release)
            fault = self.faults.take_download(release.title)
            self.state.torrents[info_hash] = Torrent(info_hash, release.title, release.size, TORRENT_CATEGORIES[app], now,
                                                     stalled=self.faults.take_stall(release.title), fault=fault, metadata=fault == "metadata")
            download_id = info_hash.upper()
            data.update(downloadClient="qBittorrent", downloadClientName="qBittorrent", torrentInfoHash=download_id)
        item = QueueItem(self.state.next_id(), app, download_id, release, now, series_id, list(episode_ids or []), movie_id,
                         client="sabnzbd" if release.protocol == "usenet" else "qbittorrent", artist_id=artist_id, album_id=album_id)
        self.state.queue[item.id] = item
        self._history(app, "grabbed", item, data)
        self.sender.enqueue(app, webhooks.grab(app, self.app_urls.get(app, ""), item, self.subject(item)))
        log.info("sandbox.media.grabbed", extra={"app": app, "release": release.title})
        return item

    def subject(self, item: QueueItem) -> dict[str, Any]:
        if item.app == "lidarr":
            return {"artist": webhooks.artist_body(self.state.artists[item.artist_id]),
                    "albums": [webhooks.album_body(self.state.albums[item.album_id])]}
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
                                                    item.series_id, eid, item.movie_id, dict(data), item.artist_id, item.album_id))

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

    def download_of(self, item: QueueItem) -> DownloadView | None:
        """The download client's view of a queue item's download, None when the client no longer has it."""
        if item.client == "sabnzbd":
            job = self.state.nzbs.get(item.download_id)
            if job is None:
                return None
            return DownloadView("sabnzbd", job.progress, job.paused or self.state.sab_paused, False, job.status == "Completed", job.category)
        torrent = self.state.torrents.get(item.download_id.lower())
        if torrent is None:
            return None
        return DownloadView("qbittorrent", torrent.progress, torrent.paused, torrent.stalled, torrent.done, torrent.category,
                            torrent.errored, torrent.missing, torrent.metadata)

    # ---- SABnzbd ------------------------------------------------------------------------------
    def _nzo_id(self, name: str) -> str:
        # SABnzbd's ids are "SABnzbd_nzo_" and 8 random characters; a hash keeps the sandbox reproducible.
        return "SABnzbd_nzo_" + hashlib.sha1(f"{name}:{len(self.state.nzbs)}:{self.clock.seconds()}".encode()).hexdigest()[:8]

    def _add_nzb(self, name: str, category: str, size: int, failure: UsenetFailure | None) -> NzbJob:
        job = NzbJob(self._nzo_id(name), name, category, size, self.clock.now(),
                     fails_with=failure.message if failure else "", retry_fails=bool(failure and failure.retry_fails))
        self.state.nzbs[job.nzo_id] = job
        return job

    def retry_nzb(self, nzo_id: str, password: str = "") -> str:
        """SABnzbd's retry: a failed job goes back in the queue under a new nzo id and is post-processed again.
        The *arr queue item follows it (the apps find the job again by its name)."""
        old = self.state.nzbs.get(nzo_id)
        if old is None or old.status != "Failed":
            raise MediaError("item does not exist", field="value", status=404)
        del self.state.nzbs[nzo_id]
        fixed_by_password = bool(password) and "password" in old.fail_message
        again = old.fail_message if old.retry_fails and not fixed_by_password else ""
        job = NzbJob(self._nzo_id(old.name), old.name, old.category, old.size, self.clock.now(), progress=old.progress,
                     fails_with=again, retry_fails=old.retry_fails, password=password)
        self.state.nzbs[job.nzo_id] = job
        self.state.sab_history_update += 1
        for item in self.state.queue.values():
            if item.client == "sabnzbd" and item.download_id == nzo_id:
                item.download_id, item.state, item.import_due, item.blocked_reason = job.nzo_id, "downloading", None, ""
        log.info("sandbox.media.sab_retry", extra={"old": nzo_id, "new": job.nzo_id, "fails_again": bool(again)})
        return job.nzo_id

    def delete_nzbs(self, nzo_ids: list[str], *, history: bool) -> list[str]:
        """Delete jobs from the queue (`history=False`) or from the history; returns the ids removed."""
        removed = []
        for nzo_id in nzo_ids:
            job = self.state.nzbs.get(nzo_id)
            if job is not None and job.in_history == history:
                del self.state.nzbs[nzo_id]
                removed.append(nzo_id)
        if removed and history:
            self.state.sab_history_update += 1
        return removed

    def pause_nzbs(self, nzo_ids: list[str], paused: bool) -> list[str]:
        handled = [i for i in nzo_ids if i in self.state.nzbs and not self.state.nzbs[i].in_history]
        for nzo_id in handled:
            self.state.nzbs[nzo_id].paused = paused
        return handled

    def _tick_nzbs(self, now_s: float, dt: float) -> None:
        """SABnzbd downloads one job at a time, in queue order, then post-processes it stage by stage."""
        active = next((j for j in self.state.nzbs.values() if not j.in_history and not j.paused), None)
        if active is not None and not self.state.sab_paused and "sabnzbd" not in self.down:
            active.status = "Downloading"
            active.progress = min(1.0, active.progress + self.timings.download_bytes_per_s * dt / max(active.size, 1))
            active.download_time += int(dt)
            if active.progress >= 1.0:
                active.status, active.stage_due = "Verifying", now_s + self.timings.postprocess_stage
        for job in self.state.nzbs.values():
            if job.status in POSTPROC_STATES and job.stage_due is not None and job.stage_due <= now_s:
                self._next_stage(job, now_s)
            elif not job.in_history and job is not active:
                job.status = "Paused" if job.paused else "Queued"

    def _next_stage(self, job: NzbJob, now_s: float) -> None:
        fails_at = "Repairing" if job.fails_with.startswith("Repair") else "Extracting" if job.fails_with else ""
        if job.status == fails_at:
            job.status, job.fail_message, job.completed, job.stage_due = "Failed", job.fails_with, self.clock.now(), None
            self.state.sab_history_update += 1
            log.info("sandbox.media.sab_failed", extra={"nzo_id": job.nzo_id, "fail_message": job.fail_message})
            return
        order = ("Verifying", "Repairing", "Extracting", "Moving")
        following = order[order.index(job.status) + 1:] if job.status in order else ()
        # Repair runs only when verification found damage (the job is bound to fail its repair).
        following = tuple(stage for stage in following if stage != "Repairing" or fails_at == "Repairing")
        if following:
            job.status, job.stage_due = following[0], now_s + self.timings.postprocess_stage  # type: ignore[assignment]  # a post-processing stage name
        else:
            job.status, job.completed, job.stage_due = "Completed", self.clock.now(), None
            self.state.sab_history_update += 1

    # ---- Plex ---------------------------------------------------------------------------------
    def refresh_plex_section(self, section_id: int, path: str = "") -> None:
        """`/library/sections/{id}/refresh[?path=]`: Plex scans the section (or that folder of it) shortly."""
        if section_id not in plexlib.SECTIONS:
            raise MediaError(f"section {section_id} not found", field="id", status=404)
        self.state.plex_refresh[section_id] = (self.clock.seconds() + self.timings.library_scan_delay, path)

    def _plex_pending(self, kind: str, owner_id: int, path: str, title: str, season: int | None = None, episode: int | None = None) -> None:
        # The *arr apps' Plex connection asks for a refresh of the imported folder; with the fault it never does.
        due = None if self.faults.take_plex_missing(title) else self.clock.seconds() + self.timings.library_scan_delay
        self.state.plex_pending.append(PlexPending(kind, owner_id, path, due, season, episode))  # type: ignore[arg-type]  # kind is one of the three

    def _plex_seed(self) -> None:
        for movie in self.state.movies.values():
            if movie.file_id:
                self.state.plex_pending.append(PlexPending("movie", movie.id, movie.path, 0.0))
        for ep in self.state.episodes.values():
            if ep.has_file:
                self.state.plex_pending.append(PlexPending("series", ep.series_id, self.state.series[ep.series_id].path, 0.0, ep.season, ep.number))
        for album in self.state.albums.values():
            if album.track_files:
                self.state.plex_pending.append(PlexPending("album", album.id, self.state.artists[album.artist_id].path, 0.0))
        self._tick_plex(self.clock.seconds())

    def _tick_plex(self, now_s: float) -> None:
        scan = [p for p in self.state.plex_pending if p.due is not None and p.due <= now_s]
        for section_id, (due, path) in list(self.state.plex_refresh.items()):
            if due <= now_s:
                del self.state.plex_refresh[section_id]
                root = plexlib.SECTIONS[section_id].root
                scan += [p for p in self.state.plex_pending if p.path.startswith(path or root) and plexlib.section_for(p.kind) == section_id]
        if not scan:
            return
        now = self.clock.now()
        for pending in scan:
            plexlib.add(self.state, pending, now)
        scanned = {id(p) for p in scan}
        self.state.plex_pending = [p for p in self.state.plex_pending if id(p) not in scanned]

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
            raise MediaError("Only failed requests can be retried.", field="status", status=409)
        self._approve(request, self.state.users[user_id], "MEDIA_APPROVED")
        return request

    def approve(self, request_id: int, user_id: int = 1) -> SeerrRequest:
        request = self._request(request_id)
        self._pending(request)
        self._approve(request, self.state.users[user_id], "MEDIA_APPROVED")
        return request

    def decline(self, request_id: int, user_id: int = 1) -> SeerrRequest:
        request = self._request(request_id)
        self._pending(request)
        request.status, request.modified_by, request.updated = REQUEST_DECLINED, self.state.users[user_id], self.clock.now()
        request.media_status = 1
        self.sender.enqueue("seerr", webhooks.seerr("MEDIA_DECLINED", request))
        return request

    @staticmethod
    def _pending(request: SeerrRequest) -> None:
        # Seerr answers a second approve or decline with 409, whatever the first answer was.
        if request.status != REQUEST_PENDING:
            raise MediaError("Only pending requests can be approved or declined.", field="status", status=409)

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

    def run_seerr_job(self, job_id: str) -> None:
        """Jellyseerr's `POST /settings/jobs/{id}/run`: a Jellyfin scan job looks at the library now."""
        if job_id in SEERR_SCAN_JOBS:
            self._sync_availability(scan=True)

    def _sync_availability(self, *, scan: bool = False) -> None:
        """Jellyseerr's periodic Jellyfin scan: requests whose media is in the library become available."""
        for request in self.state.requests.values():
            if request.status != REQUEST_APPROVED or (not scan and self.faults.misses_seerr_sync(request.title)):
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
        self._tick_nzbs(now_s, dt)
        for item in list(self.state.queue.values()):
            self._advance(item, now_s)
        if self._scan_due is not None and self._scan_due <= now_s:
            self._scan_library()
        self._tick_plex(now_s)
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
        elif cmd.name in ("AlbumSearch", "ArtistSearch", "MissingAlbumSearch"):
            albums = list(self.state.albums.values())
            if cmd.name == "AlbumSearch":
                ids = set(_ints(p.get("albumIds")))
                albums = [a for a in albums if a.id in ids]
            elif cmd.name == "ArtistSearch":
                albums = [a for a in albums if a.artist_id == p.get("artistId")]
            grabs = self._search_albums(albums)
        elif cmd.name == "RefreshMonitoredDownloads":
            for item in self.state.queue.values():
                if item.app == cmd.app and item.state == "importBlocked" and not self.faults.take_fail_import(item.release.title):
                    item.state, item.import_due = "importPending", self.clock.seconds()
        elif cmd.name == "DownloadedAlbumsScan":
            # A manual import of the download folder: every blocked or failed import under the path is tried again.
            path = str(p.get("path") or "")
            for item in self.state.queue.values():
                download = self.download_of(item)
                folder = f"/downloads/complete/{download.category}/{item.release.title}" if download else ""
                if item.app == "lidarr" and item.state in ("importBlocked", "importFailed") and folder.startswith(path):
                    item.state, item.import_due, item.rejected = "importPending", self.clock.seconds(), []
        cmd.status, cmd.ended = "completed", self.clock.now()
        cmd.message = f"{grabs} reports downloaded." if "Search" in cmd.name else "Completed"

    def _advance(self, item: QueueItem, now_s: float) -> None:
        download = self.download_of(item)
        if download is None:
            # Removed from the client behind the *arr app's back: the queue forgets it.
            del self.state.queue[item.id]
            return
        job = self.state.nzbs.get(item.download_id) if item.client == "sabnzbd" else None
        if item.state == "downloading" and job is not None and job.status == "Failed":
            item.state, item.blocked_reason = "failedPending", job.fail_message
            handling = self.timings.failed_download_handling
            item.import_due = None if handling is None else now_s + handling
        if item.state == "failedPending" and item.import_due is not None and item.import_due <= now_s:
            # Failed download handling: the client's job goes (RemoveFailedDownloads) and the release is blocklisted.
            del self.state.queue[item.id]
            self._remove_download(item)
            self._fail(item, item.blocked_reason, search=True)
            return
        if item.state == "downloading" and download.done:
            item.state, item.import_due = "importPending", now_s + self.timings.import_delay
        if item.state == "importPending" and item.import_due is not None and item.import_due <= now_s:
            source = f"/downloads/complete/{download.category}/{item.release.title}"
            if self.faults.is_archive(item.release.title) or self.faults.take_fail_import(item.release.title):
                item.state = "importBlocked"
                if item.app == "lidarr":
                    # Lidarr has no ManualInteractionRequired webhook: the queue is the only place this shows.
                    item.blocked_reason = TRACKS_MISSING
                    return
                item.blocked_reason = NOT_ELIGIBLE.format(path=source)
                self.sender.enqueue(item.app, webhooks.manual_interaction(item.app, self.app_urls.get(item.app, ""), item, self.subject(item)))
            elif item.app == "lidarr" and self.faults.take_incomplete_import(item.release.title):
                self._lidarr_import_failed(item, source)
            else:
                self._import(item, source)

    def _lidarr_import_failed(self, item: QueueItem, source: str) -> None:
        """Some tracks rejected: Lidarr marks the download importFailed (no more automatic attempts),
        records albumImportIncomplete and sends ImportFailure."""
        album, artist = self.state.albums[item.album_id], self.state.artists[item.artist_id]
        item.state, item.blocked_reason = "importFailed", TRACKS_MISSING
        item.rejected = [(f"{n:02d} - Track {n}.flac", TRACK_REJECTED) for n in range(1, album.title.tracks + 1, 4)]
        self._history("lidarr", "albumImportIncomplete", item, {"statusMessages": TRACKS_MISSING})
        self.sender.enqueue("lidarr", webhooks.lidarr_import("ImportFailure", self.app_urls.get("lidarr", ""), item, artist, None, [], []))
        log.info("sandbox.media.import_failed", extra={"app": "lidarr", "release": item.release.title, "source": source})

    def _import(self, item: QueueItem, source: str) -> None:
        now = self.clock.now()
        files: list[dict[str, Any]] = []
        if item.app == "lidarr":
            self._import_album(item, source)
            return
        if item.app == "sonarr":
            series = self.state.series[item.series_id]
            each = item.release.size // max(len(item.episode_ids), 1)
            for eid in item.episode_ids:
                ep = self.state.episodes[eid]
                ep.file_id, ep.file_size = self.state.next_id(), each
                rel = f"Season {ep.season:02d}/{series.title.title} - S{ep.season:02d}E{ep.number:02d} - {ep.title} [{item.release.quality}].mkv"
                files.append(webhooks.file_body(ep.file_id, series.path, rel, item.release, each, now, f"{source}/{rel.rsplit('/', 1)[-1]}"))
                self.state.unscanned.append(("series", series.id, ep.season, ep.number))
                self._plex_pending("series", series.id, series.path, item.release.title, ep.season, ep.number)
        else:
            movie = self.state.movies[item.movie_id]
            movie.file_id, movie.file_size, movie.file_added = self.state.next_id(), item.release.size, now
            rel = f"{movie.title.title} ({movie.title.year}) [{item.release.quality}].mkv"
            files.append(webhooks.file_body(movie.file_id, movie.path, rel, item.release, item.release.size, now, f"{source}/{rel}"))
            self.state.unscanned.append(("movie", movie.id, None, None))
            self._plex_pending("movie", movie.id, movie.path, item.release.title)
        item.state = "imported"
        self._history(item.app, "downloadFolderImported", item, {"droppedPath": source, "importedPath": files[0]["path"]})
        self.sender.enqueue(item.app, webhooks.download(item.app, self.app_urls.get(item.app, ""), item, self.subject(item), files))
        del self.state.queue[item.id]
        # The apps' Jellyfin connection asks for a library refresh after an import.
        if self._scan_due is None:
            self._scan_due = self.clock.seconds() + self.timings.library_scan_delay
        log.info("sandbox.media.imported", extra={"app": item.app, "release": item.release.title})

    def _import_album(self, item: QueueItem, source: str) -> None:
        now = self.clock.now()
        album, artist = self.state.albums[item.album_id], self.state.artists[item.artist_id]
        each = item.release.size // max(album.title.tracks, 1)
        folder = f"{artist.path}/{album.title.title} ({album.title.year})"
        tracks, files = [], []
        for n in range(1, album.title.tracks + 1):
            file_id = self.state.next_id()
            path = f"{folder}/{artist.title.name} - {album.title.title} - {n:02d} - Track {n}.{'flac' if item.release.quality == 'FLAC' else 'mp3'}"
            tracks.append({"id": self.state.next_id(), "title": f"Track {n}", "trackNumber": str(n), "quality": item.release.quality,
                           "qualityVersion": 1, "releaseGroup": item.release.group})
            files.append(webhooks.track_file_body(file_id, path, item.release, each, now))
            self._history("lidarr", "trackFileImported", item, {"droppedPath": f"{source}/{n:02d}.flac", "importedPath": path})
        album.track_files, album.size_on_disk = album.title.tracks, item.release.size
        item.state = "imported"
        self._history("lidarr", "downloadImported", item, {"droppedPath": source, "importedPath": folder})
        self.sender.enqueue("lidarr", webhooks.lidarr_import("Download", self.app_urls.get("lidarr", ""), item, artist, album, tracks, files))
        del self.state.queue[item.id]
        self._plex_pending("album", album.id, artist.path, item.release.title)
        log.info("sandbox.media.imported", extra={"app": "lidarr", "release": item.release.title})


def _ints(value: object) -> list[int]:
    if isinstance(value, list):
        return [int(v) for v in value if isinstance(v, (int, str)) and str(v).isdigit()]
    return []
