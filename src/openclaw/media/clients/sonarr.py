"""Sonarr API v3."""

from __future__ import annotations

from typing import Any

from openclaw.media.clients.arr import ArrClient, _list
from openclaw.media.clients.registry import register


@register
class SonarrClient(ArrClient):
    kind = "sonarr"
    unknown_items_param = "includeUnknownSeriesItems"
    search_command = "EpisodeSearch"
    scan_command = "DownloadedEpisodesScan"
    refresh_command = "RefreshSeries"
    media_kind = "tv"
    owner_field = "seriesId"

    async def library(self) -> list[dict[str, Any]]:
        return await self.series()

    def item_id(self, record: dict[str, Any]) -> str | None:
        tvdb = record.get("tvdbId")
        return f"tv:tvdb:{tvdb}" if isinstance(tvdb, int) and tvdb else None

    async def series(self) -> list[dict[str, Any]]:
        return _list(self, await self.get_json("/series"), "/series")
