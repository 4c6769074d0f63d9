"""Simulated Plex Media Server: identity, library sections, their items, section refresh, item metadata.

As Plex does: `X-Plex-Token` (header or query) on everything but `/identity`, a 401 HTML page
without it, XML bodies unless `Accept: application/json` asks for JSON (then the same
`MediaContainer` as an object), `ratingKey` as a string in JSON, and external ids as `Guid` entries
(`tmdb://603`) on `/library/metadata/{ratingKey}` or with `includeGuids=1` on a listing.
"""

from __future__ import annotations

import hmac
from typing import Any
from xml.etree import ElementTree

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from openclaw.sandbox.media import plexlib
from openclaw.sandbox.media.pipeline import MediaError, MediaPipeline
from openclaw.sandbox.media.recorder import RecordingMiddleware
from openclaw.sandbox.media.state import PlexItem

VERSION = "1.41.6.9685-d301f511a"
MACHINE_ID = "3f1c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"
# Plex's metadata type numbers (`type=` on a section listing).
TYPE_NUMBERS = {"movie": 1, "show": 2, "season": 3, "episode": 4, "artist": 8, "album": 9}
UNAUTHORIZED = "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>"


def _xml(tag: str, node: dict[str, Any]) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    for key, value in node.items():
        if isinstance(value, list):
            for child in value:
                element.append(_xml(key, child))
        elif isinstance(value, bool):
            element.set(key, "1" if value else "0")
        elif value is not None:
            element.set(key, str(value))
    return element


def render(request: Request, container: dict[str, Any], status: int = 200) -> Response:
    """A MediaContainer as JSON when the client accepts it, else as Plex's XML."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"MediaContainer": container}, status_code=status)
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(_xml("MediaContainer", container))
    return Response(body, status_code=status, media_type="text/xml;charset=utf-8")


def section_directory(section: plexlib.Section, refreshing: bool, updated: int) -> dict[str, Any]:
    return {
        "allowSync": True, "art": f"/:/resources/{section.type}-fanart.jpg", "composite": f"/library/sections/{section.id}/composite/{updated}",
        "filters": True, "refreshing": refreshing, "thumb": f"/:/resources/{section.type}.png", "key": str(section.id),
        "type": section.type, "title": section.title, "agent": section.agent, "scanner": section.scanner, "language": "en-US",
        "uuid": section.uuid, "updatedAt": updated, "createdAt": updated - 86400 * 90, "scannedAt": updated, "content": True,
        "directory": True, "contentChangedAt": updated, "hidden": 0, "Location": [{"id": section.id, "path": section.root}],
    }


class TokenGuard:
    """Plex answers 401 to any request without the server's token (`/identity` is public)."""

    public = frozenset({"/identity"})

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in self.public:
            request = Request(scope)
            presented = request.headers.get("x-plex-token") or request.query_params.get("X-Plex-Token") or ""
            if not presented or not hmac.compare_digest(presented.encode(), self.token.encode()):
                await Response(UNAUTHORIZED, status_code=401, media_type="text/html")(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_app(p: MediaPipeline, token: str) -> Starlette:
    def metadata(item: PlexItem, guids: bool) -> dict[str, Any]:
        section = plexlib.SECTIONS[item.section_id]
        added = int(item.added_at.timestamp())
        body: dict[str, Any] = {
            "ratingKey": str(item.rating_key), "key": f"/library/metadata/{item.rating_key}", "guid": item.guid, "type": item.type,
            "title": item.title, "librarySectionTitle": section.title, "librarySectionID": section.id,
            "librarySectionKey": f"/library/sections/{section.id}", "year": item.year, "index": item.index, "addedAt": added, "updatedAt": added,
        }
        kids = plexlib.children(p.state, item.rating_key)
        if item.type in ("show", "artist"):
            body.update(childCount=len(kids), leafCount=len(plexlib.leaves(p.state, item.rating_key)), viewedLeafCount=0)
        parent = p.state.plex_items.get(item.parent_key) if item.parent_key else None
        if parent is not None:
            body.update(parentRatingKey=str(parent.rating_key), parentKey=f"/library/metadata/{parent.rating_key}",
                        parentTitle=parent.title, parentIndex=parent.index)
            grand = p.state.plex_items.get(parent.parent_key) if parent.parent_key else None
            if grand is not None:
                body.update(grandparentRatingKey=str(grand.rating_key), grandparentKey=f"/library/metadata/{grand.rating_key}",
                            grandparentTitle=grand.title)
        if item.type == "season":
            body.update(leafCount=len(kids), viewedLeafCount=0)
        if item.type == "album":
            album = next((a for a in p.state.albums.values() if f"mbid://{a.title.mb_id}" in item.guids), None)
            body["leafCount"] = album.title.tracks if album else 0
        if item.type in ("movie", "episode"):
            body["Media"] = [{"id": item.rating_key, "container": "mkv", "videoResolution": "1080",
                              "Part": [{"id": item.rating_key, "key": f"/library/parts/{item.rating_key}/{added}/file.mkv", "file": item.path}]}]
        if guids:
            body["Guid"] = [{"id": g} for g in item.guids]
        return {k: v for k, v in body.items() if v is not None}

    def _flag(request: Request, name: str) -> bool:
        return request.query_params.get(name, "0") in ("1", "true")

    def _section(request: Request) -> plexlib.Section:
        raw = request.path_params["id"]
        section = plexlib.SECTIONS.get(int(raw)) if raw.isdigit() else None
        if section is None:
            raise MediaError(f"section {raw} not found", field="id", status=404)
        return section

    async def identity(request: Request) -> Response:
        return render(request, {"size": 0, "claimed": True, "machineIdentifier": MACHINE_ID, "version": VERSION})

    async def root(request: Request) -> Response:
        return render(request, {"size": 0, "friendlyName": "plex", "machineIdentifier": MACHINE_ID, "version": VERSION,
                                "platform": "Linux", "myPlex": True, "transcoderActiveVideoSessions": 0})

    async def sections(request: Request) -> Response:
        updated = int(p.clock.now().timestamp())
        dirs = [section_directory(s, s.id in p.state.plex_refresh, updated) for s in plexlib.SECTIONS.values()]
        return render(request, {"size": len(dirs), "allowSync": False, "title1": "Plex Library", "Directory": dirs})

    async def section_all(request: Request) -> Response:
        section = _section(request)
        raw_type = request.query_params.get("type")
        top = {"movie": "movie", "show": "show", "artist": "artist"}[section.type]
        wanted = next((t for t, n in TYPE_NUMBERS.items() if str(n) == raw_type), None) if raw_type else top
        if wanted is None:
            raise MediaError(f"type: expected one of {', '.join(str(n) for n in TYPE_NUMBERS.values())}, got {raw_type!r}", field="type")
        term = request.query_params.get("title", "").lower()
        items = [i for i in sorted(p.state.plex_items.values(), key=lambda i: i.rating_key)
                 if i.section_id == section.id and i.type == wanted and term in i.title.lower()]
        guids = _flag(request, "includeGuids")
        return render(request, {"size": len(items), "allowSync": True, "identifier": "com.plexapp.plugins.library",
                                "librarySectionID": section.id, "librarySectionTitle": section.title,
                                "librarySectionUUID": section.uuid, "title1": section.title, "viewGroup": wanted,
                                "Metadata": [metadata(i, guids) for i in items]})

    async def section_refresh(request: Request) -> Response:
        section = _section(request)
        if request.method == "DELETE":
            p.state.plex_refresh.pop(section.id, None)
        else:
            path = request.query_params.get("path", "")
            if path and not path.startswith(section.root):
                raise MediaError(f"path: {path!r} is not in the {section.title} section ({section.root})", field="path")
            p.refresh_plex_section(section.id, path)
        return Response(status_code=200)

    def _item(request: Request) -> PlexItem:
        raw = request.path_params["key"]
        item = p.state.plex_items.get(int(raw)) if raw.isdigit() else None
        if item is None:
            raise MediaError(f"ratingKey {raw} not found", field="ratingKey", status=404)
        return item

    async def item_get(request: Request) -> Response:
        item = _item(request)
        return render(request, {"size": 1, "allowSync": True, "identifier": "com.plexapp.plugins.library",
                                "librarySectionID": item.section_id, "Metadata": [metadata(item, True)]})

    async def item_children(request: Request) -> Response:
        item = _item(request)
        kids = plexlib.children(p.state, item.rating_key)
        return render(request, {"size": len(kids), "key": str(item.rating_key), "title1": item.title,
                                "Metadata": [metadata(k, _flag(request, "includeGuids")) for k in kids]})

    async def item_leaves(request: Request) -> Response:
        item = _item(request)
        leaves = plexlib.leaves(p.state, item.rating_key)
        return render(request, {"size": len(leaves), "key": str(item.rating_key), "title1": item.title,
                                "Metadata": [metadata(k, _flag(request, "includeGuids")) for k in leaves]})

    async def item_refresh(request: Request) -> Response:
        _item(request)  # Plex refreshes one item's metadata; its files are already known
        return Response(status_code=200)

    async def on_error(request: Request, exc: Exception) -> Response:
        status = exc.status if isinstance(exc, MediaError) else 400
        return Response(str(exc), status_code=status, media_type="text/plain")

    async def not_found(request: Request, exc: Exception) -> Response:
        return Response(status_code=404)

    app = Starlette(routes=[
        Route("/identity", identity), Route("/", root), Route("/library/sections", sections),
        Route("/library/sections/{id}/all", section_all),
        Route("/library/sections/{id}/refresh", section_refresh, methods=["GET", "POST", "PUT", "DELETE"]),
        Route("/library/metadata/{key}", item_get), Route("/library/metadata/{key}/children", item_children),
        Route("/library/metadata/{key}/allLeaves", item_leaves),
        Route("/library/metadata/{key}/refresh", item_refresh, methods=["PUT", "POST"]),
    ], exception_handlers={MediaError: on_error, ValueError: on_error, 404: not_found})
    app.add_middleware(TokenGuard, token=token)
    app.add_middleware(RecordingMiddleware, recorder=p.received, name="plex")
    return app
