"""Which client class serves each `media.apps.<name>.kind`, and the set of clients the gateway runs.

A new kind is one module with `@register` on its `AppClient` subclass, imported in `KINDS_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TypeVar

import httpx

from openclaw.config.schema import MediaAppSettings
from openclaw.media.clients.base import AppClient, MediaAppError

C = TypeVar("C", bound=type[AppClient])
A = TypeVar("A", bound=AppClient)
_KINDS: dict[str, type[AppClient]] = {}
KINDS_MODULES = ("sonarr", "radarr", "lidarr", "prowlarr", "qbittorrent", "sabnzbd", "seerr", "jellyfin", "plex")
# Config kinds served by one client (Jellyseerr and Overseerr speak the same API as Seerr).
ALIASES = {"jellyseerr": "seerr", "overseerr": "seerr"}


def register(cls: C) -> C:
    if not cls.kind:
        raise ValueError(f"{cls.__name__}: set `kind` before registering")
    _KINDS[cls.kind] = cls
    return cls


def kinds() -> dict[str, type[AppClient]]:
    """Every registered kind (importing the client modules registers them)."""
    for module in KINDS_MODULES:
        importlib.import_module(f"openclaw.media.clients.{module}")
    return dict(_KINDS)


def build(name: str, kind: str, url: str, *, api_key: str | None = None, username: str | None = None, password: str | None = None,
          timeout_s: float = 10.0, transport: httpx.AsyncBaseTransport | None = None) -> AppClient:
    found = kinds().get(ALIASES.get(kind, kind))
    if found is None:
        raise ValueError(f"media.apps.{name}.kind: unknown kind {kind!r}; expected one of {', '.join(sorted(kinds()))}")
    return found(name, url, api_key=api_key, username=username, password=password, timeout_s=timeout_s, transport=transport)


def from_config(apps: Mapping[str, MediaAppSettings], offered: Mapping[str, Mapping[str, str]] | None, *, timeout_s: float) -> MediaClients:
    """The clients for `media.apps`, plus the apps another capability offered (the sandbox's, named
    by their kind) that the config does not already name."""
    clients: dict[str, AppClient] = {}
    for name, app in apps.items():
        clients[name] = build(name, app.kind, app.url, api_key=app.api_key, username=app.username, password=app.password, timeout_s=timeout_s)
    configured = {app.kind for app in apps.values()}
    known = kinds()
    for name, endpoint in (offered or {}).items():
        # An offered app this gateway has no client for is left out; a configured one is an error above.
        if name in clients or name in configured or ALIASES.get(name, name) not in known:
            continue
        clients[name] = build(name, name, endpoint["url"], api_key=endpoint.get("apiKey"), username=endpoint.get("username"),
                              password=endpoint.get("password"), timeout_s=timeout_s)
    return MediaClients(clients)


class MediaClients:
    """The configured app instances by name; `of_kind` finds the one (first) of a kind."""

    def __init__(self, clients: Mapping[str, AppClient] | None = None) -> None:
        self._clients = dict(clients or {})

    def __iter__(self) -> Iterator[AppClient]:
        return iter(self._clients.values())

    def __len__(self) -> int:
        return len(self._clients)

    def get(self, name: str) -> AppClient:
        client = self._clients.get(name)
        if client is None:
            raise MediaAppError(name, "unreachable", f"no media app named {name!r} is configured (media.apps)")
        return client

    def of_kind(self, kind: str) -> AppClient | None:
        kind = ALIASES.get(kind, kind)
        return next((c for c in self._clients.values() if c.kind == kind), None)

    def of(self, cls: type[A]) -> A | None:
        """The first instance of a client class (typed: `clients.of(RadarrClient)`)."""
        return next((c for c in self._clients.values() if isinstance(c, cls)), None)

    def names(self) -> list[str]:
        return list(self._clients)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
