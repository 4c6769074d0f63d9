"""Download-client executors: reannounce (ask the trackers for peers) and recheck (hash the data
again) in qBittorrent; retry of a failed job in SABnzbd (repair and unpack run again)."""

from __future__ import annotations

from openclaw.media.clients.base import MediaAppError
from openclaw.media.clients.qbittorrent import QbittorrentClient
from openclaw.media.clients.registry import MediaClients
from openclaw.media.clients.sabnzbd import SabnzbdClient
from openclaw.media.lookup import item_state
from openclaw.media.refs import MediaTarget
from openclaw.ops.executors.result import ExecResult
from openclaw.policy.grant import Approval


async def _torrent_action(clients: MediaClients, target: MediaTarget, verb: str, *, approval: Approval) -> ExecResult:
    qbit = clients.of(QbittorrentClient)
    if qbit is None:
        raise MediaAppError(target.app, "unreachable", "no qBittorrent is configured (media.apps)")
    before = await item_state(clients, target)
    if not before.download_ids:
        raise ValueError(f"{target.item} has nothing in the {before.arr or 'Sonarr/Radarr'} queue to {verb}")
    action = f"media.download.{verb}"
    for download_id in before.download_ids:
        if verb == "reannounce":
            await qbit.reannounce(download_id, approval=approval, action=action, target=target.key)
        else:
            await qbit.recheck(download_id, approval=approval, action=action, target=target.key)
    after = await item_state(clients, target)
    done = "would " + verb if approval.dry_run else verb + ("ed" if verb.endswith("k") else "d")
    return ExecResult(f"{done} {', '.join(d.lower() for d in before.download_ids)} for {target.item}",
                      {"before": before.summary(), "after": after.summary(), "downloadIds": before.download_ids}, (target.key,))


async def reannounce(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    return await _torrent_action(clients, target, "reannounce", approval=approval)


async def recheck(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    return await _torrent_action(clients, target, "recheck", approval=approval)


async def retry(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    """`mode=retry` for each failed SABnzbd job of the item; the *arr app follows the job to its new id."""
    sab = clients.of(SabnzbdClient)
    if sab is None:
        raise MediaAppError(target.app, "unreachable", "no SABnzbd is configured (media.apps)")
    before = await item_state(clients, target)
    failed = [str(j["nzo_id"]) for j in before.jobs if j.get("status") == "Failed"]
    if not failed:
        raise ValueError(f"{target.item} has no failed SABnzbd job to retry")
    new_ids = [await sab.retry(nzo_id, approval=approval, action="media.download.retry", target=target.key) for nzo_id in failed]
    after = await item_state(clients, target)
    done = "would retry" if approval.dry_run else "retried"
    return ExecResult(f"{done} SABnzbd job(s) {', '.join(failed)} for {target.item}",
                      {"before": before.summary(), "after": after.summary(), "nzoIds": failed, "newNzoIds": [n for n in new_ids if n]}, (target.key,))
