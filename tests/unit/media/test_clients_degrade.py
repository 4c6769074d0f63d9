"""A media app that is down, slow, refuses the key or answers with fields this version does not know
degrades to one `MediaAppError` naming the app and the cause (never a crash); reads are retried."""

from __future__ import annotations

import asyncio
import socket

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from media_apps import media_apps
from openclaw.media.clients.base import MediaAppError
from openclaw.media.clients.radarr import RadarrClient
from openclaw.media.clients.registry import build
from openclaw.sandbox.loopback import LoopbackServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_an_app_that_is_down_is_named_with_its_url_after_the_read_retries() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    client = build("radarr-4k", "radarr", url, api_key="k", timeout_s=1)
    with pytest.raises(MediaAppError) as caught:
        await client.queue()
    await client.aclose()
    assert caught.value.app == "radarr-4k" and caught.value.reason == "unreachable"
    assert str(caught.value).startswith(f"radarr-4k: GET /queue: cannot reach {url}")


async def test_a_slow_app_times_out_and_a_flaky_one_is_retried_for_reads() -> None:
    calls: list[str] = []

    async def slow(request: Request) -> Response:
        calls.append("slow")
        await asyncio.sleep(2)
        return JSONResponse([])

    async def flaky(request: Request) -> Response:
        calls.append("flaky")
        return JSONResponse({"message": "busy"}, status_code=503) if calls.count("flaky") < 2 else JSONResponse([])

    server = LoopbackServer(Starlette(routes=[Route("/api/v3/health", slow), Route("/api/v3/movie", flaky)]), "slow")
    await server.start()
    client = build("radarr", "radarr", server.url, api_key="k", timeout_s=0.3)
    try:
        with pytest.raises(MediaAppError, match=r"radarr: GET /health: no answer within 0.3s") as caught:
            await client.health()
        assert caught.value.reason == "timeout" and calls.count("slow") == 3  # one try and two retries
        assert await client.movies() == [] and calls.count("flaky") == 2
    finally:
        await client.aclose()
        await server.stop()


async def test_a_wrong_key_says_which_config_key_to_check_and_a_newer_field_is_accepted() -> None:
    async with media_apps() as apps:
        good = apps.clients.of(RadarrClient)
        assert good is not None
        bad = build("radarr", "radarr", good.url, api_key="0" * 32)
        with pytest.raises(MediaAppError, match=r"radarr: GET /queue: 401: check media.apps.radarr credentials") as caught:
            await bad.queue()
        await bad.aclose()
        assert caught.value.reason == "unauthorized"

    async def newer(request: Request) -> Response:
        return JSONResponse({"page": 1, "pageSize": 250, "totalRecords": 1, "records": [
            {"id": 1, "downloadId": "ABC", "status": "downloading", "someFieldFromV6": {"x": 1}}]})

    server = LoopbackServer(Starlette(routes=[Route("/api/v3/queue", newer)]), "newer")
    await server.start()
    client = build("radarr", "radarr", server.url, api_key="k")
    try:
        assert (await client.queue())[0]["someFieldFromV6"] == {"x": 1}
    finally:
        await client.aclose()
        await server.stop()


async def test_a_body_of_the_wrong_shape_is_a_bad_response_not_a_crash() -> None:
    async def html(request: Request) -> Response:
        return Response("<html>login</html>", media_type="text/html")

    server = LoopbackServer(Starlette(routes=[Route("/api/v3/queue", html)]), "html")
    await server.start()
    client = build("sonarr", "sonarr", server.url, api_key="k")
    try:
        with pytest.raises(MediaAppError, match=r"sonarr: /queue: expected JSON") as caught:
            await client.queue()
        assert caught.value.reason == "bad-response"
    finally:
        await client.aclose()
        await server.stop()
