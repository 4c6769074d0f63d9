"""Media servers: a targeted refresh of one item, on the server the action names (`target.app`):
Jellyfin by its TMDb/TVDb id, Plex by a scan of the item's folder in its section; never a full scan."""

from __future__ import annotations

from openclaw.media.clients.base import MediaAppError
from openclaw.media.clients.jellyfin import JellyfinClient
from openclaw.media.clients.plex import SECTION_OF_KIND, PlexClient
from openclaw.media.clients.registry import MediaClients
from openclaw.media.lookup import item_state, media_servers
from openclaw.media.refs import MediaTarget
from openclaw.ops.executors.result import ExecResult
from openclaw.policy.grant import Approval

ACTION = "media.library.refresh"


async def refresh(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    servers = {s.name: s for s in media_servers(clients, target.kind)}
    if not servers:
        raise MediaAppError(target.app, "unreachable", "no Jellyfin or Plex is configured (media.apps)")
    # An app that is no media server (the item's *arr, from an older caller) means the first server.
    server = servers.get(target.app) or next(iter(servers.values()))
    before = await item_state(clients, target, library=True)
    if isinstance(server, PlexClient):
        section_type = SECTION_OF_KIND[target.kind]
        section = await server.section_for(before.path or "", section_type)
        if section is None:
            raise ValueError(f"{server.name} has no {section_type} section to refresh")
        await server.refresh_section(str(section.get("key")), before.path, approval=approval, action=ACTION, target=target.key)
        what = f"/library/sections/{section.get('key')}/refresh" + (f"?path={before.path}" if before.path else "")
    elif isinstance(server, JellyfinClient) and target.kind == "movie":
        await server.movie_updated(target.external_id, approval=approval, action=ACTION, target=target.key)
        what = f"/Library/Movies/Updated?tmdbId={target.external_id}"
    elif isinstance(server, JellyfinClient):
        await server.series_updated(target.external_id, approval=approval, action=ACTION, target=target.key)
        what = f"/Library/Series/Updated?tvdbId={target.external_id}"
    else:
        raise ValueError(f"{server.name} is not a media server openclaw can refresh")
    verb = "would ask" if approval.dry_run else "asked"
    return ExecResult(f"{verb} {server.name} to refresh {target.item} ({what})", {"before": before.summary(), "server": server.name}, (target.key,))
