"""Plex Media Server: `X-Plex-Token` on every call, JSON asked for with `Accept: application/json`
(Plex answers XML otherwise). Library sections and their locations, items with their external ids
(`Guid` entries such as `tmdb://438631`, `tvdb://371980`, `mbid://<uuid>`, listed with
`includeGuids=1`), and a section refresh limited to one folder (`?path=`), as Sonarr's and Radarr's
Plex connection sends it."""

from __future__ import annotations

from typing import Any

from openclaw.media.clients.arr import _object
from openclaw.media.clients.base import AppClient, MediaAppError
from openclaw.media.clients.registry import register
from openclaw.policy.grant import Approval

TOP_TYPES = {"movie": "movie", "show": "show", "artist": "artist"}


@register
class PlexClient(AppClient):
    kind = "plex"

    def auth_headers(self) -> dict[str, str]:
        return {"X-Plex-Token": self.api_key or "", "X-Plex-Product": "openclaw", "X-Plex-Client-Identifier": "openclaw-gateway"}

    def _container(self, body: Any, path: str) -> dict[str, Any]:
        found = _object(self, body, path).get("MediaContainer")
        if not isinstance(found, dict):
            raise MediaAppError(self.name, "bad-response", f"{path}: expected {{'MediaContainer': {{...}}}}")
        return found

    async def identity(self) -> dict[str, Any]:
        return self._container(await self.get_json("/identity"), "/identity")

    async def sections(self) -> list[dict[str, Any]]:
        """Each section with `key`, `type` (movie, show, artist) and `Location[].path`."""
        found = self._container(await self.get_json("/library/sections"), "/library/sections")
        return [d for d in found.get("Directory") or [] if isinstance(d, dict)]

    async def section_items(self, section_key: str) -> list[dict[str, Any]]:
        """The section's top-level items (movies, shows, artists) with their external ids."""
        path = f"/library/sections/{section_key}/all"
        found = self._container(await self.get_json(path, {"includeGuids": "1"}), path)
        return [m for m in found.get("Metadata") or [] if isinstance(m, dict)]

    async def guids(self) -> set[str]:
        """Every external id the library's top-level items carry (`tmdb://...`, `tvdb://...`, `mbid://...`)."""
        out: set[str] = set()
        for section in await self.sections():
            if section.get("type") not in TOP_TYPES:
                continue
            for item in await self.section_items(str(section.get("key"))):
                out.update(str(g.get("id")) for g in item.get("Guid") or [] if isinstance(g, dict) and g.get("id"))
        return out

    async def find(self, guid: str) -> dict[str, Any] | None:
        """The top-level item carrying an external id, as python-plexapi's `getGuid` finds it."""
        for section in await self.sections():
            if section.get("type") not in TOP_TYPES:
                continue
            for item in await self.section_items(str(section.get("key"))):
                if any(isinstance(g, dict) and g.get("id") == guid for g in item.get("Guid") or []):
                    return item
        return None

    async def refresh_section(self, section_key: str, path: str | None, *, approval: Approval, action: str, target: str) -> None:
        """A scan of the section, or only of `path` inside it (a folder the *arr app imported into)."""
        await self.write("GET", f"/library/sections/{section_key}/refresh", params={"path": path} if path else None,
                         approval=approval, action=action, target=target)
