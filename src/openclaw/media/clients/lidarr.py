"""Lidarr API v1: the *arr shapes under `/api/v1`, with artists and albums (MusicBrainz ids) in place
of series and episodes. An artist is the tracked item (`music:mb:<artist MusicBrainz id>`), as a
series is for Sonarr; its albums are what a search or a scan acts on."""

from __future__ import annotations

from typing import Any

from openclaw.media.clients.arr import ArrClient, _list
from openclaw.media.clients.registry import register


@register
class LidarrClient(ArrClient):
    kind = "lidarr"
    api_prefix = "/api/v1"
    unknown_items_param = "includeUnknownArtistItems"
    search_command = "AlbumSearch"
    scan_command = "DownloadedAlbumsScan"
    refresh_command = "RefreshArtist"
    media_kind = "music"
    owner_field = "artistId"

    async def library(self) -> list[dict[str, Any]]:
        return await self.artists()

    def item_id(self, record: dict[str, Any]) -> str | None:
        mb_id = record.get("foreignArtistId")
        return f"music:mb:{mb_id}" if isinstance(mb_id, str) and mb_id else None

    def title_of(self, record: dict[str, Any]) -> str:
        return str(record.get("artistName"))

    def complete(self, record: dict[str, Any]) -> bool:
        stats = record.get("statistics") or {}
        return int(stats.get("trackFileCount") or 0) >= int(stats.get("trackCount") or 1) > 0

    async def artists(self) -> list[dict[str, Any]]:
        return _list(self, await self.get_json("/artist"), "/artist")

    async def albums(self, artist_id: int) -> list[dict[str, Any]]:
        return _list(self, await self.get_json("/album", {"artistId": artist_id}), "/album")
