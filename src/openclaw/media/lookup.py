"""Reading one item's live state from the apps, by its ids: what the policy rules, the executors
(state before and after) and the verification of a media action look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from openclaw.media.clients.arr import ArrClient
from openclaw.media.clients.base import AppClient
from openclaw.media.clients.jellyfin import JellyfinClient
from openclaw.media.clients.lidarr import LidarrClient
from openclaw.media.clients.plex import PlexClient, item_ids
from openclaw.media.clients.prowlarr import ProwlarrClient
from openclaw.media.clients.qbittorrent import QbittorrentClient
from openclaw.media.clients.radarr import RadarrClient
from openclaw.media.clients.registry import MediaClients
from openclaw.media.clients.sabnzbd import SabnzbdClient
from openclaw.media.clients.seerr import SeerrClient
from openclaw.media.clients.sonarr import SonarrClient
from openclaw.media.refs import MediaTarget


@dataclass
class ItemState:
    arr: str | None = None  # the *arr instance name
    arr_id: int | None = None
    has_file: bool = False
    missing_episode_ids: list[int] = field(default_factory=list)
    missing_album_ids: list[int] = field(default_factory=list)
    queue: list[dict[str, Any]] = field(default_factory=list)
    torrents: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)  # SABnzbd queue/history slots of its downloads
    path: str | None = None  # the item's folder in the library (the *arr app's path)
    in_library: bool | None = None  # every media server that serves its kind lists it (None: not asked)
    missing_from: list[str] = field(default_factory=list)  # the media servers that do not
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
            "jobs": [{"nzoId": j.get("nzo_id"), "status": j.get("status"), "where": j.get("where"), "failMessage": j.get("fail_message") or None}
                     for j in self.jobs],
            "inLibrary": self.in_library, "missingFrom": self.missing_from or None, "request": self.request and {"id": self.request.get("id"), "status": self.request.get("status")},
        }


ARR_OF_KIND: dict[str, type[ArrClient]] = {"movie": RadarrClient, "tv": SonarrClient, "music": LidarrClient}
# Which media servers list which kinds of item (Jellyfin's library is read for movies and series only).
SERVES = {JellyfinClient: ("movie", "tv"), PlexClient: ("movie", "tv", "music")}


def arr_of_kind(clients: MediaClients, kind: str) -> ArrClient | None:
    cls = ARR_OF_KIND.get(kind)
    return clients.of(cls) if cls else None


def arr_for(clients: MediaClients, target: MediaTarget) -> ArrClient | None:
    return arr_of_kind(clients, target.kind)


def media_servers(clients: MediaClients, kind: str) -> list[AppClient]:
    """The configured media servers that list items of this kind."""
    return [c for c in clients if any(isinstance(c, cls) and kind in kinds for cls, kinds in SERVES.items())]


async def lists(server: AppClient, target: MediaTarget) -> bool:
    """The server has the item (by its provider id)."""
    if isinstance(server, PlexClient):
        found = await server.find(target.guid)
        return found is not None
    assert isinstance(server, JellyfinClient)
    provider = "Tmdb" if target.kind == "movie" else "Tvdb"
    return any(str((i.get("ProviderIds") or {}).get(provider)) == target.external for i in await server.library())


async def item_state(clients: MediaClients, target: MediaTarget, *, library: bool = False, request: bool = False) -> ItemState:
    """The item as its *arr, the download client and (when asked) Jellyfin and Seerr see it now."""
    state = ItemState()
    arr = arr_for(clients, target)
    if arr is not None:
        state.arr = arr.name
        found = next((r for r in await arr.library() if arr.item_id(r) == target.item), None)
        if found is not None:
            state.arr_id, state.has_file, state.path = int(found["id"]), arr.complete(found), found.get("path")
            if isinstance(arr, SonarrClient):
                state.missing_episode_ids = [int(e["id"]) for e in await arr.wanted_missing() if e.get("seriesId") == state.arr_id]
            elif isinstance(arr, LidarrClient):
                state.missing_album_ids = [int(a["id"]) for a in await arr.wanted_missing() if a.get("artistId") == state.arr_id]
            state.queue = [r for r in await arr.queue() if r.get(arr.owner_field) == state.arr_id]
    usenet = sorted({str(r["downloadId"]) for r in state.queue if r.get("downloadId") and r.get("protocol") == "usenet"})
    torrents = [d for d in state.download_ids if d not in usenet]
    qbit = clients.of(QbittorrentClient)
    if qbit is not None and torrents:
        state.torrents = await qbit.torrents(torrents)
    sab = clients.of(SabnzbdClient)
    if sab is not None and usenet:
        state.jobs = await sab.jobs(usenet)
    if library:
        servers = media_servers(clients, target.kind)
        state.missing_from = [s.name for s in servers if not await lists(s, target)]
        state.in_library = not state.missing_from if servers else None
    seerr = clients.of(SeerrClient)
    if request and seerr is not None and target.kind in ("movie", "tv"):  # Seerr requests no music
        ext = target.external_id
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
