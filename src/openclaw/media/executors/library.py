"""Jellyfin: a targeted refresh for one movie or series (by its TMDb/TVDb id), not a full scan."""

from __future__ import annotations

from openclaw.media.clients.base import MediaAppError
from openclaw.media.clients.jellyfin import JellyfinClient
from openclaw.media.clients.registry import MediaClients
from openclaw.media.lookup import item_state
from openclaw.media.refs import MediaTarget
from openclaw.ops.executors.result import ExecResult
from openclaw.policy.grant import Approval


async def refresh(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    jellyfin = clients.of(JellyfinClient)
    if jellyfin is None:
        raise MediaAppError(target.app, "unreachable", "no Jellyfin is configured (media.apps)")
    before = await item_state(clients, target, library=True)
    if target.kind == "movie":
        await jellyfin.movie_updated(target.external_id, approval=approval, action="media.library.refresh", target=target.key)
        what = f"/Library/Movies/Updated?tmdbId={target.external_id}"
    else:
        await jellyfin.series_updated(target.external_id, approval=approval, action="media.library.refresh", target=target.key)
        what = f"/Library/Series/Updated?tvdbId={target.external_id}"
    verb = "would ask" if approval.dry_run else "asked"
    return ExecResult(f"{verb} {jellyfin.name} to refresh {target.item} ({what})", {"before": before.summary()}, (target.key,))
