"""Reading one item's live state from the apps, by its ids: what the policy rules, the executors
(state before and after) and the verification of a media action look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from openclaw.media.clients.arr import ArrClient
from openclaw.media.clients.jellyfin import JellyfinClient
from openclaw.media.clients.prowlarr import ProwlarrClient
from openclaw.media.clients.qbittorrent import QbittorrentClient
from openclaw.media.clients.radarr import RadarrClient
from openclaw.media.clients.registry import MediaClients
from openclaw.media.clients.seerr import SeerrClient
from openclaw.media.clients.sonarr import SonarrClient
from openclaw.media.refs import MediaTarget


@dataclass
class ItemState:
    arr: str | None = None  # the *arr instance name
    arr_id: int | None = None
    has_file: bool = False
    missing_episode_ids: list[int] = field(default_factory=list)
    queue: list[dict[str, Any]] = field(default_factory=list)
    torrents: list[dict[str, Any]] = field(default_factory=list)
    in_library: bool | None = None
    request: dict[str, Any] | None = None

    @property
    def download_ids(self) -> list[str]:
        return sorted({str(r.get("downloadId")) for r in self.queue if r.get("downloadId")})

    def summary(self) -> dict[str, Any]:
        """The state as the audit log keeps it (before/after an action)."""
        return {
            "arrId": self.arr_id, "hasFile": self.has_file, "missingEpisodes": len(self.missing_episode_ids),
            "queue": [{"id": r.get("id"), "downloadId": r.get("downloadId"), "status": r.get("status"),
                       "trackedDownloadState": r.get("trackedDownloadState")} for r in self.queue],
            "torrents": [{"hash": t.get("hash"), "state": t.get("state"), "progress": t.get("progress"), "bytesDone": t.get("completed"),
                          "private": bool(t.get("private") or t.get("is_private")), "tags": t.get("tags")} for t in self.torrents],
            "inLibrary": self.in_library, "request": self.request and {"id": self.request.get("id"), "status": self.request.get("status")},
        }


def arr_for(clients: MediaClients, target: MediaTarget) -> ArrClient | None:
    return clients.of(RadarrClient) if target.kind == "movie" else clients.of(SonarrClient)


async def item_state(clients: MediaClients, target: MediaTarget, *, library: bool = False, request: bool = False) -> ItemState:
    """The item as its *arr, the download client and (when asked) Jellyfin and Seerr see it now."""
    state = ItemState()
    arr = arr_for(clients, target)
    ext = target.external_id
    if arr is not None:
        state.arr = arr.name
        if isinstance(arr, RadarrClient):
            found = next((m for m in await arr.movies() if m.get("tmdbId") == ext), None)
            if found is not None:
                state.arr_id, state.has_file = int(found["id"]), bool(found.get("hasFile"))
            owner = "movieId"
        else:
            assert isinstance(arr, SonarrClient)
            series = next((s for s in await arr.series() if s.get("tvdbId") == ext), None)
            if series is not None:
                state.arr_id = int(series["id"])
                missing = [e for e in await arr.wanted_missing() if e.get("seriesId") == state.arr_id]
                state.missing_episode_ids = [int(e["id"]) for e in missing]
                stats = series.get("statistics") or {}
                state.has_file = int(stats.get("episodeFileCount") or 0) >= int(stats.get("episodeCount") or 1) > 0
            owner = "seriesId"
        if state.arr_id is not None:
            state.queue = [r for r in await arr.queue() if r.get(owner) == state.arr_id]
    qbit = clients.of(QbittorrentClient)
    if qbit is not None and state.download_ids:
        state.torrents = await qbit.torrents(state.download_ids)
    jellyfin = clients.of(JellyfinClient)
    if library and jellyfin is not None:
        provider = "Tmdb" if target.kind == "movie" else "Tvdb"
        state.in_library = any(str((i.get("ProviderIds") or {}).get(provider)) == str(ext) for i in await jellyfin.library())
    seerr = clients.of(SeerrClient)
    if request and seerr is not None:
        wanted = "tmdbId" if target.kind == "movie" else "tvdbId"
        state.request = next((r for r in await seerr.requests() if (r.get("media") or {}).get(wanted) == ext), None)
    return state


async def disabled_indexers(clients: MediaClients, now: datetime | None = None) -> list[int] | None:
    """Indexer ids Prowlarr has disabled now; None when no Prowlarr is configured."""
    prowlarr = clients.of(ProwlarrClient)
    if prowlarr is None:
        return None
    moment = now or datetime.now(UTC)
    out = []
    for status in await prowlarr.indexer_status():
        till = status.get("disabledTill")
        try:
            until = datetime.fromisoformat(str(till).replace("Z", "+00:00")) if till else None
        except ValueError:
            until = None
        if until is not None and until > moment:
            out.append(int(status.get("indexerId") or 0))
    return out
