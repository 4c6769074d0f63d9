"""TargetDown: find which scrape target's pods are down and why; diagnose, never act."""

from __future__ import annotations

from openclaw.ops import reads
from openclaw.ops.refs import ObjectRef
from openclaw.runbooks.models import Report, Status
from openclaw.runbooks.registry import RunContext
from openclaw.runbooks.steps import missing_labels


async def target_down(ctx: RunContext) -> Report:
    bad = missing_labels(ctx, "namespace")
    if bad:
        return bad
    ns = str(ctx.alert.label("namespace"))
    name = ctx.alert.label("service") or ctx.alert.label("job")
    if not name:
        return Report(ctx.runbook, Status.ESCALATED, "TargetDown names no service or job label", None, {"labels": ctx.alert.labels})
    svc = await ctx.client.find(ObjectRef("Service", name, ns))
    if svc is None:
        return Report(ctx.runbook, Status.ESCALATED, f"scrape target {ns}/{name} has no Service of that name", None, {"labels": ctx.alert.labels})
    selector = dict((svc.get("spec") or {}).get("selector") or {})
    pods = await reads.list_pods(ctx.client, ns, labels=selector) if selector else []
    ready = [p for p in pods if p.ready]
    pod_lines = [f"{p.name} ready={p.ready} phase={p.phase} node={p.node}" for p in pods]
    evidence = {"service": f"{ns}/{name}", "selector": selector, "pods": pod_lines}
    if not pods:
        diagnosis = f"Service {ns}/{name} selects no pods ({selector}); the workload behind it is gone or scaled to zero"
    elif not ready:
        diagnosis = f"none of the {len(pods)} pod(s) behind {ns}/{name} is Ready: " + "; ".join(pod_lines[:5])
    else:
        diagnosis = f"{len(ready)}/{len(pods)} pod(s) behind {ns}/{name} are Ready; the metrics endpoint itself or the network path is failing"
    return Report(ctx.runbook, Status.ESCALATED, f"scrape target {ns}/{name} is down", diagnosis, evidence)
