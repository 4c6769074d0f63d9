"""Pod executors."""

from __future__ import annotations

from openclaw.ops.client import KubeClient
from openclaw.ops.executors.result import ExecResult
from openclaw.ops.refs import ObjectRef
from openclaw.policy.grant import Approval


async def delete_pod(client: KubeClient, pod: ObjectRef, *, approval: Approval) -> ExecResult:
    """Delete one pod so its controller replaces it (rescheduling it off a bad node)."""
    before = await client.get(pod)
    uid = (before.get("metadata") or {}).get("uid")
    await client.delete(pod, approval=approval, action="pod.delete")
    verb = "would delete" if approval.dry_run else "deleted"
    return ExecResult(f"{verb} pod {pod}", {"uid": uid, "node": (before.get("spec") or {}).get("nodeName")}, (pod.key,))
