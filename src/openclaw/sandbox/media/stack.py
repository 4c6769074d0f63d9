"""The media apps together: one pipeline, nine loopback servers, one webhook sender."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

from openclaw.sandbox.loopback import LoopbackServer
from openclaw.sandbox.media import jellyfin, jellyseerr, lidarr, plex, prowlarr, qbittorrent, radarr, sabnzbd, sonarr
from openclaw.sandbox.media.pipeline import MediaPipeline
from openclaw.sandbox.media.webhooks import WebhookSender
from openclaw.sandbox.simclock import SimClock

APPS = ("sonarr", "radarr", "lidarr", "prowlarr", "qbittorrent", "sabnzbd", "jellyseerr", "jellyfin", "plex")


def _plex_token() -> str:
    return "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for _ in range(20))


@dataclass(frozen=True, slots=True)
class MediaCredentials:
    """API keys per app (32 hex, as the apps generate them; Plex's token is 20 characters) and qBittorrent's WebUI login."""

    keys: dict[str, str] = field(default_factory=lambda: {a: _plex_token() if a == "plex" else secrets.token_hex(16) for a in APPS if a != "qbittorrent"})
    qbittorrent_username: str = "admin"
    qbittorrent_password: str = field(default_factory=lambda: secrets.token_urlsafe(12))


@dataclass
class MediaStack:
    clock: SimClock
    credentials: MediaCredentials = field(default_factory=MediaCredentials)
    seed: bool = True
    pipeline: MediaPipeline = field(init=False)
    servers: dict[str, LoopbackServer] = field(default_factory=dict)
    _sender_task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.pipeline = MediaPipeline(self.clock, sender=WebhookSender())
        if self.seed:
            self.pipeline.seed_library()

    @property
    def urls(self) -> dict[str, str]:
        return {name: server.url for name, server in self.servers.items()}

    def send_webhooks_to(self, targets: dict[str, str], token: str | None) -> None:
        """Point the apps' webhook connections at the gateway: {"sonarr": ".../hooks/sonarr", "lidarr": ..., ...}."""
        self.pipeline.sender.targets = dict(targets)
        self.pipeline.sender.token = token

    async def start(self) -> dict[str, str]:
        keys, p = self.credentials.keys, self.pipeline
        apps = {
            "sonarr": sonarr.build_app(p, keys["sonarr"]), "radarr": radarr.build_app(p, keys["radarr"]),
            "prowlarr": prowlarr.build_app(p, keys["prowlarr"]),
            "qbittorrent": qbittorrent.build_app(p, self.credentials.qbittorrent_username, self.credentials.qbittorrent_password),
            "jellyseerr": jellyseerr.build_app(p, keys["jellyseerr"]), "jellyfin": jellyfin.build_app(p, keys["jellyfin"]),
            "lidarr": lidarr.build_app(p, keys["lidarr"]), "sabnzbd": sabnzbd.build_app(p, keys["sabnzbd"]), "plex": plex.build_app(p, keys["plex"]),
        }
        for name in APPS:
            server = LoopbackServer(apps[name], name)
            await server.start()
            self.servers[name] = server
        p.app_urls = {app: self.servers[app].url for app in ("sonarr", "radarr", "lidarr")}
        self._sender_task = asyncio.create_task(p.sender.run(), name="sandbox.media.webhooks")
        return self.urls

    async def stop(self) -> None:
        if self._sender_task is not None:
            self._sender_task.cancel()
            await asyncio.gather(self._sender_task, return_exceptions=True)
        await asyncio.gather(*(s.stop() for s in self.servers.values()), return_exceptions=True)
        self.servers.clear()
