"""KubePodCrashLooping and KubePodNotReady."""

from __future__ import annotations

from openclaw.ops import reads
from openclaw.ops.refs import ObjectRef
from openclaw.policy.models import ActionKind
from openclaw.runbooks.gone import gone_report
from openclaw.runbooks.models import Report, Status
from openclaw.runbooks.registry import RunContext
from openclaw.runbooks.storage import held_elsewhere
from openclaw.runbooks.steps import cause_of, fix_once, from_decision, missing_labels, placement, pod_evidence, pod_ref


async def crashloop(ctx: RunContext) -> Report:
    """Gather logs and events; restart only when the evidence says the failure is transient, and
    never a second time when the first restart of the workload did not hold."""
    bad = missing_labels(ctx, "namespace", "pod")
    if bad:
        return bad
    obj = await ctx.client.find(pod_ref(ctx))
    if obj is None:
        return await gone_report(ctx, pod_ref(ctx))
    pod = reads.pod_summary(obj)
    crashed = any(c.restarts and c.last_exit_code not in (None, 0) for c in pod.containers)
    if pod.ready and not pod.waiting_reasons and not crashed:
        # A crash-looping container is Ready for a moment after each start: only one that never
        # failed is taken as recovered.
        return Report(ctx.runbook, Status.REPORTED, f"pod {pod.ref} is Running and Ready; nothing to restart")
    finding, evidence = await pod_evidence(ctx, pod)
    workload = await reads.owning_workload(ctx.client, pod)
    cause = (workload or pod.ref).key
    if not finding.restart_may_help:
        return Report(ctx.runbook, Status.ESCALATED, f"{pod.ref} is crash-looping and a restart would not help ({finding.cause}); not restarted",
                      finding.explanation, evidence, cause=cause)
    if workload is not None:
        return await fix_once(ctx, ActionKind.WORKLOAD_RESTART, workload, f"pod {pod.name} crash-looping; {finding.explanation}",
                              done=f"restarted {workload}; all pods Ready again", diagnosis=finding.explanation, evidence=evidence)
    return await fix_once(ctx, ActionKind.POD_DELETE, pod.ref, f"unowned pod crash-looping; {finding.explanation}",
                          done=f"deleted {pod.ref}", diagnosis=finding.explanation, evidence=evidence)


async def not_ready(ctx: RunContext) -> Report:
    """A pod stuck on a NotReady node is deleted so its controller reschedules it, when it can run
    elsewhere (a controller, volumes that follow, a node with room); anything else is diagnosed."""
    bad = missing_labels(ctx, "namespace", "pod")
    if bad:
        return bad
    obj = await ctx.client.find(pod_ref(ctx))
    if obj is None:
        return await gone_report(ctx, pod_ref(ctx))
    pod = reads.pod_summary(obj)
    if pod.ready:
        return Report(ctx.runbook, Status.REPORTED, f"pod {pod.ref} is Ready again; nothing to do")
    cause = await cause_of(ctx, pod)
    node = reads.node_summary(await ctx.client.get(ObjectRef("Node", pod.node))) if pod.node else None
    if node is not None and not node.ready:
        where = await placement(ctx, pod)
        evidence = {"pod": pod.ref.key, "node": node.name, "placement": where.why}
        if pod.owner is not None and pod.owner[0] == "DaemonSet":
            # A DaemonSet pod belongs to its node: deleting it only recreates it in the same place.
            return Report(ctx.runbook, Status.REPORTED, f"{pod.ref} is a DaemonSet pod on NotReady node {node.name}; it recovers with the node", None, evidence, cause=cause)
        if not where.movable:
            return Report(ctx.runbook, Status.ESCALATED, f"{pod.ref} is stuck on NotReady node {node.name} and not moved: {where.why}",
                          f"pod {pod.name} cannot run elsewhere until node {node.name} is back", evidence, cause=cause)
        why = f"pod {pod.name} stuck on NotReady node {node.name}; {where.why}"
        decision = await ctx.submit(ActionKind.POD_DELETE, pod.ref, why)
        return from_decision(ctx, decision, done=f"deleted {pod.ref} off NotReady node {node.name}; it was rescheduled", diagnosis=why, evidence=evidence, cause=cause)
    held = await held_elsewhere(ctx, pod)
    if held is not None:
        return held
    finding, evidence = await pod_evidence(ctx, pod)
    place = f"on Ready node {node.name}" if node else "not scheduled to any node"
    return Report(ctx.runbook, Status.ESCALATED, f"{pod.ref} is not Ready {place} ({finding.cause}); no safe action", finding.explanation, evidence, cause=cause)


async def container_waiting(ctx: RunContext) -> Report:
    """KubeContainerWaiting: a container that never started (image, config, volume); diagnose, never act."""
    bad = missing_labels(ctx, "namespace", "pod")
    if bad:
        return bad
    obj = await ctx.client.find(pod_ref(ctx))
    if obj is None:
        return await gone_report(ctx, pod_ref(ctx))
    pod = reads.pod_summary(obj)
    held = await held_elsewhere(ctx, pod)
    if held is not None:
        return held
    finding, evidence = await pod_evidence(ctx, pod)
    reason = ctx.alert.label("reason") or ", ".join(pod.waiting_reasons) or "unknown"
    return Report(ctx.runbook, Status.ESCALATED, f"{pod.ref} container {ctx.alert.label('container') or ''} has waited over an hour ({reason}; {finding.cause}); "
                  "a restart would not change it", finding.explanation, evidence, cause=await cause_of(ctx, pod))


async def cpu_throttling(ctx: RunContext) -> Report:
    """CPUThrottlingHigh: the operator is told the container's CPU limit and requests; nothing is changed."""
    bad = missing_labels(ctx, "namespace", "pod")
    if bad:
        return bad
    obj = await ctx.client.find(pod_ref(ctx))
    if obj is None:
        return await gone_report(ctx, pod_ref(ctx))
    containers = {str(c.get("name")): c.get("resources") or {} for c in (obj.get("spec") or {}).get("containers") or []}
    name = ctx.alert.label("container") or next(iter(containers), "")
    resources = containers.get(name, {})
    summary = (f"container {name} of {pod_ref(ctx)} is CPU-throttled (limits {resources.get('limits') or 'none'}, requests {resources.get('requests') or 'none'}); "
               "raise or drop its CPU limit if it is slow; nothing changed")
    return Report(ctx.runbook, Status.REPORTED, summary, "CPU limit below the container's demand", {"pod": pod_ref(ctx).key, "resources": resources},
                  cause=await cause_of(ctx, reads.pod_summary(obj)))
