"""The sandbox's media apps on real loopback servers, and the openclaw clients pointed at them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from openclaw.media.clients.registry import MediaClients, from_config
from openclaw.sandbox.media.stack import MediaStack
from openclaw.sandbox.simclock import SimClock


@dataclass
class Apps:
    stack: MediaStack
    clients: MediaClients

    def step(self, seconds: float, every: float = 1.0) -> None:
        done = 0.0
        while done < seconds:
            self.stack.clock.advance(every)
            self.stack.pipeline.tick()
            done += every


def endpoints(stack: MediaStack) -> dict[str, dict[str, str]]:
    creds = stack.credentials
    out: dict[str, dict[str, str]] = {}
    for app, url in stack.urls.items():
        if app == "qbittorrent":
            out[app] = {"url": url, "username": creds.qbittorrent_username, "password": creds.qbittorrent_password}
        else:
            out[app] = {"url": url, "apiKey": creds.keys[app]}
    return out


@asynccontextmanager
async def media_apps(timeout_s: float = 5.0) -> AsyncIterator[Apps]:
    stack = MediaStack(SimClock(speed=1e-9))
    await stack.start()
    clients = from_config({}, endpoints(stack), timeout_s=timeout_s)
    try:
        yield Apps(stack, clients)
    finally:
        await clients.aclose()
        await stack.stop()
