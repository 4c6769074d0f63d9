"""Simulated Jellyfin: library refresh, items (with provider-id filters), system info."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openclaw.sandbox.media.pipeline import MediaPipeline
from openclaw.sandbox.media.state import JellyfinItem
from openclaw.sandbox.media.web import build
from openclaw.sandbox.simclock import iso

VERSION = "10.10.7"
SERVER_ID = "f3b5c1d2a4e64f0b9c8d7e6f5a4b3c2d"
TOKEN_HEADERS = ("x-emby-token", "x-mediabrowser-token")


def item_resource(item: JellyfinItem) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Name": item.name, "ServerId": SERVER_ID, "Id": item.id, "DateCreated": iso(item.date_created),
        "Path": item.path, "ProductionYear": item.year, "ProviderIds": item.provider_ids, "Type": item.type,
        "IsFolder": item.type == "Series", "LocationType": "FileSystem", "MediaType": "Video" if item.type != "Series" else "Unknown",
    }
    if item.type == "Episode":
        body.update(SeriesId=item.series_id, ParentIndexNumber=item.season, IndexNumber=item.episode)
    return body


def build_app(p: MediaPipeline, api_key: str) -> Starlette:
    def info(public: bool) -> dict[str, Any]:
        body = {"LocalAddress": "http://jellyfin.media.svc:8096", "ServerName": "jellyfin", "Version": VERSION,
                "ProductName": "Jellyfin Server", "Id": SERVER_ID, "StartupWizardCompleted": True}
        if not public:
            body.update(OperatingSystem="Linux", OperatingSystemDisplayName="Linux", HasPendingRestart=False,
                        IsShuttingDown=False, HasUpdateAvailable=False, CanSelfRestart=True,
                        ItemsByNamePath="/config/metadata", CachePath="/cache", LogPath="/config/log")
        return body

    async def system_info(request: Request) -> Response:
        return JSONResponse(info(public=False))

    async def public_info(request: Request) -> Response:
        return JSONResponse(info(public=True))

    async def refresh(request: Request) -> Response:
        p.refresh_library()
        return Response(status_code=204)

    async def items(request: Request) -> Response:
        q = request.query_params
        kinds = {k for k in q.get("IncludeItemTypes", q.get("includeItemTypes", "")).split(",") if k}
        term = q.get("SearchTerm", q.get("searchTerm", "")).lower()
        provider = q.get("AnyProviderIdEquals", q.get("anyProviderIdEquals", ""))
        recursive = q.get("Recursive", q.get("recursive", "false")).lower() == "true"
        parent = q.get("ParentId", q.get("parentId"))
        rows = []
        for item in sorted(p.state.items.values(), key=lambda i: i.date_created):
            if kinds and item.type not in kinds or term and term not in item.name.lower():
                continue
            if not recursive and not kinds and item.type == "Episode" and parent is None:
                continue
            if parent and item.series_id != parent:
                continue
            if provider and not _provider_match(item, provider):
                continue
            rows.append(item_resource(item))
        start, limit = int(q.get("StartIndex", "0")), int(q.get("Limit", str(len(rows) or 1)))
        return JSONResponse({"Items": rows[start: start + limit], "TotalRecordCount": len(rows), "StartIndex": start})

    async def item_get(request: Request) -> Response:
        item = p.state.items.get(request.path_params["id"])
        if item is None:
            return JSONResponse({"message": "Item not found"}, status_code=404)
        return JSONResponse(item_resource(item))

    return build([
        Route("/System/Info", system_info), Route("/System/Info/Public", public_info),
        Route("/Library/Refresh", refresh, methods=["POST"]),
        Route("/Library/Movies/Updated", refresh, methods=["POST"]), Route("/Library/Series/Updated", refresh, methods=["POST"]), Route("/Items", items), Route("/Items/{id}", item_get),
    ], api_key, name="jellyfin", recorder=p.received, headers=TOKEN_HEADERS, query=("api_key", "ApiKey"), public=("/System/Info/Public",))


def _provider_match(item: JellyfinItem, wanted: str) -> bool:
    """`AnyProviderIdEquals=tmdb.438631,tvdb.371980`: any of the given provider ids."""
    for pair in wanted.split(","):
        name, _, value = pair.partition(".")
        if any(k.lower() == name.lower() and v == value for k, v in item.provider_ids.items()):
            return True
    return False
