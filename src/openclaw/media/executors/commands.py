"""Sonarr/Radarr commands: a search for the item, a downloaded-files scan of its download (the
manual-import path), a refresh (rescan of its folder and metadata)."""

from __future__ import annotations

from typing import Any

from openclaw.media.clients.arr import ArrClient
from openclaw.media.clients.base import MediaAppError
from openclaw.media.clients.lidarr import LidarrClient
from openclaw.media.clients.radarr import RadarrClient
from openclaw.media.clients.registry import MediaClients
from openclaw.media.lookup import ItemState, arr_for, item_state
from openclaw.media.refs import MediaTarget
from openclaw.ops.executors.result import ExecResult
from openclaw.policy.grant import Approval


ARR_NAMES = {"movie": "Radarr", "tv": "Sonarr", "music": "Lidarr"}


def _arr(clients: MediaClients, target: MediaTarget) -> ArrClient:
    arr = arr_for(clients, target)
    if arr is None:
        raise MediaAppError(target.app, "unreachable", f"no {ARR_NAMES.get(target.kind, 'Sonarr/Radarr/Lidarr')} is configured (media.apps)")
    return arr


def _known(state: ItemState, arr: ArrClient, target: MediaTarget) -> int:
    if state.arr_id is None:
        raise ValueError(f"{arr.name} does not have {target.item}")
    return state.arr_id


async def _run(clients: MediaClients, target: MediaTarget, kind: str, name: str, body: dict[str, Any], before: ItemState,
               approval: Approval) -> ExecResult:
    arr = _arr(clients, target)
    queued = await arr.command(name, body, approval=approval, action=kind, target=target.key)
    verb = "would send" if approval.dry_run else "sent"
    return ExecResult(f"{verb} {name} to {arr.name} for {target.item}",
                      {"before": before.summary(), "command": {"name": name, **body}, "commandId": (queued or {}).get("id")}, (target.key,))


async def search(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    """EpisodeSearch for the missing monitored episodes only (not whole seasons), MoviesSearch for a movie."""
    arr = _arr(clients, target)
    before = await item_state(clients, target)
    arr_id = _known(before, arr, target)
    if isinstance(arr, RadarrClient):
        return await _run(clients, target, "media.search", "MoviesSearch", {"movieIds": [arr_id]}, before, approval)
    if isinstance(arr, LidarrClient):
        if not before.missing_album_ids:
            raise ValueError(f"{target.item}: no missing monitored album to search for")
        return await _run(clients, target, "media.search", "AlbumSearch", {"albumIds": before.missing_album_ids}, before, approval)
    if not before.missing_episode_ids:
        raise ValueError(f"{target.item}: no missing monitored episode to search for")
    return await _run(clients, target, "media.search", "EpisodeSearch", {"episodeIds": before.missing_episode_ids}, before, approval)


async def scan(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    """DownloadedEpisodesScan / DownloadedMoviesScan of the item's completed download: imports what is eligible."""
    arr = _arr(clients, target)
    before = await item_state(clients, target)
    records = [r for r in before.queue if r.get("downloadId")]
    if not records:
        raise ValueError(f"{target.item} has no download in the {arr.name} queue to scan")
    rec = records[0]
    body = {"path": rec.get("outputPath"), "downloadClientId": rec.get("downloadId"), "importMode": "auto"}
    return await _run(clients, target, "media.scan", arr.scan_command, body, before, approval)


async def refresh(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    arr = _arr(clients, target)
    before = await item_state(clients, target)
    arr_id = _known(before, arr, target)
    body = {"movieIds": [arr_id]} if isinstance(arr, RadarrClient) else {"artistIds": [arr_id]} if isinstance(arr, LidarrClient) else {"seriesIds": [arr_id]}
    return await _run(clients, target, "media.refresh", arr.refresh_command, body, before, approval)
