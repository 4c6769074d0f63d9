"""`build_app(services)`: the gateway's Starlette app from a declarative route list, with one
lifespan that runs each capability's start-up hooks and stops the engines cleanly."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from starlette.routing import BaseRoute, Route, WebSocketRoute

from openclaw.gateway import hooks, http
from openclaw.core.services import Services
from openclaw.ui import routes as ui_routes

log = logging.getLogger(__name__)


def routes(ui_base_path: str = "/", contributed: list[BaseRoute] | None = None) -> list[BaseRoute]:
    # The Control UI connects where its page is: `<basePath>/` as well as the root's "/" and "/ws".
    ui_ws = [] if ui_base_path == "/" else [WebSocketRoute(ui_base_path, _websocket), WebSocketRoute(ui_base_path + "/", _websocket)]
    return [
        # WebSocket routes first: a Mount matches upgrades too, so none may sit in front of these.
        WebSocketRoute("/", _websocket),
        WebSocketRoute("/ws", _websocket),
        *ui_ws,
        Route("/healthz", http.healthz, methods=["GET", "HEAD"]),
        Route("/health", http.healthz, methods=["GET", "HEAD"]),
        Route("/readyz", http.readyz, methods=["GET", "HEAD"]),
        Route("/ready", http.readyz, methods=["GET", "HEAD"]),
        Route("/metrics", http.metrics, methods=["GET"]),
        *(contributed or []),  # routes capabilities added to services.routes (before the UI's catch-all prefix)
        # Webhooks (POST <hooks.path>/<name>) are answered before the router: GatewayApp.__call__.
        *ui_routes(ui_base_path),  # Control UI page at <basePath>/ (the WebSocket routes serve only upgrades)
    ]


async def _websocket(ws: WebSocket) -> None:
    from openclaw.gateway.ws.connection import websocket_endpoint

    await websocket_endpoint(ws)


class GatewayApp(Starlette):
    """The Starlette app, with requests under `hooks.path` answered before the router (see `hooks.serve_hook`)."""

    services: Services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        base = self.services.config.settings.hooks.path
        if hooks.is_hook_request(scope, base):
            await hooks.serve_hook(self, scope, receive, send, base)
            return
        await super().__call__(scope, receive, send)


def build_app(services: Services) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for hook in services.startup:
            await hook()
        # Everything imported and built so far lives as long as the process: keep it out of the
        # collector's full passes (which otherwise rescan it while a webhook flood allocates), and
        # collect again if start-up had paused it (`openclaw gateway` does).
        gc.freeze()
        gc.enable()
        services.supervisor.start("config.watch", services.config.watch())
        services.ready = True
        log.info("gateway.ready")
        try:
            yield
        finally:
            services.ready = False
            await services.supervisor.stop()
            for hook in reversed(services.shutdown):
                try:
                    await hook()
                except Exception:
                    log.exception("gateway.shutdown_hook_failed")
            await services.notices.close()

    app = GatewayApp(routes=routes(services.config.settings.gateway.control_ui.base_path, services.routes), lifespan=lifespan, exception_handlers={404: http.not_found})
    app.state.services = services
    app.services = services
    return app
