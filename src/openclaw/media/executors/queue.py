"""Queue removal: `DELETE /queue/{id}` on every record of the item's download, with the flags the
case needs (blocklist and re-search for a dead release; keep a private torrent seeding)."""

from __future__ import annotations

from openclaw.media.clients.base import MediaAppError
from openclaw.media.clients.registry import MediaClients
from openclaw.media.executors.commands import ARR_NAMES
from openclaw.media.lookup import arr_for, item_state
from openclaw.media.refs import MediaTarget
from openclaw.ops.executors.result import ExecResult
from openclaw.policy.grant import Approval


async def remove(clients: MediaClients, target: MediaTarget, *, remove_from_client: bool, blocklist: bool, skip_redownload: bool,
                 change_category: bool, approval: Approval) -> ExecResult:
    arr = arr_for(clients, target)
    if arr is None:
        raise MediaAppError(target.app, "unreachable", f"no {ARR_NAMES.get(target.kind, 'Sonarr/Radarr/Lidarr')} is configured (media.apps)")
    before = await item_state(clients, target)
    if not before.queue:
        raise ValueError(f"{target.item} is not in the {arr.name} queue; nothing removed")
    # Sonarr lists a season pack once per episode: one DELETE per download removes them all.
    first = {str(r["downloadId"]): int(r["id"]) for r in reversed(before.queue) if r.get("downloadId")}
    for queue_id in first.values():
        await arr.remove_from_queue(queue_id, remove_from_client=remove_from_client, blocklist=blocklist, skip_redownload=skip_redownload,
                                    change_category=change_category, approval=approval, action="media.queue.remove", target=target.key)
    after = await item_state(clients, target)
    flags = f"removeFromClient={remove_from_client}, blocklist={blocklist}, skipRedownload={skip_redownload}, changeCategory={change_category}"
    verb = "would remove" if approval.dry_run else "removed"
    return ExecResult(f"{verb} {', '.join(first)} from the {arr.name} queue ({flags})",
                      {"before": before.summary(), "after": after.summary(), "downloadIds": list(first), "queueIds": list(first.values())}, (target.key,))
