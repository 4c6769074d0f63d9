"""The simulated apps' web plumbing: API-key checks as the real apps do them, JSON bodies, error shape."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.applications import Starlette

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from openclaw.sandbox.media.pipeline import MediaError
from openclaw.sandbox.media.recorder import RecordingMiddleware, RequestRecorder

Handler = Callable[[Request], Awaitable[Response]]


def error(status: int, message: str, field: str | None = None) -> JSONResponse:
    body: dict[str, object] = {"message": message}
    if field:
        body["propertyName"] = field
    return JSONResponse(body, status_code=status)


class ApiKeyMiddleware:
    """Refuses requests without the app's key in one of the accepted headers or query parameters.

    Sonarr/Radarr/Prowlarr/Jellyseerr take `X-Api-Key` (or `apikey`); Jellyfin takes `X-Emby-Token`,
    `X-MediaBrowser-Token`, `Authorization: MediaBrowser Token="..."` or `api_key`.
    """

    def __init__(self, app: ASGIApp, *, key: str, headers: tuple[str, ...] = ("x-api-key",),
                 query: tuple[str, ...] = ("apikey",), public: tuple[str, ...] = ()) -> None:
        self.app, self.key, self.headers, self.query, self.public = app, key, headers, query, public

    def _presented(self, request: Request) -> str | None:
        for name in self.headers:
            value = request.headers.get(name)
            if value:
                return value
        auth = request.headers.get("authorization", "")
        if auth.startswith("MediaBrowser ") and "Token=" in auth:
            return auth.split("Token=", 1)[1].split(",", 1)[0].strip().strip('"')
        for name in self.query:
            value = request.query_params.get(name)
            if value:
                return value
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.public:
            await self.app(scope, receive, send)
            return
        presented = self._presented(Request(scope))
        if presented is None or not hmac.compare_digest(presented.encode(), self.key.encode()):
            await error(401, "Unauthorized")(scope, receive, send)
            return
        await self.app(scope, receive, send)


class DownGuard:
    """While the app's Deployment has no ready pod, its Service has no endpoints: the cluster's
    proxy answers 503 for it (the sandbox marks it in `pipeline.down`)."""

    def __init__(self, app: ASGIApp, *, name: str, down: set[str]) -> None:
        self.app, self.name, self.down = app, name, down

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.name in self.down:
            await PlainTextResponse("no healthy upstream", status_code=503)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def read_json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError as exc:
        raise MediaError(f"body: not valid JSON ({exc.msg})", field="body") from exc
    if not isinstance(body, dict):
        raise MediaError("body: expected a JSON object", field="body")
    return body


def build(routes: Sequence[BaseRoute], api_key: str, *, name: str, recorder: RequestRecorder, headers: tuple[str, ...] = ("x-api-key",),
          query: tuple[str, ...] = ("apikey",), public: tuple[str, ...] = (), error_body: Callable[[int, str, str | None], Response] | None = None,
          down: set[str] | None = None) -> Starlette:
    """A Starlette app that checks the API key and turns `MediaError`/bad values into JSON errors."""
    render = error_body or error

    async def on_media_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, MediaError):
            return render(exc.status, str(exc), exc.field)
        return render(400, str(exc), None)

    async def on_value_error(request: Request, exc: Exception) -> Response:
        return render(400, f"bad value: {exc}", None)

    async def not_found(request: Request, exc: Exception) -> Response:
        return render(404, "NotFound", None)

    app = Starlette(routes=list(routes), exception_handlers={MediaError: on_media_error, ValueError: on_value_error, 404: not_found})
    app.add_middleware(ApiKeyMiddleware, key=api_key, headers=headers, query=query, public=public)
    if down is not None:
        app.add_middleware(DownGuard, name=name, down=down)
    app.add_middleware(RecordingMiddleware, recorder=recorder, name=name)
    return app
