"""Mutating tools: each builds an `ActionRequest` and hands it to `policy.submit()`, the only door to
a change. The policy's decision comes back to the model as the tool result: `refused` and
`approval_required` carry the reason and the setting that decided."""

from __future__ import annotations

from typing import Any, Literal

from openclaw.agent.capabilities import CapabilityMissing, policy_of
from openclaw.agent.results import ToolResult, ToolStatus
from openclaw.agent.tools import ToolContext
from openclaw.ops.refs import ObjectRef
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Decision, Outcome

WorkloadKind = Literal["Deployment", "StatefulSet", "DaemonSet"]
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]

_STATUS: dict[Outcome, ToolStatus] = {
    Outcome.APPLIED: "success",
    Outcome.DRY_RUN: "success",
    Outcome.OBSERVED: "success",
    Outcome.PROPOSED: "success",
    Outcome.PENDING: "approval_required",
    Outcome.REFUSED: "refused",
    Outcome.DENIED: "refused",
    Outcome.EXPIRED: "refused",
    Outcome.FAILED: "error",
}


def decision_result(decision: Decision) -> ToolResult:
    """The tool result for a policy decision: what was decided, why, and which setting decided."""
    data: dict[str, Any] = {
        "actionId": decision.action_id,
        "action": str(decision.request.kind),
        "target": decision.request.target.key,
        "outcome": str(decision.outcome),
        "reason": decision.reason,
        "setting": decision.setting,
        "mode": decision.mode,
    }
    if decision.result:
        data["result"] = decision.result
    if decision.verification:
        data["verification"] = decision.verification
    status = _STATUS[decision.outcome]
    error = None
    if status != "success":
        error = f"{decision.outcome}: {decision.reason}" + (f" ({decision.setting})" if decision.setting else "")
    return ToolResult(status, data, error)


async def submit(ctx: ToolContext, kind: ActionKind, target: ObjectRef, reason: str, params: dict[str, Any] | None = None) -> ToolResult:
    try:
        engine = policy_of(ctx.capabilities)
    except CapabilityMissing as exc:
        return ToolResult.fail(str(exc))
    request = ActionRequest(kind=kind, target=target, actor=Actor.agent(actor_id(ctx.session_key)), reason=reason or "requested by the agent",
                            params=params or {}, incident=ctx.incident_id)
    return decision_result(await engine.submit(request))


def actor_id(session_key: str) -> str:
    """The audit actor id of a session: `main` for the main session, else the key (`incident:inc-7`, `hook:...`, `cron:...`)."""
    return session_key.removeprefix("agent:main:")


def _ref(kind: str, name: str, namespace: str | None) -> ObjectRef | ToolResult:
    try:
        return ObjectRef(kind, name, namespace)  # type: ignore[arg-type]  # kind is a Literal from the tool's schema
    except ValueError as exc:
        return ToolResult.fail(str(exc))


async def restart_workload(ctx: ToolContext, namespace: str, name: str, reason: str, kind: WorkloadKind = "Deployment") -> ToolResult:
    """Rolling-restart a workload (new pods replace the old ones). Use when every replica is wedged.

    Args:
      namespace: the workload's namespace.
      name: the workload's name.
      reason: why, in one sentence; recorded in the audit log.
      kind: Deployment, StatefulSet or DaemonSet.
    """
    ref = _ref(kind, name, namespace)
    return ref if isinstance(ref, ToolResult) else await submit(ctx, ActionKind.WORKLOAD_RESTART, ref, reason)


async def delete_pod(ctx: ToolContext, namespace: str, name: str, reason: str) -> ToolResult:
    """Delete one pod so its controller replaces it. Use for a single wedged pod.

    Args:
      namespace: the pod's namespace.
      name: the pod's name.
      reason: why, in one sentence; recorded in the audit log.
    """
    ref = _ref("Pod", name, namespace)
    return ref if isinstance(ref, ToolResult) else await submit(ctx, ActionKind.POD_DELETE, ref, reason)


async def cleanup_jobs(ctx: ToolContext, namespace: str, reason: str, state: Literal["failed", "finished"] = "failed",
                       min_age_seconds: int = 3600) -> ToolResult:
    """Delete finished or failed jobs (and their pods) in a namespace.

    Args:
      namespace: the namespace to clean.
      reason: why, in one sentence; recorded in the audit log.
      state: failed jobs only, or every finished job.
      min_age_seconds: only jobs that finished at least this long ago.
    """
    ref = _ref("Namespace", namespace, None)
    if isinstance(ref, ToolResult):
        return ref
    return await submit(ctx, ActionKind.JOBS_CLEANUP, ref, reason, {"state": state, "minAgeSeconds": max(0, min_age_seconds)})


async def cordon_node(ctx: ToolContext, name: str, reason: str) -> ToolResult:
    """Mark a node unschedulable (running pods stay). Use for a node that is failing.

    Args:
      name: the node's name.
      reason: why, in one sentence; recorded in the audit log.
    """
    ref = _ref("Node", name, None)
    return ref if isinstance(ref, ToolResult) else await submit(ctx, ActionKind.NODE_CORDON, ref, reason)


async def uncordon_node(ctx: ToolContext, name: str, reason: str) -> ToolResult:
    """Make a cordoned node schedulable again.

    Args:
      name: the node's name.
      reason: why, in one sentence; recorded in the audit log.
    """
    ref = _ref("Node", name, None)
    return ref if isinstance(ref, ToolResult) else await submit(ctx, ActionKind.NODE_UNCORDON, ref, reason)


async def scale_workload(ctx: ToolContext, namespace: str, name: str, replicas: int, reason: str, kind: Literal["Deployment", "StatefulSet"] = "Deployment") -> ToolResult:
    """Set a workload's replica count. On a GitOps-managed workload this becomes a proposal for git, not a change.

    Args:
      namespace: the workload's namespace.
      name: the workload's name.
      replicas: the new replica count (0 or more).
      reason: why, in one sentence; recorded in the audit log.
      kind: Deployment or StatefulSet.
    """
    if replicas < 0:
        return ToolResult.fail("replicas: expected 0 or more")
    ref = _ref(kind, name, namespace)
    return ref if isinstance(ref, ToolResult) else await submit(ctx, ActionKind.WORKLOAD_SCALE, ref, reason, {"replicas": replicas})


async def drain_node(ctx: ToolContext, name: str, reason: str) -> ToolResult:
    """Cordon a node and evict its pods (pods in protected namespaces stay). Only for a node that must go down.

    Args:
      name: the node's name.
      reason: why, in one sentence; recorded in the audit log.
    """
    ref = _ref("Node", name, None)
    return ref if isinstance(ref, ToolResult) else await submit(ctx, ActionKind.NODE_DRAIN, ref, reason)


async def label_node(ctx: ToolContext, name: str, reason: str, labels: dict[str, str] | None = None, remove: list[str] | None = None) -> ToolResult:
    """Set or remove labels on a node (e.g. to steer scheduling away from it).

    Args:
      name: the node's name.
      reason: why, in one sentence; recorded in the audit log.
      labels: labels to set, label -> value.
      remove: label keys to remove.
    """
    changes: dict[str, str | None] = {**(labels or {}), **{key: None for key in remove or []}}
    if not changes:
        return ToolResult.fail("labels / remove: expected at least one label to set or remove")
    ref = _ref("Node", name, None)
    return ref if isinstance(ref, ToolResult) else await submit(ctx, ActionKind.NODE_LABEL, ref, reason, {"labels": changes})


async def taint_node(ctx: ToolContext, name: str, key: str, effect: TaintEffect, reason: str, value: str = "") -> ToolResult:
    """Add a taint to a node so new pods without a matching toleration stay off it (NoExecute also evicts).

    Args:
      name: the node's name.
      key: the taint's key, e.g. openclaw.io/maintenance.
      effect: NoSchedule, PreferNoSchedule or NoExecute.
      reason: why, in one sentence; recorded in the audit log.
      value: the taint's value (optional).
    """
    if not key:
        return ToolResult.fail("key: expected a taint key such as openclaw.io/maintenance")
    taint = {"key": key, "effect": effect, **({"value": value} if value else {})}
    ref = _ref("Node", name, None)
    return ref if isinstance(ref, ToolResult) else await submit(ctx, ActionKind.NODE_TAINT, ref, reason, {"add": [taint]})


async def untaint_node(ctx: ToolContext, name: str, key: str, reason: str) -> ToolResult:
    """Remove a node's taints with this key.

    Args:
      name: the node's name.
      key: the key of the taint(s) to remove.
      reason: why, in one sentence; recorded in the audit log.
    """
    if not key:
        return ToolResult.fail("key: expected the key of a taint on the node")
    ref = _ref("Node", name, None)
    return ref if isinstance(ref, ToolResult) else await submit(ctx, ActionKind.NODE_TAINT, ref, reason, {"remove": [key]})
