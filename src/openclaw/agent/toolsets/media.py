"""Media tools: the tracker's items (reads) and the `media.*` fixes, each an `ActionRequest` handed to
`policy.submit()` like the cluster actions, so rate caps, cooldowns, the protected tag, approvals
and the audit log apply to the agent exactly as to the media runbook. Titles and webhook summaries
come from outside (Seerr users, indexers) and are marked untrusted in the results."""

from __future__ import annotations

import json
from typing import Any, Literal

from openclaw.agent.capabilities import CapabilityMissing, media_of, policy_of
from openclaw.agent.prompt import wrap_untrusted
from openclaw.agent.results import ToolResult
from openclaw.agent.toolsets.actions import actor_id, decision_result
from openclaw.agent.tools import ToolContext
from openclaw.media.capability import Media
from openclaw.media.refs import ITEM_ID, MediaTarget
from openclaw.media.stages import Stage
from openclaw.policy.models import ActionKind, ActionRequest, Actor

StageName = Literal["requested", "approved", "searching", "grabbed", "downloading", "importing", "imported", "in library", "available"]
# Which app a kind acts on when the caller names none: the download client, the media server,
# Seerr, else the *arr instance that has the item.
APP_KIND = {ActionKind.MEDIA_REANNOUNCE: "qbittorrent", ActionKind.MEDIA_RECHECK: "qbittorrent", ActionKind.MEDIA_DOWNLOAD_RETRY: "sabnzbd",
            ActionKind.MEDIA_LIBRARY_REFRESH: "jellyfin", ActionKind.MEDIA_REQUEST_RETRY: "seerr", ActionKind.MEDIA_REQUEST_APPROVE: "seerr",
            ActionKind.MEDIA_REQUEST_SCAN: "seerr"}
ARR_FOR = {"movie": "radarr", "tv": "sonarr", "music": "lidarr"}


def _media(ctx: ToolContext) -> Media | ToolResult:
    try:
        return media_of(ctx.capabilities)
    except CapabilityMissing as exc:
        return ToolResult.fail(str(exc))


def _untrusted_item(item: dict[str, Any]) -> dict[str, Any]:
    if item.get("title"):
        item["title"] = wrap_untrusted(str(item["title"]), "media title")
    if item.get("stuckDetail"):
        item["stuckDetail"] = wrap_untrusted(str(item["stuckDetail"]), "media app state")
    return item


async def list_media(ctx: ToolContext, stuck: bool | None = None, stage: StageName | None = None, limit: int = 50) -> ToolResult:
    """Tracked media items (requests and monitored movies, series, albums) with their pipeline stage, and
    counts per stage. A stuck item has `stuckReason` (stalled, metadata, errored, missing-files,
    no-progress, import-blocked, no-release, not-in-library, not-available-in-seerr, pending-approval,
    request-failed) and the fixes already tried in `ladder`.

    Args:
      stuck: true for stuck items only, false for the others, null for all.
      stage: only items at this stage.
      limit: at most this many (1-500).
    """
    media = _media(ctx)
    if isinstance(media, ToolResult):
        return media
    needed = media.needed()
    found = await media.items(stuck=stuck, stage=Stage(stage) if stage else None)
    counts = await media.stage_counts()
    apps = {k: v.to_json() for k, v in (media.poller.apps if media.poller else {}).items()}
    return ToolResult.ok({"counts": counts, "apps": apps, "items": [_untrusted_item(i.to_json(needed)) for i in found[: max(1, min(limit, 500))]]})


async def get_media_item(ctx: ToolContext, item_id: str) -> ToolResult:
    """One tracked item: stage, ids, download and queue state, why it is stuck, its timeline (webhooks,
    oldest first) and the audited fixes done on it.

    Args:
      item_id: the item id from list_media, e.g. movie:tmdb:438631 or tv:tvdb:371980.
    """
    media = _media(ctx)
    if isinstance(media, ToolResult):
        return media
    found = await media.detail(item_id)
    if found is None:
        return ToolResult.fail(f"item_id: no tracked media item {item_id!r} (see list_media)")
    timeline = found.pop("timeline", [])
    found = _untrusted_item(found)
    found["timeline"] = wrap_untrusted(json.dumps(timeline, ensure_ascii=False), "media webhooks")
    return ToolResult.ok(found)


async def fix_media_item(ctx: ToolContext, item_id: str) -> ToolResult:
    """Run the item's next fixes now, cheapest first (the media runbook's ladder: reannounce -> recheck ->
    remove with blocklist and re-search, or scan -> refresh, library refresh, Seerr approve/retry), each
    through policy; returns every decision. Prefer this to the single fixes below.

    Args:
      item_id: the stuck item's id from list_media.
    """
    media = _media(ctx)
    if isinstance(media, ToolResult):
        return media
    if await media.item(item_id) is None:
        return ToolResult.fail(f"item_id: no tracked media item {item_id!r} (see list_media)")
    if media.fixer is None:
        return ToolResult.fail("no media fixes are running (ops.runbooksEnabled, media.fixesEnabled)")
    answer = await media.fixer(item_id, f"agent:{actor_id(ctx.session_key)}", 1)  # one rung a call: the agent sees each answer
    return ToolResult.ok({"item": _untrusted_item(dict(answer.get("item") or {})), "decisions": answer.get("decisions", []),
                          **({"message": answer["message"]} if answer.get("message") else {})})


async def _submit(ctx: ToolContext, kind: ActionKind, item_id: str, reason: str, app: str | None, params: dict[str, Any] | None = None) -> ToolResult:
    media = _media(ctx)
    if isinstance(media, ToolResult):
        return media
    if not ITEM_ID.match(item_id):
        return ToolResult.fail(f"item_id: expected a media item id such as movie:tmdb:438631, got {item_id!r}")
    if app is None:
        item = await media.item(item_id)
        wanted = APP_KIND.get(kind) or (item.app if item and item.app else ARR_FOR.get(item_id.split(":", 1)[0], ""))
        missing = ((item.state.get("library") or {}).get("missingFrom") or []) if item else []
        if kind is ActionKind.MEDIA_LIBRARY_REFRESH:
            # The server that does not list it; else whichever media server is configured.
            wanted = missing[0] if missing else (wanted if media.clients.of_kind(wanted) else "plex")
        client = media.clients.of_kind(wanted) if wanted not in media.clients.names() else media.clients.get(wanted)
        if client is None:
            return ToolResult.fail(f"app: no {wanted} app is configured for {kind} (media.apps); name one of {', '.join(media.clients.names()) or 'none'}")
        app = client.name
    try:
        engine = policy_of(ctx.capabilities)
    except CapabilityMissing as exc:
        return ToolResult.fail(str(exc))
    request = ActionRequest(kind=kind, target=MediaTarget(app, item_id), actor=Actor.agent(actor_id(ctx.session_key)),
                            reason=reason or "requested by the agent", params=params or {}, incident=ctx.incident_id)
    return decision_result(await engine.submit(request))


async def reannounce_download(ctx: ToolContext, item_id: str, reason: str, app: str | None = None) -> ToolResult:
    """Ask the download client to reannounce the item's torrent to its trackers (cheapest fix for stalled / no peers).

    Args:
      item_id: the item id from list_media.
      reason: why, in one sentence; recorded in the audit log.
      app: the download client app name (default: the configured qBittorrent).
    """
    return await _submit(ctx, ActionKind.MEDIA_REANNOUNCE, item_id, reason, app)


async def recheck_download(ctx: ToolContext, item_id: str, reason: str, app: str | None = None) -> ToolResult:
    """Force the download client to recheck the torrent's data (errored, missing files, stuck after reannounce).

    Args:
      item_id: the item id from list_media.
      reason: why, in one sentence; recorded in the audit log.
      app: the download client app name (default: the configured qBittorrent).
    """
    return await _submit(ctx, ActionKind.MEDIA_RECHECK, item_id, reason, app)


async def retry_download(ctx: ToolContext, item_id: str, reason: str, app: str | None = None) -> ToolResult:
    """Retry the item's failed SABnzbd job (download failed: repair or unpack failed); SABnzbd downloads
    what is missing and post-processes it again. A retry that fails the same way needs remove_from_queue.

    Args:
      item_id: the item id from list_media.
      reason: why, in one sentence; recorded in the audit log.
      app: the SABnzbd app name (default: the configured SABnzbd).
    """
    return await _submit(ctx, ActionKind.MEDIA_DOWNLOAD_RETRY, item_id, reason, app)


async def remove_from_queue(ctx: ToolContext, item_id: str, reason: str, blocklist: bool = True, remove_from_client: bool = False,
                            skip_redownload: bool = False, change_category: bool = False, app: str | None = None) -> ToolResult:
    """Remove the item's download from the Sonarr/Radarr queue, normally blocklisting the release so the app
    searches for another. Deleting downloaded data needs an operator's approval; a private-tracker torrent
    must stay seeding (remove_from_client false, change_category true).

    Args:
      item_id: the item id from list_media.
      reason: why, in one sentence; recorded in the audit log.
      blocklist: blocklist the release so it is not grabbed again.
      remove_from_client: also delete the download (and its data) from the download client.
      skip_redownload: do not search again after removing.
      change_category: move the torrent to the post-import category instead of deleting it (keeps seeding).
      app: the Sonarr/Radarr app name (default: the one that has the item).
    """
    params = {"removeFromClient": remove_from_client, "blocklist": blocklist, "skipRedownload": skip_redownload, "changeCategory": change_category}
    return await _submit(ctx, ActionKind.MEDIA_QUEUE_REMOVE, item_id, reason, app, params)


async def search_media(ctx: ToolContext, item_id: str, reason: str, app: str | None = None) -> ToolResult:
    """Ask Sonarr/Radarr to search the indexers for the item (no release found). Capped per app per hour;
    refused while Prowlarr reports the indexers disabled.

    Args:
      item_id: the item id from list_media.
      reason: why, in one sentence; recorded in the audit log.
      app: the Sonarr/Radarr app name (default: the one that has the item).
    """
    return await _submit(ctx, ActionKind.MEDIA_SEARCH, item_id, reason, app)


async def scan_downloads(ctx: ToolContext, item_id: str, reason: str, app: str | None = None) -> ToolResult:
    """Run the downloaded-files scan in Sonarr/Radarr so a finished download is imported (import blocked or failed).

    Args:
      item_id: the item id from list_media.
      reason: why, in one sentence; recorded in the audit log.
      app: the Sonarr/Radarr app name (default: the one that has the item).
    """
    return await _submit(ctx, ActionKind.MEDIA_SCAN, item_id, reason, app)


async def refresh_media(ctx: ToolContext, item_id: str, reason: str, app: str | None = None) -> ToolResult:
    """Refresh and rescan the movie or series in Sonarr/Radarr (files on disk the app does not know about).

    Args:
      item_id: the item id from list_media.
      reason: why, in one sentence; recorded in the audit log.
      app: the Sonarr/Radarr app name (default: the one that has the item).
    """
    return await _submit(ctx, ActionKind.MEDIA_REFRESH, item_id, reason, app)


async def refresh_library(ctx: ToolContext, item_id: str, reason: str, app: str | None = None) -> ToolResult:
    """Refresh the media server's library for the item (imported but not in Jellyfin or Plex): name the
    server that does not list it (the item's `library.missingFrom`).

    Args:
      item_id: the item id from list_media.
      reason: why, in one sentence; recorded in the audit log.
      app: the media server app name (default: the configured Jellyfin, else Plex).
    """
    return await _submit(ctx, ActionKind.MEDIA_LIBRARY_REFRESH, item_id, reason, app)


async def retry_request(ctx: ToolContext, item_id: str, reason: str, app: str | None = None) -> ToolResult:
    """Retry the item's failed Seerr request (request failed).

    Args:
      item_id: the item id from list_media.
      reason: why, in one sentence; recorded in the audit log.
      app: the Seerr app name (default: the configured Jellyseerr/Overseerr).
    """
    return await _submit(ctx, ActionKind.MEDIA_REQUEST_RETRY, item_id, reason, app)


async def approve_request(ctx: ToolContext, item_id: str, reason: str, app: str | None = None) -> ToolResult:
    """Approve the item's pending Seerr request. By default this waits for an operator's sign-off: say so and stop.

    Args:
      item_id: the item id from list_media.
      reason: why, in one sentence; recorded in the audit log.
      app: the Seerr app name (default: the configured Jellyseerr/Overseerr).
    """
    return await _submit(ctx, ActionKind.MEDIA_REQUEST_APPROVE, item_id, reason, app)
