"""A runbook's target that is gone (a pod its controller already replaced) is an outcome, not a failure.

Between the alert and the runbook's reads the object can disappear: a deleted pod, a pod the
ReplicaSet swapped for a new one. A NotFound from the API for the alert's own target then says
"nothing left to do here", and the incident gets a note naming the replacement; a NotFound for any
other object (its node, its owner while the pod still exists) stays a failure that a person sees.
"""

from __future__ import annotations

from openclaw.ops import reads
from openclaw.ops.client import KubeRequestError
from openclaw.ops.refs import ObjectRef
from openclaw.runbooks.models import Report, Status
from openclaw.runbooks.registry import RunContext


def alert_target(ctx: RunContext) -> ObjectRef | None:
    """The object the alert is about, when its labels name a pod."""
    pod, namespace = ctx.alert.label("pod"), ctx.alert.label("namespace")
    return ObjectRef("Pod", pod, namespace) if pod and namespace else None


def replica_prefix(pod_name: str) -> str:
    """`sonarr-7d9f5c-abcde` -> `sonarr-7d9f5c-`: a ReplicaSet's pods share its name and a random suffix."""
    head, sep, _ = pod_name.rpartition("-")
    return f"{head}{sep}" if head else pod_name


async def replacements(ctx: RunContext, gone: ObjectRef) -> list[reads.PodSummary]:
    pods = await reads.list_pods(ctx.client, gone.namespace)
    prefix = replica_prefix(gone.name)
    return [p for p in pods if p.name != gone.name and p.name.startswith(prefix) and not p.deleting]


async def gone_report(ctx: RunContext, target: ObjectRef) -> Report:
    """The note for a target that no longer exists: what replaced it, or that nothing is left to do."""
    try:
        found = await replacements(ctx, target)
    except KubeRequestError:  # the note is still true without the replacement's name
        found = []
    evidence = {"target": target.key, "replacedBy": [p.name for p in found]}
    what = f"{target.kind.lower()} {target.namespace}/{target.name}" if target.namespace else f"{target.kind.lower()} {target.name}"
    if found:
        names = ", ".join(f"{p.name} ({'Ready' if p.ready else p.phase})" for p in found)
        return Report(ctx.runbook, Status.NOTED, f"{what} is gone, replaced by {names}; nothing to do", None, evidence)
    return Report(ctx.runbook, Status.NOTED, f"{what} is gone; nothing to do", None, evidence)


async def outcome_of_not_found(ctx: RunContext, exc: Exception) -> Report | None:
    """A NOTED report when `exc` is a NotFound and the alert's target is indeed gone; else None (a failure)."""
    if not isinstance(exc, KubeRequestError) or not exc.not_found:
        return None
    target = alert_target(ctx)
    if target is None:
        return None
    try:
        still_there = await ctx.client.find(target)
    except KubeRequestError:
        return None
    return None if still_there is not None else await gone_report(ctx, target)
