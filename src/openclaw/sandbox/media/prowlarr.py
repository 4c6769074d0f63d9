"""Simulated Prowlarr (API v1): indexers, search across them, system status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openclaw.sandbox.media import arr, indexer
from openclaw.sandbox.media.pipeline import MediaError, MediaPipeline
from openclaw.sandbox.media.state import Release
from openclaw.sandbox.media.web import build
from openclaw.sandbox.simclock import iso

VERSION = "1.32.2.4987"
CATEGORIES = {"series": {"id": 5000, "name": "TV"}, "movie": {"id": 2000, "name": "Movies"}}


def indexer_resource(idx: indexer.Indexer) -> dict[str, Any]:
    return {
        "id": idx.id, "name": idx.name, "protocol": "torrent", "enable": idx.enabled, "priority": 25,
        "implementation": "Cardigann", "implementationName": "Cardigann", "configContract": "CardigannSettings",
        "definitionName": idx.name.lower(), "appProfileId": 1, "privacy": "private", "supportsRss": True,
        "supportsSearch": True, "redirect": False, "added": "2025-01-01T00:00:00Z", "tags": [], "fields": [],
        "capabilities": {"categories": list(CATEGORIES.values())},
    }


def release_resource(r: Release, age_days: int = 3) -> dict[str, Any]:
    return {
        "guid": r.guid, "age": age_days, "ageHours": age_days * 24.0, "ageMinutes": age_days * 1440.0, "size": r.size,
        "indexerId": r.indexer_id, "indexer": r.indexer, "title": r.title, "sortTitle": r.title.lower(),
        "tvdbId": r.external_id if r.kind == "series" else 0, "tmdbId": r.external_id if r.kind == "movie" else 0,
        "publishDate": "2025-01-01T00:00:00Z", "downloadUrl": f"{r.guid}/download", "infoUrl": r.guid,
        "seeders": r.seeders, "leechers": r.seeders // 10, "protocol": "torrent", "fileName": f"{r.title}.torrent",
        "categories": [CATEGORIES[r.kind]], "infoHash": indexer.info_hash(r),
    }


def build_app(p: MediaPipeline, api_key: str) -> Starlette:
    started = p.clock.now()

    async def status(request: Request) -> Response:
        body = arr.system_status("Prowlarr", VERSION, started)
        return JSONResponse(body)

    async def health(request: Request) -> Response:
        return JSONResponse(arr.health(p.health_issues.get("prowlarr", []), "prowlarr"))

    async def indexers(request: Request) -> Response:
        return JSONResponse([indexer_resource(i) for i in indexer.INDEXERS])

    async def search(request: Request) -> Response:
        query = request.query_params.get("query", "")
        kind = request.query_params.get("type", "search")
        if kind not in ("search", "tvsearch", "movie"):
            raise MediaError(f"type: expected search, tvsearch or movie, got {kind!r}", field="type")
        if not query:
            raise MediaError("query: expected a search term", field="query")
        found = [r for r in indexer.search(p.catalog, query) if not p.faults.has_no_release(r.title.replace(".", " "))]
        if kind == "tvsearch":
            found = [r for r in found if r.kind == "series"]
        elif kind == "movie":
            found = [r for r in found if r.kind == "movie"]
        ids = {int(v) for v in request.query_params.getlist("indexerIds") if v.lstrip("-").isdigit() and int(v) > 0}
        if ids:
            found = [r for r in found if r.indexer_id in ids]
        return JSONResponse([release_resource(r) for r in found])

    async def indexer_status(request: Request) -> Response:
        now = p.clock.now()
        return JSONResponse([{"id": i, "indexerId": i, "disabledTill": iso(now + timedelta(hours=3)),
                              "mostRecentFailure": iso(now), "initialFailure": iso(now)} for i in sorted(p.indexers_disabled)])

    return build([
        Route("/api/v1/indexerstatus", indexer_status),
        Route("/api/v1/system/status", status), Route("/api/v1/health", health),
        Route("/api/v1/indexer", indexers), Route("/api/v1/search", search),
    ], api_key, name="prowlarr", recorder=p.received, down=p.down)
