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
    media_kind = "movie"
    owner_field = "movieId"

    async def library(self) -> list[dict[str, Any]]:
        return await self.movies()

    def item_id(self, record: dict[str, Any]) -> str | None:
        tmdb = record.get("tmdbId")
        return f"movie:tmdb:{tmdb}" if isinstance(tmdb, int) and tmdb else None

    def complete(self, record: dict[str, Any]) -> bool:
        return bool(record.get("hasFile"))

    async def movies(self) -> list[dict[str, Any]]:
        return _list(self, await self.get_json("/movie"), "/movie")
