"""Simulated Lidarr: the API v1 subset an operator's agent uses, over the shared media pipeline.

Bodies follow Lidarr's own OpenAPI document (`src/Lidarr.Api.V1/openapi.json`, whose schemas forbid
unknown keys); null fields are left out as its serializer does. Music has no languages, and quality
is `{id, name}` only (FLAC, MP3-320).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openclaw.sandbox.media import arr
from openclaw.sandbox.media.catalog import AlbumTitle, ArtistTitle
from openclaw.sandbox.media.pipeline import MediaError, MediaPipeline
from openclaw.sandbox.media.state import Album, Artist, HistoryRecord, QueueItem, Release
from openclaw.sandbox.media.web import build, error, read_json
from openclaw.sandbox.simclock import iso

VERSION = "2.10.3.4602"
# EntityHistoryEventType's numbers, as `eventType=` may give them.
HISTORY_EVENTS = {"grabbed": 1, "artistFolderImported": 2, "trackFileImported": 3, "downloadFailed": 4, "trackFileDeleted": 5,
                  "trackFileRenamed": 6, "albumImportIncomplete": 7, "downloadImported": 8, "trackFileRetagged": 9, "downloadIgnored": 10}
# Lidarr's TrackedDownloadState names its failure states after downloads.
TRACKED_STATES = {"failedPending": "downloadFailedPending", "failed": "downloadFailed"}


def quality(release: Release) -> dict[str, Any]:
    return {"quality": {"id": release.quality_id, "name": release.quality}, "revision": {"version": 1, "real": 0, "isRepack": False}}


def _clean(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


def artist_resource(p: MediaPipeline, artist: Artist | None, title: ArtistTitle) -> dict[str, Any]:
    albums = p.state.albums_of(artist.id) if artist else []
    have = sum(a.track_files for a in albums)
    wanted = sum(a.title.tracks for a in albums if a.monitored)
    return arr.compact({
        "id": artist.id if artist else None, "status": "continuing", "ended": False, "artistName": title.name,
        "foreignArtistId": title.mb_id, "mbId": title.mb_id, "tadbId": 0, "discogsId": 0, "overview": f"{title.name}.",
        "artistType": title.artist_type, "disambiguation": "", "links": [{"url": f"https://musicbrainz.org/artist/{title.mb_id}", "name": "musicbrainz"}],
        "images": [], "members": [], "path": artist.path if artist else None, "qualityProfileId": 1, "metadataProfileId": 1,
        "monitored": artist.monitored if artist else False, "monitorNewItems": "all", "rootFolderPath": "/music" if artist else None,
        "folder": title.name, "genres": list(title.genres), "cleanName": _clean(title.name), "sortName": title.name.lower(), "tags": [],
        "added": iso(artist.added) if artist else "0001-01-01T00:00:00Z", "ratings": {"votes": 0, "value": 0.0},
        "statistics": {"albumCount": len(title.albums), "trackFileCount": have, "trackCount": wanted,
                       "totalTrackCount": sum(a.tracks for a in title.albums), "sizeOnDisk": sum(a.size_on_disk for a in albums),
                       "percentOfTracks": 100.0 * have / max(wanted, 1)},
    })


def album_resource(p: MediaPipeline, album: Album | None, artist_title: ArtistTitle, title: AlbumTitle, include_artist: bool = False) -> dict[str, Any]:
    artist = p.state.artists.get(album.artist_id) if album else None
    medium = [{"mediumNumber": 1, "mediumName": "", "mediumFormat": "CD"}]
    body: dict[str, Any] = {
        "id": album.id if album else None, "title": title.title, "disambiguation": "", "overview": "",
        "artistId": album.artist_id if album else 0, "foreignAlbumId": title.mb_id, "monitored": album.monitored if album else False,
        "anyReleaseOk": True, "profileId": 1, "duration": title.minutes * 60_000, "albumType": "Album", "secondaryTypes": [],
        "mediumCount": 1, "ratings": {"votes": 0, "value": 0.0}, "releaseDate": f"{title.year}-06-16T00:00:00Z",
        "releases": [{"id": album.id if album else 0, "albumId": album.id if album else 0, "foreignReleaseId": title.mb_id,
                      "title": title.title, "status": "Official", "duration": title.minutes * 60_000, "trackCount": title.tracks,
                      "media": medium, "mediumCount": 1, "disambiguation": "", "country": [], "label": [], "format": "CD", "monitored": True}],
        "genres": list(artist_title.genres), "media": medium, "images": [], "links": [],
        "lastSearchTime": iso(album.last_search) if album and album.last_search else None,
        "statistics": {"trackFileCount": album.track_files if album else 0, "trackCount": title.tracks, "totalTrackCount": title.tracks,
                       "sizeOnDisk": album.size_on_disk if album else 0,
                       "percentOfTracks": 100.0 * (album.track_files if album else 0) / max(title.tracks, 1)},
    }
    if include_artist:
        body["artist"] = artist_resource(p, artist, artist_title)
    return arr.compact(body)


def _album(p: MediaPipeline, album: Album, include_artist: bool = False) -> dict[str, Any]:
    return album_resource(p, album, p.state.artists[album.artist_id].title, album.title, include_artist)


def _ids(request: Request, name: str) -> set[int]:
    return {int(v) for value in request.query_params.getlist(name) for v in value.split(",") if v.strip().isdigit()}


def build_app(p: MediaPipeline, api_key: str) -> Starlette:
    started = p.clock.now()

    async def status(request: Request) -> Response:
        body = arr.system_status("Lidarr", VERSION, started)
        body.pop("sqliteVersion", None)  # Lidarr's SystemResource has no such key
        return JSONResponse(body)

    async def health(request: Request) -> Response:
        return JSONResponse(arr.health(p.health_issues.get("lidarr", []), "lidarr"))

    def queue_record(item: QueueItem, include_artist: bool, include_album: bool) -> dict[str, Any]:
        fields = arr.queue_fields(item, p.download_of(item), p.clock.now(), p.timings.download_bytes_per_s)
        fields.pop("languages")
        fields["quality"] = quality(item.release)
        fields["trackedDownloadState"] = TRACKED_STATES.get(fields["trackedDownloadState"], fields["trackedDownloadState"])
        album = p.state.albums[item.album_id]
        record: dict[str, Any] = {"id": item.id, "artistId": item.artist_id, "albumId": item.album_id, **fields,
                                  "trackFileCount": album.title.tracks, "trackHasFileCount": album.track_files, "downloadForced": False}
        if include_artist:
            artist = p.state.artists[item.artist_id]
            record["artist"] = artist_resource(p, artist, artist.title)
        if include_album:
            record["album"] = _album(p, album)
        return arr.compact(record)

    def queue_items(artist_ids: set[int]) -> list[QueueItem]:
        return [i for i in sorted(p.state.queue.values(), key=lambda i: i.id) if i.app == "lidarr" and (not artist_ids or i.artist_id in artist_ids)]

    async def queue(request: Request) -> Response:
        include_artist, include_album = arr.flag(request, "includeArtist", False), arr.flag(request, "includeAlbum", False)
        records = [queue_record(i, include_artist, include_album) for i in queue_items(_ids(request, "artistIds"))]
        return JSONResponse(arr.paging(request, records, "timeleft"))

    async def queue_details(request: Request) -> Response:
        include_artist, include_album = arr.flag(request, "includeArtist", False), arr.flag(request, "includeAlbum", True)
        artist_id = request.query_params.get("artistId")
        album_ids = _ids(request, "albumIds")
        items = [i for i in queue_items({int(artist_id)} if artist_id and artist_id.isdigit() else set())
                 if not album_ids or i.album_id in album_ids]
        return JSONResponse([queue_record(i, include_artist, include_album) for i in items])

    async def command_post(request: Request) -> Response:
        body = await read_json(request)
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise MediaError("name: expected a command name such as AlbumSearch", field="name")
        if name == "AlbumSearch" and not (isinstance(body.get("albumIds"), list) and body["albumIds"]):
            raise MediaError("albumIds: AlbumSearch needs a list of album ids", field="albumIds")
        if name == "ArtistSearch" and not isinstance(body.get("artistId"), int):
            raise MediaError("artistId: ArtistSearch needs the artist id", field="artistId")
        if name == "DownloadedAlbumsScan" and not isinstance(body.get("path", ""), str):
            raise MediaError("path: expected the folder to scan", field="path")
        cmd = p.queue_command("lidarr", name, {k: v for k, v in body.items() if k != "name"})
        return JSONResponse(arr.command(cmd), status_code=201)

    async def command_list(request: Request) -> Response:
        return JSONResponse([arr.command(c) for c in p.state.commands.values() if c.app == "lidarr"])

    async def command_get(request: Request) -> Response:
        cmd = p.state.commands.get(int(request.path_params["id"]))
        if cmd is None or cmd.app != "lidarr":
            return error(404, "NotFound")
        return JSONResponse(arr.command(cmd))

    async def artist_list(request: Request) -> Response:
        mb_id = request.query_params.get("mbId")
        return JSONResponse([artist_resource(p, a, a.title) for a in p.state.artists.values() if mb_id is None or a.title.mb_id == mb_id])

    async def artist_get(request: Request) -> Response:
        artist = p.state.artists.get(int(request.path_params["id"]))
        if artist is None:
            return error(404, "NotFound")
        return JSONResponse(artist_resource(p, artist, artist.title))

    async def artist_add(request: Request) -> Response:
        body = await read_json(request)
        mb_id = body.get("foreignArtistId")
        if not isinstance(mb_id, str) or not mb_id:
            raise MediaError("foreignArtistId: expected the artist's MusicBrainz id", field="foreignArtistId")
        options = body.get("addOptions") or {}
        artist = p.add_artist(mb_id, monitored=bool(body.get("monitored", True)),
                              search=bool(isinstance(options, dict) and options.get("searchForMissingAlbums")))
        return JSONResponse(artist_resource(p, artist, artist.title), status_code=201)

    def _lookup(term: str) -> list[tuple[ArtistTitle, AlbumTitle | None]]:
        if not term:
            raise MediaError("term: expected a search term", field="term")
        return p.catalog.search_music(term)

    async def artist_lookup(request: Request) -> Response:
        known = {a.title.mb_id: a for a in p.state.artists.values()}
        seen: dict[str, ArtistTitle] = {a.mb_id: a for a, _ in _lookup(request.query_params.get("term", ""))}
        return JSONResponse([artist_resource(p, known.get(mb), t) for mb, t in seen.items()])

    async def album_lookup(request: Request) -> Response:
        known = {a.title.mb_id: a for a in p.state.albums.values()}
        out, seen = [], set()
        for artist_title, album_title in _lookup(request.query_params.get("term", "")):
            for t in ([album_title] if album_title else list(artist_title.albums)):
                if t.mb_id not in seen:
                    seen.add(t.mb_id)
                    out.append(album_resource(p, known.get(t.mb_id), artist_title, t))
        return JSONResponse(out)

    async def album_list(request: Request) -> Response:
        q = request.query_params
        artist_id, foreign = q.get("artistId"), q.get("foreignAlbumId")
        ids = _ids(request, "albumIds")
        albums = [a for a in sorted(p.state.albums.values(), key=lambda a: a.id)
                  if (artist_id is None or str(a.artist_id) == artist_id) and (not ids or a.id in ids)
                  and (foreign is None or a.title.mb_id == foreign)]
        return JSONResponse([_album(p, a) for a in albums])

    async def album_get(request: Request) -> Response:
        album = p.state.albums.get(int(request.path_params["id"]))
        if album is None:
            return error(404, "NotFound")
        return JSONResponse(_album(p, album, include_artist=True))

    async def wanted_missing(request: Request) -> Response:
        monitored = arr.flag(request, "monitored", True)
        include = arr.flag(request, "includeArtist", False)
        albums = [a for a in sorted(p.state.albums.values(), key=lambda a: a.id) if not a.has_files and a.monitored == monitored]
        return JSONResponse(arr.paging(request, [_album(p, a, include) for a in albums], "releaseDate"))

    def history_record(h: HistoryRecord, include_artist: bool, include_album: bool) -> dict[str, Any]:
        rec: dict[str, Any] = {"id": h.id, "albumId": h.album_id, "artistId": h.artist_id, "trackId": 0, "sourceTitle": h.release.title,
                               "quality": quality(h.release), "customFormats": [], "customFormatScore": 0, "qualityCutoffNotMet": False,
                               "date": iso(h.date), "downloadId": h.download_id, "eventType": h.event_type, "data": h.data}
        if include_artist and h.artist_id in p.state.artists:
            artist = p.state.artists[h.artist_id]
            rec["artist"] = artist_resource(p, artist, artist.title)
        if include_album and h.album_id in p.state.albums:
            rec["album"] = _album(p, p.state.albums[h.album_id])
        return rec

    def history_rows(request: Request) -> list[HistoryRecord]:
        q = request.query_params
        event, download_id, album_id = q.get("eventType"), q.get("downloadId"), q.get("albumId")
        if event and event not in HISTORY_EVENTS and not (event.isdigit() and int(event) in HISTORY_EVENTS.values()):
            raise MediaError(f"eventType: expected one of {', '.join(HISTORY_EVENTS)}, got {event!r}", field="eventType")
        return [h for h in sorted(p.state.history, key=lambda r: r.date, reverse=True)
                if h.app == "lidarr" and (not event or event in (h.event_type, str(HISTORY_EVENTS.get(h.event_type))))
                and (not download_id or h.download_id == download_id) and (not album_id or str(h.album_id) == album_id)]

    async def history(request: Request) -> Response:
        include_artist, include_album = arr.flag(request, "includeArtist", False), arr.flag(request, "includeAlbum", False)
        records = [history_record(h, include_artist, include_album) for h in history_rows(request)]
        return JSONResponse(arr.paging(request, records, "date"))

    async def history_since(request: Request) -> Response:
        raw = request.query_params.get("date", "")
        try:
            since = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise MediaError(f"date: expected an ISO 8601 date and time, got {raw!r}", field="date") from None
        if since.tzinfo is None:
            raise MediaError(f"date: expected a time zone (e.g. {raw}Z)", field="date")
        include_artist, include_album = arr.flag(request, "includeArtist", False), arr.flag(request, "includeAlbum", False)
        rows = sorted((h for h in history_rows(request) if h.date >= since), key=lambda r: r.date)
        return JSONResponse([history_record(h, include_artist, include_album) for h in rows])

    async def blocklist(request: Request) -> Response:
        records = [arr.compact({"id": b.id, "artistId": b.artist_id, "albumIds": [b.album_id], "sourceTitle": b.release.title,
                                "quality": quality(b.release), "customFormats": [], "date": iso(b.date),
                                "protocol": b.release.protocol, "indexer": b.release.indexer, "message": b.message})
                   for b in p.state.blocklist if b.app == "lidarr"]
        return JSONResponse(arr.paging(request, records, "date"))

    return build([
        Route("/api/v1/system/status", status), Route("/api/v1/health", health),
        Route("/api/v1/queue", queue), Route("/api/v1/queue/details", queue_details),
        *arr.queue_delete_routes(p, "lidarr", "/api/v1"),
        Route("/api/v1/command", command_post, methods=["POST"]), Route("/api/v1/command", command_list),
        Route("/api/v1/command/{id:int}", command_get),
        Route("/api/v1/artist", artist_list), Route("/api/v1/artist", artist_add, methods=["POST"]),
        Route("/api/v1/artist/lookup", artist_lookup), Route("/api/v1/artist/{id:int}", artist_get),
        Route("/api/v1/album", album_list), Route("/api/v1/album/lookup", album_lookup), Route("/api/v1/album/{id:int}", album_get),
        Route("/api/v1/wanted/missing", wanted_missing), Route("/api/v1/history", history), Route("/api/v1/history/since", history_since),
        Route("/api/v1/blocklist", blocklist),
    ], api_key, name="lidarr", recorder=p.received)
