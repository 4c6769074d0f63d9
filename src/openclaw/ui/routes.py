"""HTTP routes of the Control UI: the page at `<basePath>/` and its static assets under
`<basePath>/ui/` (`gateway.controlUi.basePath`, `/` by default).

The page is a static single-page app that talks only the gateway's WebSocket protocol, so the
server side is just files with strict headers: a Content-Security-Policy that allows scripts and
styles from this origin only, no framing (clickjacking), and no referrer. The page loads its
assets and finds the WebSocket relative to its own address, so it needs nothing injected for a
base path. When `gateway.controlUi.enabled` is false every route here answers the JSON 404 of
unknown paths.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from openclaw.gateway.http import not_found_body

STATIC_DIR = Path(__file__).resolve().parent / "static"

# connect-src allows any ws/wss URL because the operator may point the page at another gateway
# in Settings; everything else is same-origin only.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def _enabled(scope: Scope) -> bool:
    return bool(scope["app"].state.services.config.settings.gateway.control_ui.enabled)


def _not_found(path: str) -> JSONResponse:
    """What every UI route answers while `gateway.controlUi.enabled` is false: the unknown-path 404."""
    return JSONResponse(not_found_body(path), status_code=404)


async def index(request: Request) -> Response:
    """The Control UI page; never cached, so a gateway upgrade serves the new assets at once."""
    if not _enabled(request.scope):
        return _not_found(request.url.path)
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8", headers=headers)


class UiAssets(StaticFiles):
    """Static assets with the UI's security headers; a missing file is the gateway's JSON 404."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _enabled(scope):
            await _not_found(scope["path"])(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-cache"
        return response


def _redirect_to(page: str) -> Callable[[Request], Awaitable[Response]]:
    async def redirect(request: Request) -> Response:
        """`<basePath>` without the slash: the page's relative links need the slash, so send it there."""
        if not _enabled(request.scope):
            return _not_found(request.url.path)
        query = request.url.query
        # A path-only Location: behind a reverse proxy the browser keeps the public scheme and host.
        return RedirectResponse(f"{page}?{query}" if query else page, status_code=307)

    return redirect


def routes(base_path: str = "/") -> list[BaseRoute]:
    """The page and its assets under `base_path` (normalised by the schema: `/` or `/a/b`, no
    trailing slash). The gateway builds these once at start, so a new base path needs a restart."""
    prefix = "" if base_path == "/" else base_path
    # Under a prefix, the bare prefix (no slash) redirects to the page.
    bare = [Route(prefix, _redirect_to(prefix + "/"), methods=["GET", "HEAD"])] if prefix else []
    return [
        *bare,
        Route(prefix + "/", index, methods=["GET", "HEAD"]),
        Mount(prefix + "/ui", app=UiAssets(directory=STATIC_DIR), name="ui"),
    ]
