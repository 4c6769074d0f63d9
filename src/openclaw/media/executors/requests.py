"""Seerr requests: approve or decline one that waits (on an operator's word, by default), retry one
that failed, or run Seerr's library scan job when the media server lists the item and Seerr has not noticed."""

from __future__ import annotations

from openclaw.media.clients.base import AppClient, MediaAppError
from openclaw.media.clients.jellyfin import JellyfinClient
from openclaw.media.clients.registry import MediaClients
from openclaw.media.clients.seerr import SCAN_JOBS, SeerrClient
from openclaw.media.lookup import item_state, media_servers
from openclaw.media.refs import MediaTarget
from openclaw.ops.executors.result import ExecResult
from openclaw.policy.grant import Approval

SCAN = "media.request.scan"
DONE = {"approve": "approved", "decline": "declined", "retry": "retried"}


async def _request(clients: MediaClients, target: MediaTarget, verb: str, *, approval: Approval) -> ExecResult:
    seerr = clients.of(SeerrClient)
    if seerr is None:
        raise MediaAppError(target.app, "unreachable", "no Jellyseerr/Overseerr is configured (media.apps)")
    before = await item_state(clients, target, request=True)
    if before.request is None:
        raise ValueError(f"{seerr.name} has no request for {target.item}")
    request_id = int(before.request["id"])
    action = f"media.request.{verb}"
    if verb == "approve":
        await seerr.approve(request_id, approval=approval, action=action, target=target.key)
    elif verb == "decline":
        await seerr.decline(request_id, approval=approval, action=action, target=target.key)
    else:
        await seerr.retry(request_id, approval=approval, action=action, target=target.key)
    return ExecResult(f"{'would have ' if approval.dry_run else ''}{DONE[verb]} {seerr.name} request {request_id} for {target.item}",
                      {"before": before.summary(), "requestId": request_id}, (target.key,))


async def approve(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    return await _request(clients, target, "approve", approval=approval)


async def decline(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    return await _request(clients, target, "decline", approval=approval)


async def retry(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    return await _request(clients, target, "retry", approval=approval)


def _server_kind(server: AppClient) -> str:
    return "jellyfin" if isinstance(server, JellyfinClient) else "plex"


async def scan(clients: MediaClients, target: MediaTarget, *, approval: Approval) -> ExecResult:
    """Run Seerr's "recently added" scan of the media server that lists the item (Jellyfin's or Plex's job)."""
    seerr = clients.of(SeerrClient)
    if seerr is None:
        raise MediaAppError(target.app, "unreachable", "no Jellyseerr/Overseerr is configured (media.apps)")
    before = await item_state(clients, target, library=True, request=True)
    if before.request is None:
        raise ValueError(f"{seerr.name} has no request for {target.item}")
    listing = [s for s in media_servers(clients, target.kind) if s.name not in before.missing_from]
    if not listing:
        raise ValueError(f"no media server lists {target.item} yet: a Seerr scan would find nothing (refresh the library first)")
    scheduled = {str(j.get("id")) for j in await seerr.jobs()}
    job = next((SCAN_JOBS[k] for k in map(_server_kind, listing) if SCAN_JOBS[k] in scheduled), None)
    if job is None:
        wanted = ", ".join(SCAN_JOBS[_server_kind(s)] for s in listing)
        raise ValueError(f"{seerr.name} schedules no {wanted} job (it has {', '.join(sorted(scheduled)) or 'none'}): is its media server set?")
    await seerr.run_job(job, approval=approval, action=SCAN, target=target.key)
    verb = "would run" if approval.dry_run else "ran"
    return ExecResult(f"{verb} {seerr.name} job {job} for {target.item}",
                      {"before": before.summary(), "requestId": int(before.request["id"]), "job": job}, (target.key,))
