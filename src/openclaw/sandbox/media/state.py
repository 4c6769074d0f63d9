"""What the simulated media apps hold: one shared store, since the pipeline moves items between them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from openclaw.sandbox.media.catalog import AlbumTitle, ArtistTitle, MovieTitle, SeriesTitle

App = Literal["sonarr", "radarr", "lidarr"]
Client = Literal["qbittorrent", "sabnzbd"]
# Jellyseerr's enums (server/constants/media.ts): request status and media status.
REQUEST_PENDING, REQUEST_APPROVED, REQUEST_DECLINED, REQUEST_FAILED, REQUEST_COMPLETED = 1, 2, 3, 4, 5
MEDIA_UNKNOWN, MEDIA_PENDING, MEDIA_PROCESSING, MEDIA_PARTIALLY_AVAILABLE, MEDIA_AVAILABLE = 1, 2, 3, 4, 5
MEDIA_STATUS_NAMES = {1: "UNKNOWN", 2: "PENDING", 3: "PROCESSING", 4: "PARTIALLY_AVAILABLE", 5: "AVAILABLE"}


@dataclass(frozen=True, slots=True)
class Release:
    guid: str
    title: str
    indexer_id: int
    indexer: str
    size: int
    quality_id: int
    quality: str
    resolution: int
    source: str
    seeders: int
    kind: Literal["series", "movie", "album"]
    external_id: int  # tvdb id for series, tmdb id for movies, 0 for albums (see `foreign_id`)
    season: int | None = None
    episode: int | None = None
    group: str = ""
    protocol: Literal["torrent", "usenet"] = "torrent"
    foreign_id: str = ""  # the album's MusicBrainz release-group id


@dataclass(slots=True)
class Episode:
    id: int
    series_id: int
    season: int
    number: int
    title: str
    air_date: str
    monitored: bool = True
    file_id: int = 0
    file_size: int = 0

    @property
    def has_file(self) -> bool:
        return self.file_id > 0


@dataclass(slots=True)
class Series:
    id: int
    title: SeriesTitle
    added: datetime
    monitored: bool = True
    quality_profile_id: int = 1

    @property
    def path(self) -> str:
        return f"/tv/{self.title.title} ({self.title.year})"


@dataclass(slots=True)
class Movie:
    id: int
    title: MovieTitle
    added: datetime
    monitored: bool = True
    file_id: int = 0
    file_size: int = 0
    file_added: datetime | None = None
    quality_profile_id: int = 1

    @property
    def path(self) -> str:
        return f"/movies/{self.title.title} ({self.title.year})"


@dataclass(slots=True)
class Torrent:
    hash: str
    name: str
    size: int
    category: str
    added_on: datetime
    progress: float = 0.0
    paused: bool = False
    stalled: bool = False
    completed_on: datetime | None = None
    reannounced: int = 0
    errored: bool = False
    tags: str = ""
    private: bool = False
    fault: str | None = None  # a download fault still to happen (faults.download)
    metadata: bool = False  # a magnet whose metadata never arrived
    missing: bool = False  # its files were removed from disk
    frozen: bool = False  # no peer sends anything

    @property
    def moving(self) -> bool:
        return not (self.done or self.paused or self.stalled or self.errored or self.metadata or self.missing or self.frozen)

    @property
    def done(self) -> bool:
        return self.progress >= 1.0

    @property
    def state(self) -> str:
        """qBittorrent's state string for this torrent."""
        if self.done:
            return "pausedUP" if self.paused else "stalledUP"
        if self.errored:
            return "error"
        if self.missing:
            return "missingFiles"
        if self.metadata:
            return "metaDL"
        if self.paused:
            return "pausedDL"
        return "stalledDL" if self.stalled else "downloading"


@dataclass(frozen=True, slots=True)
class DownloadView:
    """What the *arr apps read from their download client about one download, whichever client it is."""

    client: Client
    progress: float
    paused: bool
    stalled: bool
    done: bool
    category: str
    # qBittorrent's faults the queue shows as warnings (SABnzbd reports its failures in history instead)
    errored: bool = False
    missing: bool = False
    metadata: bool = False


QueueState = Literal["downloading", "importPending", "importing", "imported", "importBlocked", "importFailed", "failedPending", "failed"]


@dataclass(slots=True)
class QueueItem:
    id: int
    app: App
    download_id: str  # upper-case info hash (qBittorrent) or the nzo id (SABnzbd), as the apps report it
    release: Release
    added: datetime
    series_id: int = 0
    episode_ids: list[int] = field(default_factory=list)
    movie_id: int = 0
    state: QueueState = "downloading"
    import_due: float | None = None  # sim seconds at which the import runs
    blocked_reason: str = ""
    client: Client = "qbittorrent"
    artist_id: int = 0
    album_id: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file, reason) of an incomplete Lidarr import


@dataclass(slots=True)
class HistoryRecord:
    id: int
    app: App
    event_type: str
    date: datetime
    release: Release
    download_id: str
    series_id: int = 0
    episode_id: int = 0
    movie_id: int = 0
    data: dict[str, str] = field(default_factory=dict)
    artist_id: int = 0
    album_id: int = 0


@dataclass(slots=True)
class BlocklistEntry:
    id: int
    app: App
    release: Release
    date: datetime
    message: str
    series_id: int = 0
    episode_ids: list[int] = field(default_factory=list)
    movie_id: int = 0
    artist_id: int = 0
    album_id: int = 0


@dataclass(slots=True)
class Command:
    id: int
    app: App
    name: str
    params: dict[str, object]
    queued: datetime
    status: str = "queued"
    started: datetime | None = None
    ended: datetime | None = None
    message: str = ""
    due: float = 0.0


@dataclass(slots=True)
class Artist:
    id: int
    title: ArtistTitle
    added: datetime
    monitored: bool = True

    @property
    def path(self) -> str:
        return f"/music/{self.title.name}"


@dataclass(slots=True)
class Album:
    id: int
    artist_id: int
    title: AlbumTitle
    monitored: bool = True
    track_files: int = 0
    size_on_disk: int = 0
    last_search: datetime | None = None

    @property
    def has_files(self) -> bool:
        return self.track_files >= self.title.tracks


NzbStatus = Literal["Queued", "Downloading", "Paused", "Verifying", "Repairing", "Extracting", "Moving", "Completed", "Failed"]
POSTPROC_STATES = ("Verifying", "Repairing", "Extracting", "Moving")


@dataclass(slots=True)
class NzbJob:
    """One SABnzbd job: in the queue while downloading, in the history from post-processing on."""

    nzo_id: str
    name: str
    category: str  # tv, movies, music
    size: int
    added: datetime
    status: NzbStatus = "Queued"
    progress: float = 0.0
    paused: bool = False
    fail_message: str = ""
    completed: datetime | None = None
    stage_due: float | None = None  # sim seconds at which post-processing moves to its next stage
    fails_with: str = ""  # the post-processing failure this job is bound for ("" = it completes)
    retry_fails: bool = False  # a retry of this job fails again with the same message
    download_time: int = 0
    password: str = ""

    @property
    def in_history(self) -> bool:
        return self.status in POSTPROC_STATES or self.status in ("Completed", "Failed")

    @property
    def storage(self) -> str:
        return f"/downloads/complete/{self.category}/{self.name}" if self.status == "Completed" else ""


PlexType = Literal["movie", "show", "season", "episode", "artist", "album"]


@dataclass(slots=True)
class PlexItem:
    rating_key: int
    type: PlexType
    title: str
    section_id: int
    guid: str  # plex://<type>/<24 hex>
    guids: list[str]  # external ids: imdb://..., tmdb://..., tvdb://..., mbid://...
    path: str
    added_at: datetime
    year: int | None = None
    parent_key: int | None = None
    index: int | None = None


@dataclass(slots=True)
class PlexPending:
    """An imported file Plex has not scanned yet: `due` once the *arr's Plex connection asks for it,
    None when that request never arrives (only a section refresh finds it)."""

    kind: Literal["movie", "series", "album"]
    owner_id: int
    path: str
    due: float | None
    season: int | None = None
    episode: int | None = None


@dataclass(slots=True)
class SeerrUser:
    id: int
    username: str
    email: str
    auto_approve: bool


@dataclass(slots=True)
class SeerrRequest:
    id: int
    media_id: int
    media_type: Literal["movie", "tv"]
    tmdb_id: int
    tvdb_id: int | None
    title: str
    requested_by: SeerrUser
    created: datetime
    updated: datetime
    seasons: list[int] = field(default_factory=list)
    status: int = REQUEST_PENDING
    media_status: int = MEDIA_PENDING
    modified_by: SeerrUser | None = None
    jellyfin_id: str | None = None


@dataclass(slots=True)
class JellyfinItem:
    id: str
    name: str
    type: Literal["Movie", "Series", "Episode"]
    year: int
    provider_ids: dict[str, str]
    path: str
    date_created: datetime
    series_id: str | None = None
    season: int | None = None
    episode: int | None = None


@dataclass
class MediaState:
    """Every simulated app's records; the apps render views of it, the pipeline changes it."""

    series: dict[int, Series] = field(default_factory=dict)
    episodes: dict[int, Episode] = field(default_factory=dict)
    movies: dict[int, Movie] = field(default_factory=dict)
    queue: dict[int, QueueItem] = field(default_factory=dict)
    torrents: dict[str, Torrent] = field(default_factory=dict)
    history: list[HistoryRecord] = field(default_factory=list)
    blocklist: list[BlocklistEntry] = field(default_factory=list)
    commands: dict[int, Command] = field(default_factory=dict)
    requests: dict[int, SeerrRequest] = field(default_factory=dict)
    users: dict[int, SeerrUser] = field(default_factory=dict)
    items: dict[str, JellyfinItem] = field(default_factory=dict)
    # Files imported by Sonarr/Radarr that Jellyfin has not scanned yet.
    unscanned: list[tuple[str, int, int | None, int | None]] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # Per-episode queue record ids Sonarr shows for one download (a pack is one record per episode).
    episode_queue_ids: dict[tuple[int, int], int] = field(default_factory=dict)
    artists: dict[int, Artist] = field(default_factory=dict)
    albums: dict[int, Album] = field(default_factory=dict)
    # SABnzbd's queue and history, by nzo id, in the order added
    nzbs: dict[str, NzbJob] = field(default_factory=dict)
    sab_paused: bool = False
    sab_history_update: int = 0  # SABnzbd's `last_history_update` counter
    plex_items: dict[int, PlexItem] = field(default_factory=dict)
    plex_pending: list[PlexPending] = field(default_factory=list)
    plex_keys: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # section id -> sim second its requested refresh runs, and the path it is limited to ("" = whole section)
    plex_refresh: dict[int, tuple[float, str]] = field(default_factory=dict)

    def next_id(self) -> int:
        return next(self.ids)

    def episodes_of(self, series_id: int) -> list[Episode]:
        return sorted((e for e in self.episodes.values() if e.series_id == series_id), key=lambda e: (e.season, e.number))

    def albums_of(self, artist_id: int) -> list[Album]:
        return sorted((a for a in self.albums.values() if a.artist_id == artist_id), key=lambda a: (a.title.year, a.title.title))

    def blocked(self, app: App, title: str) -> bool:
        return any(b.app == app and b.release.title == title for b in self.blocklist)

    def queue_record_id(self, item: QueueItem, episode_id: int) -> int:
        key = (item.id, episode_id)
        if key not in self.episode_queue_ids:
            self.episode_queue_ids[key] = self.next_id()
        return self.episode_queue_ids[key]

    def queue_item_for_record(self, record_id: int) -> QueueItem | None:
        if record_id in self.queue:
            return self.queue[record_id]
        for (item_id, _), rid in self.episode_queue_ids.items():
            if rid == record_id:
                return self.queue.get(item_id)
        return None
