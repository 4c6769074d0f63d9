"""Serve an ASGI app in-process on an ephemeral 127.0.0.1 port (uvicorn on a pre-bound socket)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import uvicorn
from starlette.types import ASGIApp


class EmbeddedServer(uvicorn.Server):
    """uvicorn inside a process that owns its signals (the gateway or the CLI)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class LoopbackServer:
    app: ASGIApp
    name: str
    port: int = 0
    _server: EmbeddedServer | None = None
    _task: asyncio.Task[None] | None = None
    _sock: socket.socket | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> str:
        """Bind first (so the port is known and taken), then serve; returns the base URL."""
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets when the listening
        # socket says it is TCP, and without it every small response waits ~40 ms for Nagle.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(128)
        sock.setblocking(False)
        self._sock, self.port = sock, sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="off", loop="none")
        self._server = EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name=f"sandbox.{self.name}")
        while not self._server.started:
            if self._task.done():
                await self._task
            await asyncio.sleep(0.005)
        return self.url

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await asyncio.wait_for(self._task, timeout=5)
        if self._sock is not None:
            self._sock.close()
