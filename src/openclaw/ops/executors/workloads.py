"""Workload executors: rollout restart and scale."""

from __future__ import annotations

from datetime import UTC, datetime

from openclaw.ops.client import KubeClient
from openclaw.ops.executors.result import ExecResult
from openclaw.ops.refs import WORKLOAD_KINDS, ObjectRef
from openclaw.policy.grant import Approval

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


async def restart_workload(client: KubeClient, workload: ObjectRef, *, approval: Approval, now: datetime | None = None) -> ExecResult:
    """Roll every pod of a Deployment/StatefulSet/DaemonSet, as `kubectl rollout restart` does:
    a new `kubectl.kubernetes.io/restartedAt` annotation on the pod template."""
    if workload.kind not in WORKLOAD_KINDS:
        raise ValueError(f"restart_workload: {workload.kind} is not one of {', '.join(WORKLOAD_KINDS)}")
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
    obj = await client.patch(workload, patch, approval=approval, action="workload.restart", patch_type="strategic")
    verb = "would restart" if approval.dry_run else "restarted"
    generation = (obj.get("metadata") or {}).get("generation")
    return ExecResult(f"{verb} {workload} ({RESTARTED_AT}={stamp})", {"restartedAt": stamp, "generation": generation}, (workload.key,))


async def scale_workload(client: KubeClient, workload: ObjectRef, replicas: int, *, approval: Approval) -> ExecResult:
    """Set `spec.replicas` of a Deployment or StatefulSet."""
    if workload.kind not in ("Deployment", "StatefulSet"):
        raise ValueError(f"scale_workload: {workload.kind} cannot be scaled")
    if replicas < 0:
        raise ValueError(f"scale_workload: replicas must be >= 0, got {replicas}")
    await client.patch(workload, {"spec": {"replicas": replicas}}, approval=approval, action="workload.scale")
    verb = "would scale" if approval.dry_run else "scaled"
    return ExecResult(f"{verb} {workload} to {replicas} replicas", {"replicas": replicas}, (workload.key,))
