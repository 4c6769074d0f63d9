"""Radarr API v3."""

from __future__ import annotations

from typing import Any

from openclaw.media.clients.arr import ArrClient, _list
from openclaw.media.clients.registry import register


@register
class RadarrClient(ArrClient):
    kind = "radarr"
    unknown_items_param = "includeUnknownMovieItems"
    search_command = "MoviesSearch"
    scan_command = "DownloadedMoviesScan"
    refresh_command = "RefreshMovie"

    async def movies(self) -> list[dict[str, Any]]:
        return _list(self, await self.get_json("/movie"), "/movie")
