"""The media stack on real loopback ports, on a stepped clock, with an httpx client per app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from openclaw.sandbox.media.stack import MediaStack
from openclaw.sandbox.simclock import SimClock


@dataclass
class Live:
    stack: MediaStack
    clock: SimClock
    lidarr: httpx.AsyncClient
    sabnzbd: httpx.AsyncClient
    plex: httpx.AsyncClient
    sonarr: httpx.AsyncClient
    radarr: httpx.AsyncClient
    raw: httpx.AsyncClient  # no credentials, for refusals

    @property
    def pipeline(self):  # type: ignore[no-untyped-def]  # test helper
        return self.stack.pipeline

    def url(self, app: str) -> str:
        return self.stack.urls[app]

    def key(self, app: str) -> str:
        return self.stack.credentials.keys[app]

    def step(self, seconds: float, every: float = 1.0) -> None:
        """Advance simulated time in small steps, ticking the pipeline at each."""
        done = 0.0
        while done < seconds:
            self.clock.advance(every)
            self.stack.pipeline.tick()
            done += every

    async def sab(self, **params: str) -> Any:
        response = await self.sabnzbd.get("/api", params={"output": "json", "apikey": self.key("sabnzbd"), **params})
        assert response.status_code == 200, response.text
        return response.json()


@asynccontextmanager
async def live_stack() -> AsyncIterator[Live]:
    clock = SimClock(speed=1e-9)  # wall time barely moves it; tests step it
    stack = MediaStack(clock)
    urls = await stack.start()
    keys = stack.credentials.keys

    def client(app: str, headers: dict[str, str]) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=urls[app], headers=headers, trust_env=False, timeout=5.0)

    live = Live(
        stack, clock,
        client("lidarr", {"X-Api-Key": keys["lidarr"]}),
        client("sabnzbd", {}),
        client("plex", {"X-Plex-Token": keys["plex"], "Accept": "application/json"}),
        client("sonarr", {"X-Api-Key": keys["sonarr"]}),
        client("radarr", {"X-Api-Key": keys["radarr"]}),
        httpx.AsyncClient(trust_env=False, timeout=5.0),
    )
    try:
        yield live
    finally:
        for c in (live.lidarr, live.sabnzbd, live.plex, live.sonarr, live.radarr, live.raw):
            await c.aclose()
        await stack.stop()
