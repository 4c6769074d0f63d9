"""Webhook bodies exactly as Sonarr, Radarr, Lidarr and Jellyseerr send them, and the sender that posts them.

Sonarr/Radarr/Lidarr: camelCase keys, PascalCase `eventType`, null fields left out, `downloadId` linking
Grab, ManualInteractionRequired (Sonarr/Radarr), ImportFailure (Lidarr) and Download. Jellyseerr: its default JSON template, where every
placeholder arrives as a string and `{{media}}`/`{{request}}`/`{{issue}}`/`{{comment}}` become
objects or null.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from openclaw.sandbox import delivery
from openclaw.sandbox.media.state import (
    MEDIA_STATUS_NAMES,
    Album,
    Artist,
    Episode,
    Movie,
    QueueItem,
    Release,
    SeerrRequest,
    Series,
)
from openclaw.sandbox.simclock import iso

log = logging.getLogger(__name__)

ENGLISH = {"id": 1, "name": "English"}
CLIENT_NAMES = {"qbittorrent": "qBittorrent", "sabnzbd": "SABnzbd"}


def client_name(item: QueueItem) -> str:
    """The download client's name as the *arr apps report it (the client's type and default name)."""
    return CLIENT_NAMES[item.client]


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def compact(body: dict[str, Any]) -> dict[str, Any]:
    """Drop None values recursively: the *arr apps' serializer leaves null fields out."""
    return {k: _strip(v) for k, v in body.items() if v is not None}


def _slug(title: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())


def series_body(series: Series) -> dict[str, Any]:
    t = series.title
    return {
        "id": series.id, "title": t.title, "titleSlug": _slug(t.title), "path": series.path,
        "tvdbId": t.tvdb_id, "tvMazeId": 0, "tmdbId": t.tmdb_id, "imdbId": t.imdb_id, "type": "standard",
        "year": t.year, "genres": list(t.genres), "images": [], "tags": [], "originalLanguage": ENGLISH,
    }


def episode_body(ep: Episode) -> dict[str, Any]:
    return {
        "id": ep.id, "episodeNumber": ep.number, "seasonNumber": ep.season, "title": ep.title,
        "airDate": ep.air_date, "airDateUtc": f"{ep.air_date}T02:00:00Z", "seriesId": ep.series_id, "tvdbId": 0,
    }


def movie_body(movie: Movie) -> dict[str, Any]:
    t = movie.title
    return {
        "id": movie.id, "title": t.title, "year": t.year, "releaseDate": f"{t.year}-10-22", "folderPath": movie.path,
        "tmdbId": t.tmdb_id, "imdbId": t.imdb_id, "overview": "", "genres": list(t.genres), "images": [], "tags": [],
        "originalLanguage": ENGLISH,
    }


def release_body(release: Release) -> dict[str, Any]:
    return {
        "quality": release.quality, "qualityVersion": 1, "releaseGroup": release.group, "releaseTitle": release.title,
        "indexer": release.indexer, "size": release.size, "customFormatScore": 0, "customFormats": [],
        "languages": [ENGLISH], "indexerFlags": [],
    }


def artist_body(artist: Artist) -> dict[str, Any]:
    t = artist.title
    return {"id": artist.id, "name": t.name, "disambiguation": "", "path": artist.path, "mbId": t.mb_id,
            "type": t.artist_type, "overview": "", "genres": list(t.genres), "images": [], "tags": []}


def album_body(album: Album) -> dict[str, Any]:
    t = album.title
    return {"id": album.id, "mbId": t.mb_id, "title": t.title, "disambiguation": "", "overview": "", "albumType": "Album",
            "secondaryAlbumTypes": [], "releaseDate": f"{t.year}-06-16T00:00:00Z", "genres": [], "images": []}


def lidarr_release_body(release: Release) -> dict[str, Any]:
    return {"quality": release.quality, "qualityVersion": 1, "releaseGroup": release.group, "releaseTitle": release.title,
            "indexer": release.indexer, "size": release.size, "customFormatScore": 0, "customFormats": []}


def _base(event: str, app: str, url: str) -> dict[str, Any]:
    return {"eventType": event, "instanceName": app.capitalize(), "applicationUrl": url}


def grab(app: str, url: str, item: QueueItem, subject: dict[str, Any]) -> dict[str, Any]:
    """`subject` holds `series`+`episodes` (Sonarr), `movie`+`remoteMovie` (Radarr) or `artist`+`albums` (Lidarr)."""
    if app == "lidarr":
        return compact({**subject, "release": lidarr_release_body(item.release), "downloadClient": client_name(item),
                        "downloadClientType": client_name(item), "downloadId": item.download_id, **_base("Grab", app, url)})
    body = {
        **subject, "release": release_body(item.release), "downloadClient": client_name(item),
        "downloadClientType": client_name(item), "downloadId": item.download_id,
        "customFormatInfo": {"customFormats": [], "customFormatScore": 0}, **_base("Grab", app, url),
    }
    return compact(body)


def track_file_body(file_id: int, path: str, release: Release, size: int, added: datetime) -> dict[str, Any]:
    return {"id": file_id, "path": path, "quality": release.quality, "qualityVersion": 1, "releaseGroup": release.group,
            "sceneName": release.title, "size": size, "dateAdded": iso(added)}


def lidarr_import(event: str, url: str, item: QueueItem, artist: Artist, album: Album | None,
                  tracks: list[dict[str, Any]], files: list[dict[str, Any]]) -> dict[str, Any]:
    """Lidarr's `Download` (an album imported) and `ImportFailure` (tracks rejected; Lidarr leaves the
    album out of that one) share one payload shape."""
    return compact({
        "artist": artist_body(artist), "album": album_body(album) if album else None, "tracks": tracks, "trackFiles": files,
        "isUpgrade": False, "downloadClient": client_name(item), "downloadClientType": client_name(item),
        "downloadId": item.download_id, **_base(event, "lidarr", url),
    })


def lidarr_download_failure(url: str, item: QueueItem) -> dict[str, Any]:
    """`DownloadFailure`: Lidarr names the release and the download, not the artist."""
    return compact({"quality": item.release.quality, "qualityVersion": 1, "releaseTitle": item.release.title,
                    "downloadClient": client_name(item), "downloadId": item.download_id, **_base("DownloadFailure", "lidarr", url)})


def file_body(file_id: int, root: str, relative: str, release: Release, size: int, added: datetime, source: str) -> dict[str, Any]:
    return {
        "id": file_id, "relativePath": relative, "path": f"{root}/{relative}", "quality": release.quality,
        "qualityVersion": 1, "releaseGroup": release.group, "sceneName": release.title, "size": size,
        "dateAdded": iso(added), "languages": [ENGLISH], "sourcePath": source,
    }


def download(app: str, url: str, item: QueueItem, subject: dict[str, Any], files: list[dict[str, Any]]) -> dict[str, Any]:
    """The import event (`Download`): one file as `episodeFile`/`movieFile`, a pack as `episodeFiles`."""
    file_key = "movieFile" if app == "radarr" else "episodeFile"
    body: dict[str, Any] = {**subject}
    if len(files) == 1:
        body[file_key] = files[0]
    else:
        body["episodeFiles"] = files
    body.update(
        isUpgrade=False, downloadClient=client_name(item), downloadClientType=client_name(item), downloadId=item.download_id,
        customFormatInfo={"customFormats": [], "customFormatScore": 0}, release=release_body(item.release),
        **_base("Download", app, url),
    )
    return compact(body)


def manual_interaction(app: str, url: str, item: QueueItem, subject: dict[str, Any]) -> dict[str, Any]:
    body = {
        **subject,
        "downloadInfo": {"quality": item.release.quality, "qualityVersion": 1, "title": item.release.title, "size": item.release.size},
        "downloadClient": client_name(item), "downloadClientType": client_name(item), "downloadId": item.download_id,
        "downloadStatus": "Warning",
        "downloadStatusMessages": [{"title": item.release.title, "messages": [item.blocked_reason]}],
        "customFormatInfo": {"customFormats": [], "customFormatScore": 0}, "release": release_body(item.release),
        **_base("ManualInteractionRequired", app, url),
    }
    return compact(body)


def health(app: str, url: str, level: str, message: str, check: str, restored: bool = False) -> dict[str, Any]:
    return compact({
        "level": level, "message": message, "type": check,
        "wikiUrl": f"https://wiki.servarr.com/{app}/system#{check.lower()}",
        **_base("HealthRestored" if restored else "Health", app, url),
    })


# Jellyseerr's default webhook template (the same as Overseerr's `jsonPayload` default).
SEERR_TEMPLATE: dict[str, Any] = {
    "notification_type": "{{notification_type}}", "event": "{{event}}", "subject": "{{subject}}",
    "message": "{{message}}", "image": "{{image}}",
    "{{media}}": {"media_type": "{{media_type}}", "tmdbId": "{{media_tmdbid}}", "tvdbId": "{{media_tvdbid}}",
                  "status": "{{media_status}}", "status4k": "{{media_status4k}}"},
    "{{request}}": {"request_id": "{{request_id}}", "requestedBy_email": "{{requestedBy_email}}",
                    "requestedBy_username": "{{requestedBy_username}}", "requestedBy_avatar": "{{requestedBy_avatar}}",
                    "requestedBy_settings_discordId": "{{requestedBy_settings_discordId}}",
                    "requestedBy_settings_telegramChatId": "{{requestedBy_settings_telegramChatId}}"},
    "{{issue}}": {"issue_id": "{{issue_id}}", "issue_type": "{{issue_type}}", "issue_status": "{{issue_status}}",
                  "reportedBy_email": "{{reportedBy_email}}", "reportedBy_username": "{{reportedBy_username}}",
                  "reportedBy_avatar": "{{reportedBy_avatar}}", "reportedBy_settings_discordId": "{{reportedBy_settings_discordId}}",
                  "reportedBy_settings_telegramChatId": "{{reportedBy_settings_telegramChatId}}"},
    "{{comment}}": {"comment_message": "{{comment_message}}", "commentedBy_email": "{{commentedBy_email}}",
                    "commentedBy_username": "{{commentedBy_username}}", "commentedBy_avatar": "{{commentedBy_avatar}}",
                    "commentedBy_settings_discordId": "{{commentedBy_settings_discordId}}",
                    "commentedBy_settings_telegramChatId": "{{commentedBy_settings_telegramChatId}}"},
    "{{extra}}": [],
}

SEERR_EVENTS = {
    "MEDIA_PENDING": "New {kind} Request",
    "MEDIA_AUTO_APPROVED": "{kind} Request Automatically Approved",
    "MEDIA_APPROVED": "{kind} Request Approved",
    "MEDIA_DECLINED": "{kind} Request Declined",
    "MEDIA_AVAILABLE": "{kind} Request Now Available",
    "MEDIA_FAILED": "Failed {kind} Request",
}


def _render(template: Any, values: dict[str, str], objects: dict[str, bool], extra: list[dict[str, str]]) -> Any:
    if isinstance(template, str):
        out = template
        for key, value in values.items():
            out = out.replace("{{" + key + "}}", value)
        return out
    if isinstance(template, list):
        return [_render(v, values, objects, extra) for v in template]
    rendered: dict[str, Any] = {}
    for key, value in template.items():
        if key == "{{extra}}":
            rendered["extra"] = extra
        elif key.startswith("{{") and key.endswith("}}"):
            name = key[2:-2]
            rendered[name] = _render(value, values, objects, extra) if objects.get(name) else None
        else:
            rendered[key] = _render(value, values, objects, extra)
    return rendered


def seerr(notification: str, request: SeerrRequest, overview: str = "") -> dict[str, Any]:
    """A Jellyseerr notification rendered through its default template: every value a string."""
    kind = "Movie" if request.media_type == "movie" else "Series"
    user = request.requested_by
    values = {
        "notification_type": notification, "event": SEERR_EVENTS[notification].format(kind=kind),
        "subject": request.title, "message": overview,
        "image": f"https://image.tmdb.org/t/p/w600_and_h900_bestv2/{request.tmdb_id}.jpg",
        "media_type": request.media_type, "media_tmdbid": str(request.tmdb_id),
        "media_tvdbid": str(request.tvdb_id) if request.tvdb_id else "",
        "media_status": MEDIA_STATUS_NAMES[request.media_status], "media_status4k": "UNKNOWN",
        "request_id": str(request.id), "requestedBy_email": user.email, "requestedBy_username": user.username,
        "requestedBy_avatar": f"/avatarproxy/{user.id}", "requestedBy_settings_discordId": "",
        "requestedBy_settings_telegramChatId": "",
    }
    extra = [{"name": "Requested Seasons", "value": ", ".join(str(s) for s in request.seasons)}] if request.media_type == "tv" else []
    objects = {"media": True, "request": True, "issue": False, "comment": False}
    rendered: dict[str, Any] = _render(SEERR_TEMPLATE, values, objects, extra)
    return rendered


@dataclass(frozen=True, slots=True)
class Delivery:
    app: str
    event: str
    status: int | None
    error: str = ""


@dataclass
class WebhookSender:
    """Posts webhook bodies in order to the URL configured per app, with the hooks token.

    Sonarr, Radarr and Lidarr offer only user/password on a webhook connection, so the token goes as the
    Basic password; Jellyseerr sends its configured Authorization header (`Bearer <token>`).
    """

    targets: dict[str, str] = field(default_factory=dict)
    token: str | None = None
    outbox: asyncio.Queue[tuple[str, dict[str, Any]]] = field(default_factory=asyncio.Queue)
    deliveries: list[Delivery] = field(default_factory=list)
    # Every webhook the apps produced (app, event), sent or not: what scenario expectations check.
    produced: list[tuple[str, str]] = field(default_factory=list)
    retry: delivery.Retry = field(default_factory=delivery.Retry)

    def enqueue(self, app: str, body: dict[str, Any]) -> None:
        self.produced.append((app, str(body.get("eventType") or body.get("notification_type") or "")))
        if app in self.targets:
            self.outbox.put_nowait((app, body))

    def _headers(self, app: str) -> dict[str, str]:
        agents = {"sonarr": "Sonarr/4.0.14.2939", "radarr": "Radarr/5.21.1.9799", "lidarr": "Lidarr/2.10.3.4602", "seerr": "Jellyseerr/2.5.2"}
        headers = {"User-Agent": agents.get(app, "openclaw-sandbox")}
        if self.token and app in ("sonarr", "radarr", "lidarr"):
            headers["Authorization"] = "Basic " + base64.b64encode(f"openclaw:{self.token}".encode()).decode()
        elif self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
            while True:
                app, body = await self.outbox.get()
                event = str(body.get("eventType") or body.get("notification_type") or "")
                try:
                    status, error, _attempts = await delivery.post(client, self.targets[app], body, self._headers(app), self.retry)
                    self.deliveries.append(Delivery(app, event, status, error))
                    if status is None:
                        log.warning("sandbox.webhook_failed", extra={"app": app, "event": event, "error": error})
                    elif status >= 300:
                        log.warning("sandbox.webhook_refused", extra={"app": app, "event": event, "status": status})
                finally:
                    self.outbox.task_done()

    async def drain(self) -> None:
        await self.outbox.join()
