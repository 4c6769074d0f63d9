"""Seerr requests: approve or decline one that waits (on an operator's word, by default) or retry one that failed."""

from __future__ import annotations

from openclaw.media.clients.base import MediaAppError
from openclaw.media.clients.registry import MediaClients
from openclaw.media.clients.seerr import SeerrClient
from openclaw.media.lookup import item_state
from openclaw.media.refs import MediaTarget
from openclaw.ops.executors.result import ExecResult
from openclaw.policy.grant import Approval

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
