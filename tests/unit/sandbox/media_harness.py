"""A media pipeline on a stepped clock, with ASGI clients for each simulated app (no sockets)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from openclaw.sandbox.media import jellyfin, jellyseerr, prowlarr, qbittorrent, radarr, sonarr
from openclaw.sandbox.media.pipeline import MediaPipeline
from openclaw.sandbox.media.webhooks import WebhookSender
from openclaw.sandbox.simclock import SimClock

KEY = "0123456789abcdef0123456789abcdef"


@dataclass
class Harness:
    clock: SimClock
    pipeline: MediaPipeline
    sonarr: httpx.AsyncClient
    radarr: httpx.AsyncClient
    prowlarr: httpx.AsyncClient
    qbit: httpx.AsyncClient
    seerr: httpx.AsyncClient
    jellyfin: httpx.AsyncClient

    def step(self, seconds: float, every: float = 1.0) -> None:
        """Advance simulated time in small steps, ticking the pipeline at each."""
        done = 0.0
        while done < seconds:
            self.clock.advance(every)
            self.pipeline.tick()
            done += every


@asynccontextmanager
async def media_harness() -> AsyncIterator[Harness]:
    clock = SimClock(speed=1e-9)  # wall time barely moves it; tests step it with advance()
    pipeline = MediaPipeline(clock, sender=WebhookSender())
    pipeline.seed_library()

    def client(app: object, base: str, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base, headers=headers or {})  # type: ignore[arg-type]  # Starlette apps are ASGI apps

    h = Harness(
        clock, pipeline,
        client(sonarr.build_app(pipeline, KEY), "http://sonarr", {"X-Api-Key": KEY}),
        client(radarr.build_app(pipeline, KEY), "http://radarr", {"X-Api-Key": KEY}),
        client(prowlarr.build_app(pipeline, KEY), "http://prowlarr", {"X-Api-Key": KEY}),
        client(qbittorrent.build_app(pipeline, "admin", "secret"), "http://qbit"),
        client(jellyseerr.build_app(pipeline, KEY), "http://seerr", {"X-Api-Key": KEY}),
        client(jellyfin.build_app(pipeline, KEY), "http://jellyfin", {"X-Emby-Token": KEY}),
    )
    try:
        yield h
    finally:
        for c in (h.sonarr, h.radarr, h.prowlarr, h.qbit, h.seerr, h.jellyfin):
            await c.aclose()
