"""*arr webhook bodies (Sonarr, Radarr, Lidarr, Readarr, Prowlarr).

Shapes follow each app's `src/NzbDrone.Core/Notifications/Webhook/*.cs`: camelCase keys,
PascalCase `eventType`, null fields left out. Only the fields openclaw reads are typed; the rest
are kept as extras. `downloadId` links Grab, ManualInteractionRequired and Download of one queue item.
"""

from __future__ import annotations

from pydantic import Field

from openclaw.events.models.base import FirstBad, LooseStr, WebhookModel

# Event types each app sends (newer versions may add more: those are stored as they come).
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "sonarr": (
        "Test", "Grab", "Download", "Rename", "SeriesAdd", "SeriesDelete", "EpisodeFileDelete",
        "Health", "HealthRestored", "ApplicationUpdate", "ManualInteractionRequired",
    ),
    "radarr": (
        "Test", "Grab", "Download", "Rename", "MovieAdded", "MovieDelete", "MovieFileDelete",
        "Health", "HealthRestored", "ApplicationUpdate", "ManualInteractionRequired",
    ),
    "lidarr": (
        "Test", "Grab", "Download", "DownloadFailure", "ImportFailure", "Rename", "Retag", "ArtistAdd",
        "ArtistDelete", "AlbumDelete", "Health", "HealthRestored", "ApplicationUpdate", "ManualInteractionRequired",
    ),
    "readarr": (
        "Test", "Grab", "Download", "DownloadFailure", "ImportFailure", "Rename", "Retag", "AuthorAdded",
        "AuthorDelete", "BookDelete", "BookFileDelete", "Health", "HealthRestored", "ApplicationUpdate",
    ),
    "prowlarr": ("Test", "Grab", "Health", "HealthRestored", "ApplicationUpdate"),
}

# The object each app's media events are about, and the event types that must carry it.
SUBJECT_FIELD = {"sonarr": "series", "radarr": "movie", "lidarr": "artist", "readarr": "author"}
HEALTH_TYPES = ("Health", "HealthRestored")
NO_SUBJECT_TYPES = (*HEALTH_TYPES, "ApplicationUpdate", "DownloadFailure")


class ArrSeries(WebhookModel):
    id: int
    title: str | None = None
    title_slug: str | None = Field(None, alias="titleSlug")
    path: str | None = None
    tvdb_id: int | None = Field(None, alias="tvdbId")
    tmdb_id: int | None = Field(None, alias="tmdbId")
    imdb_id: str | None = Field(None, alias="imdbId")
    year: int | None = None


class ArrEpisode(WebhookModel):
    id: int | None = None
    episode_number: int | None = Field(None, alias="episodeNumber")
    season_number: int | None = Field(None, alias="seasonNumber")
    title: str | None = None


class ArrMovie(WebhookModel):
    id: int
    title: str | None = None
    year: int | None = None
    folder_path: str | None = Field(None, alias="folderPath")
    tmdb_id: int | None = Field(None, alias="tmdbId")
    imdb_id: str | None = Field(None, alias="imdbId")


class ArrArtist(WebhookModel):
    id: int
    name: str | None = None
    path: str | None = None
    mb_id: str | None = Field(None, alias="mbId")


class ArrAuthor(WebhookModel):
    id: int
    name: str | None = None
    path: str | None = None
    goodreads_id: LooseStr = Field(None, alias="goodreadsId")


class ArrRelease(WebhookModel):
    quality: str | None = None
    release_group: str | None = Field(None, alias="releaseGroup")
    release_title: str | None = Field(None, alias="releaseTitle")
    indexer: str | None = None
    size: int | None = None


class ArrFile(WebhookModel):
    id: int | None = None
    relative_path: str | None = Field(None, alias="relativePath")
    path: str | None = None
    quality: str | None = None
    size: int | None = None


class ArrEvent(WebhookModel):
    """Fields common to every *arr webhook, plus the per-app subject objects (absent when not sent)."""

    event_type: str = Field(alias="eventType", min_length=1)
    instance_name: str | None = Field(None, alias="instanceName")
    application_url: str | None = Field(None, alias="applicationUrl")
    download_id: str | None = Field(None, alias="downloadId")
    download_client: str | None = Field(None, alias="downloadClient")
    download_client_type: str | None = Field(None, alias="downloadClientType")
    is_upgrade: bool | None = Field(None, alias="isUpgrade")
    release: ArrRelease | None = None
    # Health / HealthRestored
    level: str | None = None
    message: str | None = None
    type: str | None = None
    wiki_url: str | None = Field(None, alias="wikiUrl")
    # ApplicationUpdate
    previous_version: str | None = Field(None, alias="previousVersion")
    new_version: str | None = Field(None, alias="newVersion")
    # ManualInteractionRequired
    download_status: str | None = Field(None, alias="downloadStatus")
    # Sonarr
    series: ArrSeries | None = None
    episodes: FirstBad[list[ArrEpisode]] | None = None
    episode_file: ArrFile | None = Field(None, alias="episodeFile")
    episode_files: FirstBad[list[ArrFile]] | None = Field(None, alias="episodeFiles")
    # Radarr
    movie: ArrMovie | None = None
    movie_file: ArrFile | None = Field(None, alias="movieFile")
    # Lidarr
    artist: ArrArtist | None = None
    # Readarr
    author: ArrAuthor | None = None
    # *FileDelete / *Delete
    delete_reason: str | None = Field(None, alias="deleteReason")
    deleted_files: bool | FirstBad[list[ArrFile]] | None = Field(None, alias="deletedFiles")
