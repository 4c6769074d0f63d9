"""qBittorrent's two ways in, as its WebUI answers them: a login whose session cookie is `SID` (up to
5.1) or `QBT_SID_<port>` (5.2+), renewed once on 403; or an API key as a Bearer token (5.2+)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from openclaw.media.clients.base import MediaAppError
from openclaw.media.clients.qbittorrent import QbittorrentClient
from openclaw.media.clients.registry import build
from openclaw.policy.mint import mint
from openclaw.sandbox.loopback import LoopbackServer


def webui(cookie: str, *, api_key: str | None = None, webapi: str = "2.15.1") -> tuple[Starlette, list[str]]:
    """A WebUI speaking 5.2's wire format: the cookie name it sets, 403 without a session or key."""
    sessions: set[str] = set()
    seen: list[str] = []

    def authorized(request: Request) -> bool:
        if api_key and request.headers.get("authorization") == f"Bearer {api_key}":
            return True
        return request.cookies.get(cookie) in sessions

    async def login(request: Request) -> Response:
        form = await request.form()
        if form.get("username") != "admin" or form.get("password") != "pw":
            return PlainTextResponse("Fails.")
        sid = f"sid{len(sessions)}"
        sessions.add(sid)
        response = PlainTextResponse("Ok.")
        response.set_cookie(cookie, sid, httponly=True)
        return response

    async def guarded(request: Request) -> Response:
        seen.append(f"{request.method} {request.url.path}")
        if not authorized(request):
            return PlainTextResponse("Forbidden", status_code=403)
        if request.url.path.endswith("webapiVersion"):
            return PlainTextResponse(webapi)
        if request.url.path.endswith("/info"):
            return JSONResponse([{"hash": "abc", "state": "downloading"}])
        return PlainTextResponse("")

    routes = [Route("/api/v2/auth/login", login, methods=["POST"])] + [
        Route(p, guarded, methods=["GET", "POST"]) for p in ("/api/v2/torrents/info", "/api/v2/app/webapiVersion", "/api/v2/torrents/start", "/api/v2/torrents/resume")]
    return Starlette(routes=routes), seen


async def test_a_5_2_session_cookie_named_after_the_port_is_kept_and_renewed_on_403() -> None:
    app, seen = webui("QBT_SID_8080")
    server = LoopbackServer(app, "qbt52")
    await server.start()
    client = build("qbittorrent", "qbittorrent", server.url, username="admin", password="pw")
    assert isinstance(client, QbittorrentClient)
    try:
        assert (await client.torrents())[0]["hash"] == "abc"
        client._http.cookies.clear()  # the session expired on the server's side
        assert (await client.torrents())[0]["hash"] == "abc"
        assert seen == ["GET /api/v2/torrents/info", "GET /api/v2/torrents/info", "GET /api/v2/torrents/info"]
        # 5.0+ (Web API 2.11+) says stop/start, not pause/resume.
        approval = mint("act_s", "media.download.start", "qbittorrent/movie:tmdb:1", dry_run=False)
        await client.start("ABC", approval=approval, action="media.download.start", target="qbittorrent/movie:tmdb:1")
        assert seen[-1] == "POST /api/v2/torrents/start"
    finally:
        await client.aclose()
        await server.stop()


async def test_an_api_key_is_sent_as_a_bearer_token_with_no_login() -> None:
    app, seen = webui("QBT_SID_8080", api_key="qbt_0123456789")
    server = LoopbackServer(app, "qbtkey")
    await server.start()
    client = build("qbittorrent", "qbittorrent", server.url, api_key="qbt_0123456789")
    try:
        assert (await client.torrents())[0]["state"] == "downloading"
        assert seen == ["GET /api/v2/torrents/info"]
    finally:
        await client.aclose()
        await server.stop()


async def test_wrong_credentials_name_the_config_keys() -> None:
    app, _ = webui("SID")
    server = LoopbackServer(app, "qbtbad")
    await server.start()
    client = build("qbit-seedbox", "qbittorrent", server.url, username="admin", password="nope")
    try:
        with pytest.raises(MediaAppError, match=r"qbit-seedbox: login refused .*check media.apps.qbit-seedbox.username/password") as caught:
            await client.torrents()
        assert caught.value.reason == "unauthorized"
    finally:
        await client.aclose()
        await server.stop()
