"""Prowlarr API v1: the indexers' health, which gates every re-search."""

from __future__ import annotations

from typing import Any

from openclaw.media.clients.arr import _list
from openclaw.media.clients.base import AppClient
from openclaw.media.clients.registry import register


@register
class ProwlarrClient(AppClient):
    kind = "prowlarr"
    api_prefix = "/api/v1"

    def auth_headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.api_key or ""}

    async def indexers(self) -> list[dict[str, Any]]:
        return _list(self, await self.get_json("/indexer"), "/indexer")

    async def indexer_status(self) -> list[dict[str, Any]]:
        """Indexers Prowlarr has disabled after failures (`disabledTill` set), one record each."""
        return _list(self, await self.get_json("/indexerstatus"), "/indexerstatus")

    async def health(self) -> list[dict[str, Any]]:
        return _list(self, await self.get_json("/health"), "/health")
