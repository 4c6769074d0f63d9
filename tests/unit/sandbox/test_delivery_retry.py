"""Webhook delivery retries as AlertManager's notifier does: through a receiver that is not up yet
and through 5xx, never through another 4xx; and a scenario waits for the gateway to answer."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from openclaw.sandbox import delivery
from openclaw.sandbox.embedded import accepting

FAST = delivery.Retry(first_delay_s=0.02, max_delay_s=0.05, give_up_after_s=3.0)


class Receiver:
    """A loopback HTTP server that answers each POST with the next status of `statuses`."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.bodies: list[bytes] = []
        self.heads: list[str] = []  # request line and headers of each POST
        self.server: asyncio.Server | None = None
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/alertmanager"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._answer, "127.0.0.1", self.port)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.heads.append(head.decode("latin-1"))
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0)
        self.bodies.append(await reader.readexactly(length))
        status = self.statuses.pop(0) if self.statuses else 202
        writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}".encode())
        await writer.drain()
        writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False, timeout=2.0) as c:
        yield c


async def test_a_receiver_that_comes_up_late_still_gets_the_webhook(client: httpx.AsyncClient) -> None:
    receiver = Receiver([])
    sending = asyncio.create_task(delivery.post(client, receiver.url, {"alerts": []}, {}, FAST))
    await asyncio.sleep(0.2)  # connection refused meanwhile
    await receiver.start()
    try:
        status, _error, attempts = await sending
    finally:
        await receiver.stop()
    assert status == 202 and attempts > 1 and receiver.bodies == [b'{"alerts":[]}']


async def test_5xx_and_429_are_retried_other_4xx_are_final(client: httpx.AsyncClient) -> None:
    receiver = Receiver([503, 429, 202, 401])
    await receiver.start()
    try:
        assert (await delivery.post(client, receiver.url, {}, {}, FAST))[::2] == (202, 3)
        assert (await delivery.post(client, receiver.url, {}, {}, FAST))[::2] == (401, 1)
    finally:
        await receiver.stop()


async def test_delivery_gives_up_at_its_deadline(client: httpx.AsyncClient) -> None:
    receiver = Receiver([])
    status, error, attempts = await delivery.post(client, receiver.url, {}, {}, delivery.Retry(0.02, 0.05, 0.3))
    assert status is None and error == "ConnectError" and attempts >= 3


async def test_a_scenario_waits_until_the_gateway_answers() -> None:
    receiver = Receiver([])
    ready = False
    waiting = asyncio.create_task(accepting(f"http://127.0.0.1:{receiver.port}", lambda: ready, timeout_s=5))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    ready = True

    async def healthz(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(healthz, "127.0.0.1", receiver.port)
    try:
        assert await waiting is True
    finally:
        server.close()
        await server.wait_closed()
