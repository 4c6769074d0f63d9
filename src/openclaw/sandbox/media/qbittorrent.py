"""Simulated qBittorrent WebUI API v2: cookie login, torrent list, add, delete, pause/resume."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from openclaw.sandbox.media.pipeline import MediaError, MediaPipeline
from openclaw.sandbox.media.recorder import RecordingMiddleware
from openclaw.sandbox.media.web import DownGuard
from openclaw.sandbox.media.state import Torrent

VERSION = "v4.6.7"
WEBAPI_VERSION = "2.9.3"


def torrent_info(t: Torrent, speed: float) -> dict[str, Any]:
    downloading = t.moving
    left = int(t.size * (1 - t.progress))
    return {
        "hash": t.hash, "name": t.name, "size": t.size, "total_size": t.size, "progress": round(t.progress, 4),
        "dlspeed": int(speed) if downloading else 0, "upspeed": 0, "eta": int(left / speed) if downloading and speed else 8640000,
        "state": t.state, "category": t.category, "tags": t.tags, "added_on": int(t.added_on.timestamp()),
        "completion_on": int(t.completed_on.timestamp()) if t.completed_on else -1,
        "save_path": f"/downloads/complete/{t.category}/", "content_path": f"/downloads/complete/{t.category}/{t.name}",
        "num_seeds": 0 if t.stalled else 12, "num_leechs": 0 if t.stalled else 3, "ratio": 0.0,
        "amount_left": left, "downloaded": t.size - left, "priority": 1, "tracker": "" if t.stalled else "udp://tracker.example:1337",
        "magnet_uri": f"magnet:?xt=urn:btih:{t.hash}&dn={t.name}", "completed": t.size - left,
        # 4.6 reports a private torrent's flag under /torrents/properties; the sandbox folds it in here.
        **({"private": True} if t.private else {}),
    }


def build_app(p: MediaPipeline, username: str, password: str) -> Starlette:
    sessions: set[str] = set()

    async def login(request: Request) -> Response:
        form = await request.form()
        if form.get("username") != username or form.get("password") != password:
            return PlainTextResponse("Fails.")
        sid = secrets.token_urlsafe(24)
        sessions.add(sid)
        response = PlainTextResponse("Ok.")
        response.set_cookie("SID", sid, httponly=True, samesite="strict")
        return response

    async def logout(request: Request) -> Response:
        sessions.discard(request.cookies.get("SID", ""))
        return PlainTextResponse("")

    async def version(request: Request) -> Response:
        return PlainTextResponse(VERSION)

    async def webapi_version(request: Request) -> Response:
        return PlainTextResponse(WEBAPI_VERSION)

    async def info(request: Request) -> Response:
        q = request.query_params
        hashes = set(q.get("hashes", "").lower().split("|")) - {""}
        category, flt = q.get("category"), q.get("filter", "all")
        out = []
        for t in p.state.torrents.values():
            if hashes and t.hash not in hashes or category is not None and t.category != category:
                continue
            if flt == "downloading" and t.done or flt in ("completed", "seeding") and not t.done:
                continue
            if flt == "stalled_downloading" and t.state != "stalledDL" or flt == "paused" and not t.paused:
                continue
            out.append(torrent_info(t, p.timings.download_bytes_per_s))
        return JSONResponse(out)

    async def add(request: Request) -> Response:
        form = await request.form()
        urls = str(form.get("urls") or "").split("\n")
        category = str(form.get("category") or "")
        paused = str(form.get("paused") or form.get("stopped") or "false").lower() == "true"
        try:
            for url in (u.strip() for u in urls):
                p.add_torrent(url, category, paused)
        except MediaError:
            return PlainTextResponse("Fails.", status_code=415)
        return PlainTextResponse("Ok.")

    async def delete(request: Request) -> Response:
        form = await request.form()
        hashes = str(form.get("hashes") or "")
        if not hashes:
            return PlainTextResponse("hashes: expected one or more info hashes separated by |", status_code=400)
        p.delete_torrents(list(p.state.torrents) if hashes == "all" else hashes.split("|"))
        return PlainTextResponse("")

    def toggle(paused: bool) -> Any:
        async def handler(request: Request) -> Response:
            form = await request.form()
            hashes = str(form.get("hashes") or "")
            for t in p.state.torrents.values():
                if hashes == "all" or t.hash in hashes.lower().split("|"):
                    t.paused = paused
            return PlainTextResponse("")
        return handler

    def hashed(action: Any) -> Any:
        async def handler(request: Request) -> Response:
            form = await request.form()
            hashes = str(form.get("hashes") or "")
            if not hashes:
                return PlainTextResponse("hashes: expected one or more info hashes separated by |", status_code=400)
            action(list(p.state.torrents) if hashes == "all" else hashes.split("|"))
            return PlainTextResponse("")
        return handler

    app = Starlette(routes=[
        Route("/api/v2/torrents/reannounce", hashed(p.reannounce), methods=["POST"]),
        Route("/api/v2/torrents/recheck", hashed(p.recheck), methods=["POST"]),
        Route("/api/v2/auth/login", login, methods=["POST"]), Route("/api/v2/auth/logout", logout, methods=["POST"]),
        Route("/api/v2/app/version", version), Route("/api/v2/app/webapiVersion", webapi_version),
        Route("/api/v2/torrents/info", info, methods=["GET", "POST"]), Route("/api/v2/torrents/add", add, methods=["POST"]),
        Route("/api/v2/torrents/delete", delete, methods=["POST"]),
        Route("/api/v2/torrents/pause", toggle(True), methods=["POST"]), Route("/api/v2/torrents/stop", toggle(True), methods=["POST"]),
        Route("/api/v2/torrents/resume", toggle(False), methods=["POST"]), Route("/api/v2/torrents/start", toggle(False), methods=["POST"]),
    ])
    app.add_middleware(SessionGuard, sessions=sessions)
    app.add_middleware(DownGuard, name="qbittorrent", down=p.down)
    app.add_middleware(RecordingMiddleware, recorder=p.received, name="qbittorrent")
    return app


class SessionGuard:
    """qBittorrent answers 403 Forbidden to any API call without a logged-in SID cookie."""

    public = frozenset({"/api/v2/auth/login", "/api/v2/auth/logout"})

    def __init__(self, app: ASGIApp, *, sessions: set[str]) -> None:
        self.app, self.sessions = app, sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in self.public and Request(scope).cookies.get("SID") not in self.sessions:
            await PlainTextResponse("Forbidden", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)
