"""Run a full gateway inside an existing asyncio program on an ephemeral loopback port.

Used by tests, benchmarks and tools that need a real gateway (HTTP + WebSocket) without a
subprocess:

    async with run_embedded(state_dir) as gw:
        async with gw.client() as c:
            await c.call("status")
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openclaw.core.services import Services

if TYPE_CHECKING:
    from openclaw.gateway.client import GatewayClient


@dataclass
class EmbeddedGateway:
    services: Services
    host: str
    port: int

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    @property
    def token(self) -> str:
        return self.services.config.settings.gateway.auth.token or ""

    def client(self, **kwargs: Any) -> GatewayClient:
        """A GatewayClient with the gateway token and the state dir's device identity (local: auto-approved)."""
        from openclaw.gateway.client import GatewayClient
        from openclaw.gateway.device_identity import identity_path, load_or_create

        kwargs.setdefault("token", self.token)
        if "identity" not in kwargs:
            kwargs["identity"] = load_or_create(identity_path(self.services.state_dir))
        return GatewayClient(self.ws_url, **kwargs)


@contextlib.asynccontextmanager
async def run_embedded(
    state_dir: Path, *, host: str = "127.0.0.1", port: int = 0, install: Iterable[Callable[[Services], object]] = ()
) -> AsyncIterator[EmbeddedGateway]:
    """`install`: more capabilities to install after the built-in ones (tests of a capability in the making)."""
    import uvicorn

    from openclaw.gateway import server
    from openclaw.gateway.app import build_app

    plan = server.prepare(state_dir, port=port or None, bind="loopback")
    for extra in install:
        extra(plan.services)
    app = build_app(plan.services)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="on", ws_max_size=25 * 1024 * 1024, proxy_headers=False)
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve(), name="embedded-gateway")
    while not srv.started:
        if task.done():
            task.result()
            raise RuntimeError("embedded gateway exited during start-up")
        await asyncio.sleep(0.01)
    bound = srv.servers[0].sockets[0].getsockname()[1]
    try:
        yield EmbeddedGateway(plan.services, host, bound)
    finally:
        srv.should_exit = True
        await task
