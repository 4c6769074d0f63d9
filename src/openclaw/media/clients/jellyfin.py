"""Jellyfin: `Authorization: MediaBrowser Token="..."` (the legacy X-Emby-Token headers are off by
default from 12.0), library lookups by provider id, targeted and full library refreshes."""

from __future__ import annotations

from typing import Any

from openclaw.media.clients.arr import _object
from openclaw.media.clients.base import AppClient
from openclaw.media.clients.registry import register
from openclaw.policy.grant import Approval

CLIENT = 'MediaBrowser Client="openclaw", Device="gateway", DeviceId="openclaw-gateway", Version="1"'


@register
class JellyfinClient(AppClient):
    kind = "jellyfin"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f'{CLIENT}, Token="{self.api_key or ""}"'}

    async def system_info(self) -> dict[str, Any]:
        return _object(self, await self.get_json("/System/Info"), "/System/Info")

    async def library(self, types: tuple[str, ...] = ("Movie", "Series")) -> list[dict[str, Any]]:
        """Movies and series with their provider ids (there is no equality filter on them: match here)."""
        body = _object(self, await self.get_json("/Items", {"recursive": "true", "includeItemTypes": ",".join(types), "fields": "ProviderIds,Path"}), "/Items")
        return [i for i in body.get("Items") or [] if isinstance(i, dict)]

    async def movie_updated(self, tmdb_id: int, *, approval: Approval, action: str, target: str) -> None:
        await self.write("POST", "/Library/Movies/Updated", params={"tmdbId": str(tmdb_id)}, approval=approval, action=action, target=target)

    async def series_updated(self, tvdb_id: int, *, approval: Approval, action: str, target: str) -> None:
        await self.write("POST", "/Library/Series/Updated", params={"tvdbId": str(tvdb_id)}, approval=approval, action=action, target=target)

    async def refresh_library(self, *, approval: Approval, action: str, target: str) -> None:
        await self.write("POST", "/Library/Refresh", approval=approval, action=action, target=target)
