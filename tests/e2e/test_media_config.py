"""`media.apps` through the gateway's config methods: a bad entry is refused naming the field and
changes nothing; a good one (its key as `${VAR}`) applies live and the app is polled."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from openclaw.gateway.client import GatewayError
from openclaw.gateway.embedded import run_embedded
from openclaw.media.capability import media_of
from openclaw.media.clients.radarr import RadarrClient
from openclaw.sandbox.media.stack import MediaStack
from openclaw.sandbox.simclock import SimClock

pytestmark = pytest.mark.e2e


async def test_a_media_app_added_to_the_config_is_validated_and_polled_live(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = MediaStack(SimClock(speed=1e-9))
    await stack.start()
    monkeypatch.setenv("RADARR_API_KEY", stack.credentials.keys["radarr"])
    try:
        async with run_embedded(state_dir) as gw, gw.client() as ws:
            media = media_of(gw.services)
            assert len(media.clients) == 0
            async def config_set(path: str, value: object) -> dict[str, object]:
                base = (await ws.call("config.get", {}))["hash"]
                return await ws.call("config.set", {"path": path, "value": value, "baseHash": base})  # type: ignore[no-any-return]  # JSON

            with pytest.raises(GatewayError, match=r"(?i)media.apps.movies.api_?key: .*radarr needs its API key"):
                await config_set("media.apps.movies", {"kind": "radarr", "url": stack.urls["radarr"]})
            with pytest.raises(GatewayError, match=r"(?i)media.apps.movies.kind: .*expected one of sonarr, radarr"):
                await config_set("media.apps.movies", {"kind": "radar", "url": stack.urls["radarr"], "apiKey": "k"})
            assert "movies" not in gw.services.config.settings.media.apps and len(media.clients) == 0
            answer = await config_set("media.apps.movies", {"kind": "radarr", "url": stack.urls["radarr"], "apiKey": "${RADARR_API_KEY}"})
            assert answer["restartRequired"] == []
            deadline = time.monotonic() + 10
            while media.clients.of(RadarrClient) is None and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            radarr = media.clients.of(RadarrClient)
            assert radarr is not None and radarr.name == "movies"
            await media.poll_once()
            listed = await ws.call("media.list", {})
            assert listed["apps"]["movies"]["ok"] is True
            assert {i["id"] for i in listed["items"]} >= {"movie:tmdb:329865", "movie:tmdb:286217"}  # the seeded library
            shown = await ws.call("config.get", {})
            assert stack.credentials.keys["radarr"] not in str(shown) and "movies" in shown["config"]["media"]["apps"]
    finally:
        await stack.stop()
