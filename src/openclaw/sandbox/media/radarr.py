"""Simulated Radarr: the API v3 subset an operator's agent uses, over the shared media pipeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openclaw.sandbox.media import arr
from openclaw.sandbox.media.catalog import MovieTitle
from openclaw.sandbox.media.pipeline import MediaError, MediaPipeline
from openclaw.sandbox.media.state import Movie
from openclaw.sandbox.media.web import build, error, read_json
from openclaw.sandbox.simclock import iso

VERSION = "5.21.1.9799"
HISTORY_EVENTS = {"grabbed": 1, "downloadFolderImported": 3, "downloadFailed": 4}


def movie_resource(p: MediaPipeline, movie: Movie | None, title: MovieTitle) -> dict[str, Any]:
    has_file = bool(movie and movie.file_id)
    body: dict[str, Any] = {
        "id": movie.id if movie else None, "title": title.title, "originalTitle": title.title,
        "originalLanguage": {"id": 1, "name": "English"}, "secondaryYearSourceId": 0, "sortTitle": title.title.lower(),
        "sizeOnDisk": movie.file_size if movie else 0, "status": "released", "overview": f"{title.title} ({title.year}).",
        "inCinemas": f"{title.year}-09-15T00:00:00Z", "digitalRelease": f"{title.year}-10-22T00:00:00Z",
        "releaseDate": f"{title.year}-10-22T00:00:00Z", "images": [], "website": "", "year": title.year,
        "youTubeTrailerId": "", "studio": title.studio, "path": movie.path if movie else None, "qualityProfileId": 1,
        "hasFile": has_file, "movieFileId": movie.file_id if movie else 0, "monitored": movie.monitored if movie else False,
        "minimumAvailability": "released", "isAvailable": True, "folderName": movie.path if movie else None,
        "runtime": title.runtime, "cleanTitle": "".join(c for c in title.title.lower() if c.isalnum()),
        "imdbId": title.imdb_id, "tmdbId": title.tmdb_id, "titleSlug": str(title.tmdb_id),
        "rootFolderPath": "/movies" if movie else None, "genres": list(title.genres), "keywords": [], "tags": [],
        "added": iso(movie.added) if movie else "0001-01-01T00:00:00Z", "popularity": 50.0,
        "statistics": {"movieFileCount": 1 if has_file else 0, "sizeOnDisk": movie.file_size if movie else 0, "releaseGroups": []},
    }
    if movie and movie.file_id and movie.file_added:
        body["movieFile"] = {
            "id": movie.file_id, "movieId": movie.id, "relativePath": f"{title.title} ({title.year}).mkv",
            "path": f"{movie.path}/{title.title} ({title.year}).mkv", "size": movie.file_size, "dateAdded": iso(movie.file_added),
            "languages": [{"id": 1, "name": "English"}], "customFormats": [], "qualityCutoffNotMet": False,
        }
    return arr.compact(body)


def build_app(p: MediaPipeline, api_key: str) -> Starlette:
    started = p.clock.now()

    async def status(request: Request) -> Response:
        body = arr.system_status("Radarr", VERSION, started)
        body.pop("sqliteVersion", None)  # Radarr's SystemResource has no such key
        return JSONResponse(body)

    async def health(request: Request) -> Response:
        return JSONResponse(arr.health(p.health_issues.get("radarr", []), "radarr"))

    def queue_records(include_movie: bool, movie_ids: set[int]) -> list[dict[str, Any]]:
        out = []
        for item in sorted(p.state.queue.values(), key=lambda i: i.id):
            if item.app != "radarr" or (movie_ids and item.movie_id not in movie_ids):
                continue
            download = p.download_of(item)
            record = {"id": item.id, "movieId": item.movie_id,
                      **arr.queue_fields(item, download, p.clock.now(), p.timings.download_bytes_per_s)}
            if include_movie:
                movie = p.state.movies[item.movie_id]
                record["movie"] = movie_resource(p, movie, movie.title)
            out.append(arr.compact(record))
        return out

    async def queue(request: Request) -> Response:
        ids = {int(v) for v in request.query_params.getlist("movieIds") if v.isdigit()}
        return JSONResponse(arr.paging(request, queue_records(arr.flag(request, "includeMovie", False), ids), "timeleft"))

    async def queue_details(request: Request) -> Response:
        return JSONResponse(queue_records(arr.flag(request, "includeMovie", False), set()))

    async def command_post(request: Request) -> Response:
        body = await read_json(request)
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise MediaError("name: expected a command name such as MoviesSearch", field="name")
        if name == "MoviesSearch" and not isinstance(body.get("movieIds"), list):
            raise MediaError("movieIds: MoviesSearch needs a list of movie ids", field="movieIds")
        cmd = p.queue_command("radarr", name, {k: v for k, v in body.items() if k != "name"})
        return JSONResponse(arr.command(cmd), status_code=201)

    async def command_list(request: Request) -> Response:
        return JSONResponse([arr.command(c) for c in p.state.commands.values() if c.app == "radarr"])

    async def command_get(request: Request) -> Response:
        cmd = p.state.commands.get(int(request.path_params["id"]))
        if cmd is None or cmd.app != "radarr":
            return error(404, "NotFound")
        return JSONResponse(arr.command(cmd))

    async def movie_list(request: Request) -> Response:
        tmdb = request.query_params.get("tmdbId")
        return JSONResponse([movie_resource(p, m, m.title) for m in p.state.movies.values() if tmdb is None or str(m.title.tmdb_id) == tmdb])

    async def movie_get(request: Request) -> Response:
        movie = p.state.movies.get(int(request.path_params["id"]))
        if movie is None:
            return error(404, "NotFound")
        return JSONResponse(movie_resource(p, movie, movie.title))

    async def movie_add(request: Request) -> Response:
        body = await read_json(request)
        tmdb = body.get("tmdbId")
        if not isinstance(tmdb, int):
            raise MediaError("tmdbId: expected the movie's TMDb id (integer)", field="tmdbId")
        options = body.get("addOptions") or {}
        movie = p.add_movie(tmdb, monitored=bool(body.get("monitored", True)),
                            search=bool(isinstance(options, dict) and options.get("searchForMovie")))
        return JSONResponse(movie_resource(p, movie, movie.title), status_code=201)

    async def movie_lookup(request: Request) -> Response:
        term = request.query_params.get("term", "")
        if not term:
            raise MediaError("term: expected a search term", field="term")
        _, found = p.catalog.search(term)
        known = {m.title.tmdb_id: m for m in p.state.movies.values()}
        return JSONResponse([movie_resource(p, known.get(t.tmdb_id), t) for t in found])

    async def wanted_missing(request: Request) -> Response:
        monitored = arr.flag(request, "monitored", True)
        movies = [m for m in sorted(p.state.movies.values(), key=lambda m: m.id) if not m.file_id and m.monitored == monitored]
        return JSONResponse(arr.paging(request, [movie_resource(p, m, m.title) for m in movies], "movieMetadata.digitalRelease"))

    def history_records(request: Request, since: datetime | None = None) -> list[dict[str, Any]]:
        q = request.query_params
        include_movie = arr.flag(request, "includeMovie", False)
        event, download_id = q.get("eventType"), q.get("downloadId")
        records = []
        for h in sorted(p.state.history, key=lambda r: r.date, reverse=True):
            if since is not None and h.date < since:
                continue
            if h.app != "radarr" or (event and str(HISTORY_EVENTS.get(h.event_type)) != event and h.event_type != event):
                continue
            if download_id and h.download_id != download_id:
                continue
            rec: dict[str, Any] = {"id": h.id, "movieId": h.movie_id, "sourceTitle": h.release.title,
                                   "languages": [{"id": 1, "name": "English"}], "quality": arr.quality(h.release, "radarr"),
                                   "customFormats": [], "customFormatScore": 0, "qualityCutoffNotMet": False,
                                   "date": iso(h.date), "downloadId": h.download_id, "eventType": h.event_type, "data": h.data}
            if include_movie:
                movie = p.state.movies[h.movie_id]
                rec["movie"] = movie_resource(p, movie, movie.title)
            records.append(rec)
        return records

    async def history(request: Request) -> Response:
        return JSONResponse(arr.paging(request, history_records(request), "date"))

    async def history_since(request: Request) -> Response:
        raw = request.query_params.get("date")
        if not raw:
            raise MediaError("date: expected an ISO 8601 date", field="date")
        since = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return JSONResponse(list(reversed(history_records(request, since))))

    async def blocklist(request: Request) -> Response:
        records = [arr.compact({"id": b.id, "movieId": b.movie_id, "sourceTitle": b.release.title,
                                "languages": [{"id": 1, "name": "English"}], "quality": arr.quality(b.release, "radarr"), "customFormats": [],
                                "date": iso(b.date), "protocol": b.release.protocol, "indexer": b.release.indexer, "message": b.message})
                   for b in p.state.blocklist if b.app == "radarr"]
        return JSONResponse(arr.paging(request, records, "date"))

    async def blocklist_delete(request: Request) -> Response:
        p.remove_blocklist("radarr", int(request.path_params["id"]))
        return Response(status_code=200)  # the apps answer an empty 200

    return build([
        Route("/api/v3/system/status", status), Route("/api/v3/health", health),
        Route("/api/v3/queue", queue), Route("/api/v3/queue/details", queue_details),
        *arr.queue_delete_routes(p, "radarr", "/api/v3"),
        Route("/api/v3/command", command_post, methods=["POST"]), Route("/api/v3/command", command_list),
        Route("/api/v3/command/{id:int}", command_get),
        Route("/api/v3/movie", movie_list), Route("/api/v3/movie", movie_add, methods=["POST"]),
        Route("/api/v3/movie/lookup", movie_lookup), Route("/api/v3/movie/{id:int}", movie_get),
        Route("/api/v3/wanted/missing", wanted_missing), Route("/api/v3/history", history), Route("/api/v3/history/since", history_since),
        Route("/api/v3/blocklist", blocklist), Route("/api/v3/blocklist/{id:int}", blocklist_delete, methods=["DELETE"]),
    ], api_key, name="radarr", recorder=p.received)
