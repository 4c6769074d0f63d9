"""Volume executors: detaching a volume a lost node still holds."""

from __future__ import annotations

from openclaw.ops import attachments
from openclaw.ops.client import KubeClient
from openclaw.ops.executors.result import ExecResult
from openclaw.ops.refs import ObjectRef
from openclaw.policy.grant import Approval


async def detach_stale(client: KubeClient, claim: ObjectRef, *, approval: Approval) -> ExecResult:
    """Delete the VolumeAttachments of `claim`'s volume that bind it to NotReady nodes, those planned
    when it was decided only, so the attach/detach controller can attach it where its pod now runs."""
    found = await attachments.read(client, claim)
    stale = [a for a in found.stale if approval.permits("volume.detach", a.ref.key)]
    if not stale:
        raise ValueError(f"{claim}: no VolumeAttachment of volume {found.volume or '(unbound)'} on a NotReady node is left; nothing detached")
    for attachment in stale:
        await client.delete(attachment.ref, approval=approval, action="volume.detach")
    verb = "would delete" if approval.dry_run else "deleted"
    names = ", ".join(f"{a.name} (node {a.node})" for a in stale)
    return ExecResult(f"{verb} VolumeAttachment {names} of volume {found.volume} ({claim})",
                      {"volume": found.volume, "attachments": [a.name for a in stale], "nodes": [a.node for a in stale]},
                      tuple(a.ref.key for a in stale))
