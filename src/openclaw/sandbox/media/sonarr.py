"""Simulated Sonarr: the API v3 subset an operator's agent uses, over the shared media pipeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openclaw.sandbox.media import arr
from openclaw.sandbox.media.web import build, error, read_json
from openclaw.sandbox.media.catalog import SeriesTitle
from openclaw.sandbox.media.pipeline import MediaError, MediaPipeline
from openclaw.sandbox.media.state import Episode, Series
from openclaw.sandbox.simclock import iso

VERSION = "4.0.14.2939"
HISTORY_EVENTS = {"grabbed": 1, "seriesFolderImported": 2, "downloadFolderImported": 3, "downloadFailed": 4}


def series_resource(p: MediaPipeline, series: Series | None, title: SeriesTitle) -> dict[str, Any]:
    eps = p.state.episodes_of(series.id) if series else []
    seasons = []
    for number, count in sorted(title.seasons.items()):
        season_eps = [e for e in eps if e.season == number]
        have = [e for e in season_eps if e.has_file]
        monitored = [e for e in season_eps if e.monitored]
        seasons.append({
            "seasonNumber": number, "monitored": bool(monitored),
            "statistics": {"episodeFileCount": len(have), "episodeCount": len(monitored) or count, "totalEpisodeCount": count,
                           "sizeOnDisk": sum(e.file_size for e in have), "releaseGroups": [],
                           "percentOfEpisodes": 100.0 * len(have) / max(len(monitored) or count, 1)},
        })
    have_all = [e for e in eps if e.has_file]
    monitored_all = [e for e in eps if e.monitored]
    body: dict[str, Any] = {
        "id": series.id if series else None, "title": title.title, "sortTitle": title.title.lower(), "status": "continuing",
        "ended": False, "overview": f"{title.title} on {title.network}.", "network": title.network, "airTime": "21:00",
        "images": [], "originalLanguage": {"id": 1, "name": "English"}, "seasons": seasons, "year": title.year,
        "path": series.path if series else None, "qualityProfileId": 1, "seasonFolder": True,
        "monitored": series.monitored if series else False, "monitorNewItems": "all", "useSceneNumbering": False,
        "runtime": 50, "tvdbId": title.tvdb_id, "tvRageId": 0, "tvMazeId": 0, "tmdbId": title.tmdb_id,
        "firstAired": f"{title.year}-02-18T00:00:00Z", "seriesType": "standard",
        "cleanTitle": "".join(c for c in title.title.lower() if c.isalnum()), "imdbId": title.imdb_id,
        "titleSlug": "-".join(title.title.lower().split()), "rootFolderPath": "/tv" if series else None,
        "genres": list(title.genres), "tags": [], "added": iso(series.added) if series else "0001-01-01T00:00:00Z",
        "statistics": {"seasonCount": len(title.seasons), "episodeFileCount": len(have_all),
                       "episodeCount": len(monitored_all), "totalEpisodeCount": sum(title.seasons.values()),
                       "sizeOnDisk": sum(e.file_size for e in have_all), "releaseGroups": [],
                       "percentOfEpisodes": 100.0 * len(have_all) / max(len(monitored_all), 1)},
    }
    return arr.compact(body)


def episode_resource(p: MediaPipeline, ep: Episode, include_series: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": ep.id, "seriesId": ep.series_id, "tvdbId": 0, "episodeFileId": ep.file_id, "seasonNumber": ep.season,
        "episodeNumber": ep.number, "title": ep.title, "airDate": ep.air_date, "airDateUtc": f"{ep.air_date}T02:00:00Z",
        "runtime": 50, "hasFile": ep.has_file, "monitored": ep.monitored, "unverifiedSceneNumbering": False,
    }
    if include_series:
        series = p.state.series[ep.series_id]
        body["series"] = series_resource(p, series, series.title)
    return body


def build_app(p: MediaPipeline, api_key: str) -> Starlette:
    started = p.clock.now()

    async def status(request: Request) -> Response:
        return JSONResponse(arr.system_status("Sonarr", VERSION, started))

    async def health(request: Request) -> Response:
        return JSONResponse(arr.health(p.health_issues.get("sonarr", []), "sonarr"))

    def queue_records(include_series: bool, include_episode: bool, series_ids: set[int]) -> list[dict[str, Any]]:
        out = []
        for item in sorted(p.state.queue.values(), key=lambda i: i.id):
            if item.app != "sonarr" or (series_ids and item.series_id not in series_ids):
                continue
            download = p.download_of(item)
            for eid in item.episode_ids:
                ep = p.state.episodes[eid]
                record = {"id": p.state.queue_record_id(item, eid), "seriesId": item.series_id, "episodeId": eid,
                          "seasonNumber": ep.season, "episodeHasFile": ep.has_file,
                          **arr.queue_fields(item, download, p.clock.now(), p.timings.download_bytes_per_s)}
                if include_series:
                    series = p.state.series[item.series_id]
                    record["series"] = series_resource(p, series, series.title)
                if include_episode:
                    record["episode"] = episode_resource(p, ep)
                out.append(arr.compact(record))
        return out

    async def queue(request: Request) -> Response:
        q = request.query_params
        ids = {int(v) for v in q.getlist("seriesIds") if v.isdigit()}
        records = queue_records(arr.flag(request, "includeSeries", False), arr.flag(request, "includeEpisode", False), ids)
        return JSONResponse(arr.paging(request, records, "timeleft"))

    async def queue_details(request: Request) -> Response:
        return JSONResponse(queue_records(False, arr.flag(request, "includeEpisode", False), set()))

    async def command_post(request: Request) -> Response:
        body = await read_json(request)
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise MediaError("name: expected a command name such as EpisodeSearch", field="name")
        if name == "SeriesSearch" and not isinstance(body.get("seriesId"), int):
            raise MediaError("seriesId: SeriesSearch needs the series id", field="seriesId")
        if name == "EpisodeSearch" and not isinstance(body.get("episodeIds"), list):
            raise MediaError("episodeIds: EpisodeSearch needs a list of episode ids", field="episodeIds")
        cmd = p.queue_command("sonarr", name, {k: v for k, v in body.items() if k != "name"})
        return JSONResponse(arr.command(cmd), status_code=201)

    async def command_list(request: Request) -> Response:
        return JSONResponse([arr.command(c) for c in p.state.commands.values() if c.app == "sonarr"])

    async def command_get(request: Request) -> Response:
        cmd = p.state.commands.get(int(request.path_params["id"]))
        if cmd is None or cmd.app != "sonarr":
            return error(404, "NotFound")
        return JSONResponse(arr.command(cmd))

    async def series_list(request: Request) -> Response:
        tvdb = request.query_params.get("tvdbId")
        return JSONResponse([series_resource(p, s, s.title) for s in p.state.series.values()
                             if tvdb is None or str(s.title.tvdb_id) == tvdb])

    async def series_get(request: Request) -> Response:
        series = p.state.series.get(int(request.path_params["id"]))
        if series is None:
            return error(404, "NotFound")
        return JSONResponse(series_resource(p, series, series.title))

    async def series_add(request: Request) -> Response:
        body = await read_json(request)
        tvdb = body.get("tvdbId")
        if not isinstance(tvdb, int):
            raise MediaError("tvdbId: expected the series' TVDB id (integer)", field="tvdbId")
        options = body.get("addOptions") or {}
        series = p.add_series(tvdb, monitored=bool(body.get("monitored", True)),
                              search=bool(isinstance(options, dict) and options.get("searchForMissingEpisodes")))
        return JSONResponse(series_resource(p, series, series.title), status_code=201)

    async def series_lookup(request: Request) -> Response:
        term = request.query_params.get("term", "")
        if not term:
            raise MediaError("term: expected a search term", field="term")
        found, _ = p.catalog.search(term)
        known = {s.title.tvdb_id: s for s in p.state.series.values()}
        return JSONResponse([series_resource(p, known.get(t.tvdb_id), t) for t in found])

    async def episodes(request: Request) -> Response:
        sid = request.query_params.get("seriesId")
        if sid is None or not sid.isdigit():
            raise MediaError("seriesId: expected the series id", field="seriesId")
        return JSONResponse([episode_resource(p, e) for e in p.state.episodes_of(int(sid))])

    async def wanted_missing(request: Request) -> Response:
        include = arr.flag(request, "includeSeries", False)
        monitored = arr.flag(request, "monitored", True)
        eps = [e for e in sorted(p.state.episodes.values(), key=lambda e: e.id) if not e.has_file and e.monitored == monitored]
        return JSONResponse(arr.paging(request, [episode_resource(p, e, include) for e in eps], "airDateUtc"))

    def history_records(request: Request, since: datetime | None = None) -> list[dict[str, Any]]:
        q = request.query_params
        include_series, include_episode = arr.flag(request, "includeSeries", False), arr.flag(request, "includeEpisode", False)
        event = q.get("eventType")
        records = []
        for h in sorted(p.state.history, key=lambda r: r.date, reverse=True):
            if since is not None and h.date < since:
                continue
            if h.app != "sonarr" or (event and str(HISTORY_EVENTS.get(h.event_type)) != event and h.event_type != event):
                continue
            if q.get("episodeId") and str(h.episode_id) != q.get("episodeId"):
                continue
            rec: dict[str, Any] = {"id": h.id, "episodeId": h.episode_id, "seriesId": h.series_id, "sourceTitle": h.release.title,
                                   "languages": [{"id": 1, "name": "English"}], "quality": arr.quality(h.release), "customFormats": [],
                                   "customFormatScore": 0, "qualityCutoffNotMet": False, "date": iso(h.date),
                                   "downloadId": h.download_id, "eventType": h.event_type, "data": h.data}
            if include_series:
                series = p.state.series[h.series_id]
                rec["series"] = series_resource(p, series, series.title)
            if include_episode and h.episode_id in p.state.episodes:
                rec["episode"] = episode_resource(p, p.state.episodes[h.episode_id])
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
        records = [arr.compact({"id": b.id, "seriesId": b.series_id, "episodeIds": b.episode_ids, "sourceTitle": b.release.title,
                                "languages": [{"id": 1, "name": "English"}], "quality": arr.quality(b.release), "customFormats": [],
                                "date": iso(b.date), "protocol": b.release.protocol, "indexer": b.release.indexer, "message": b.message})
                   for b in p.state.blocklist if b.app == "sonarr"]
        return JSONResponse(arr.paging(request, records, "date"))

    async def blocklist_delete(request: Request) -> Response:
        p.remove_blocklist("sonarr", int(request.path_params["id"]))
        return Response(status_code=200)  # the apps answer an empty 200

    return build([
        Route("/api/v3/system/status", status), Route("/api/v3/health", health),
        Route("/api/v3/queue", queue), Route("/api/v3/queue/details", queue_details),
        *arr.queue_delete_routes(p, "sonarr", "/api/v3"),
        Route("/api/v3/command", command_post, methods=["POST"]), Route("/api/v3/command", command_list),
        Route("/api/v3/command/{id:int}", command_get),
        Route("/api/v3/series", series_list), Route("/api/v3/series", series_add, methods=["POST"]),
        Route("/api/v3/series/lookup", series_lookup), Route("/api/v3/series/{id:int}", series_get),
        Route("/api/v3/episode", episodes), Route("/api/v3/wanted/missing", wanted_missing),
        Route("/api/v3/history", history), Route("/api/v3/history/since", history_since), Route("/api/v3/blocklist", blocklist),
        Route("/api/v3/blocklist/{id:int}", blocklist_delete, methods=["DELETE"]),
    ], api_key, name="sonarr", recorder=p.received)
