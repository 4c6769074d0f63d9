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

TOP_TYPES = ("movie", "show", "artist")
# The tracked item kind each section type holds, and the external id Plex's agents give it.
SECTION_KINDS = {"movie": ("movie", "tmdb"), "show": ("tv", "tvdb"), "artist": ("music", "mbid")}
SECTION_OF_KIND = {kind: section for section, (kind, _) in SECTION_KINDS.items()}


def item_ids(item: dict[str, Any]) -> set[str]:
    """The tracker ids a library item answers to (`movie:tmdb:603` from `tmdb://603` in a movie section)."""
    kind, scheme = SECTION_KINDS.get(str(item.get("librarySectionType")), ("", ""))
    prefix = f"{scheme}://"
    ours = "mb" if scheme == "mbid" else scheme
    return {f"{kind}:{ours}:{g['id'][len(prefix):]}" for g in item.get("Guid") or [] if isinstance(g, dict) and str(g.get("id", "")).startswith(prefix)}


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

    async def library(self) -> list[dict[str, Any]]:
        """Every top-level item of the movie, show and artist sections, each with its section's
        `librarySectionType` (Plex's listing does not repeat it)."""
        out: list[dict[str, Any]] = []
        for section in await self.sections():
            if section.get("type") in TOP_TYPES:
                out.extend({**item, "librarySectionType": section.get("type")} for item in await self.section_items(str(section.get("key"))))
        return out

    async def section_for(self, path: str, section_type: str) -> dict[str, Any] | None:
        """The section whose location holds `path` (else the first of the type)."""
        found = [s for s in await self.sections() if s.get("type") == section_type]
        for section in found:
            if any(path.startswith(str(loc.get("path"))) for loc in section.get("Location") or [] if isinstance(loc, dict)):
                return section
        return found[0] if found else None

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
