"""KubeDeploymentReplicasMismatch and KubeStatefulSetReplicasMismatch.

The target comes from the `deployment` / `statefulset` label. The `pod` label on these alerts is
kube-state-metrics' own pod, never the workload's, so it is never used.
"""

from __future__ import annotations

from typing import Any

from openclaw.ops import reads
from openclaw.ops.refs import ObjectRef
from openclaw.policy.models import ActionKind, Outcome
from openclaw.runbooks.diagnosis import TRANSIENT_PATTERNS
from openclaw.runbooks.models import Report, Status
from openclaw.runbooks.registry import RunContext
from openclaw.runbooks.placement import requests_of
from openclaw.runbooks.storage import held_elsewhere
from openclaw.runbooks.steps import fix_once, from_decision, missing_labels, placement, pod_evidence

LABEL_FOR = {"KubeDeploymentReplicasMismatch": ("deployment", "Deployment"), "KubeStatefulSetReplicasMismatch": ("statefulset", "StatefulSet")}


async def replicas_mismatch(ctx: RunContext) -> Report:
    label, kind = LABEL_FOR[ctx.alert.alertname]
    bad = missing_labels(ctx, "namespace", label)
    if bad:
        return bad
    ref = ObjectRef(kind, str(ctx.alert.label(label)), str(ctx.alert.label("namespace")))  # type: ignore[arg-type]  # kind from LABEL_FOR
    if await ctx.client.find(ref) is None:
        return Report(ctx.runbook, Status.REPORTED, f"{ref} no longer exists")
    status = await reads.get_workload(ctx.client, ref)
    if status.healthy:
        return Report(ctx.runbook, Status.REPORTED, f"{ref} has {status.ready}/{status.desired} ready again; nothing to do")
    pods = [p for p in await reads.workload_pods(ctx.client, status) if not p.ready and not p.deleting]
    nodes = {n.name: n for n in await reads.list_nodes(ctx.client)}
    stranded = [p for p in pods if p.node and p.node in nodes and not nodes[p.node].ready]
    evidence = {"workload": ref.key, "ready": status.ready, "desired": status.desired, "notReadyPods": [f"{p.name} on {p.node} ({p.phase})" for p in pods]}
    if stranded:
        return await _move_stranded(ctx, ref, stranded, evidence)
    crashing = [p for p in pods if "CrashLoopBackOff" in p.waiting_reasons or (p.restarts and p.node)]
    if crashing:
        finding, pod_ev = await pod_evidence(ctx, crashing[0])
        evidence.update(pod_ev)
        if not finding.restart_may_help:
            return Report(ctx.runbook, Status.ESCALATED, f"{ref} pods crash ({finding.cause}); a restart would not help", finding.explanation, evidence, cause=ref.key)
        return await fix_once(ctx, ActionKind.WORKLOAD_RESTART, ref, f"{ref} short of replicas, pods crash-looping; {finding.explanation}",
                              done=f"restarted {ref}; replicas match again", diagnosis=finding.explanation, evidence=evidence)
    unready = [p for p in pods if p.phase == "Running" and p.node]
    if unready:
        events = await reads.events_for(ctx.client, unready[0].ref)
        probe = [e for e in events if e.reason == "Unhealthy"]
        evidence["events"] = [str(e) for e in events]
        # Running, not crashing, on a healthy node, yet not Ready: a stuck process. A restart is the
        # usual remedy unless the probe's own message points elsewhere.
        if not probe or TRANSIENT_PATTERNS.search(probe[-1].message):
            detail = f"fails its readiness probe ({probe[-1].message[:120]})" if probe else "runs but has not become Ready"
            why = f"{ref} short of replicas; {unready[0].name} {detail}"
            return await fix_once(ctx, ActionKind.WORKLOAD_RESTART, ref, why, done=f"restarted {ref}; replicas match again", diagnosis=why, evidence=evidence)
    pending = [p for p in pods if not p.node]
    if pending:
        finding, pod_ev = await pod_evidence(ctx, pending[0])
        evidence.update(pod_ev)
        return Report(ctx.runbook, Status.ESCALATED, f"{len(pending)} pod(s) of {ref} cannot be scheduled ({finding.cause})", finding.explanation, evidence, cause=ref.key)
    waiting = [p for p in pods if p.waiting_reasons]
    for pod in waiting:
        held = await held_elsewhere(ctx, pod)
        if held is not None:
            return held
    if waiting:
        finding, pod_ev = await pod_evidence(ctx, waiting[0])
        evidence.update(pod_ev)
        return Report(ctx.runbook, Status.ESCALATED, f"{ref} pods cannot start ({finding.cause}); a restart would not help", finding.explanation, evidence, cause=ref.key)
    return Report(ctx.runbook, Status.ESCALATED, f"{ref} has {status.ready}/{status.desired} ready and no cause a runbook can fix", None, evidence, cause=ref.key)


async def _move_stranded(ctx: RunContext, ref: ObjectRef, stranded: list[reads.PodSummary], evidence: dict[str, Any]) -> Report:
    """Delete the stranded pods that can run elsewhere, one by one while each move verifies; the
    room each replacement takes is reserved, so ten pods never land on space for one."""
    reserved: dict[str, dict[str, float]] = {}
    kept: list[str] = []
    last = None
    for pod in stranded:
        where = await placement(ctx, pod, reserved)
        if not where.movable or where.node is None:
            kept.append(f"{pod.name}: {where.why}")
            continue
        need = requests_of(await ctx.client.get(pod.ref))
        slot = reserved.setdefault(where.node, {"cpu": 0.0, "memory": 0.0})
        for key, value in need.items():
            slot[key] += value
        last = await ctx.submit(ActionKind.POD_DELETE, pod.ref, f"{ref} short of replicas; pod {pod.name} stuck on NotReady node {pod.node}; {where.why}")
        if last.outcome is not Outcome.APPLIED or not last.verified:
            break
    evidence["notMoved"] = kept
    why = f"{len(stranded)} pod(s) of {ref} stuck on NotReady node(s)"
    if last is None:
        return Report(ctx.runbook, Status.ESCALATED, f"{why}; none moved: " + "; ".join(kept), why, evidence, ctx.decisions, cause=ref.key)
    report = from_decision(ctx, last, done=f"rescheduled {len(stranded) - len(kept)} pod(s) of {ref} off NotReady nodes", diagnosis=why, evidence=evidence, cause=ref.key)
    if kept and report.status is Status.FIXED:
        report.status = Status.ESCALATED
        report.summary += "; not moved: " + "; ".join(kept)
    return report


ROLLOUT_LABELS = {"KubeDeploymentRolloutStuck": ("deployment", "Deployment"), "KubeDaemonSetRolloutStuck": ("daemonset", "DaemonSet"),
                  "KubeDaemonSetNotScheduled": ("daemonset", "DaemonSet")}


async def rollout_stuck(ctx: RunContext) -> Report:
    """A rollout that makes no progress: why its new pods do not come up; never rolled back by itself
    (the previous template is the operator's or GitOps' to restore)."""
    label, kind = ROLLOUT_LABELS[ctx.alert.alertname]
    bad = missing_labels(ctx, "namespace", label)
    if bad:
        return bad
    ref = ObjectRef(kind, str(ctx.alert.label(label)), str(ctx.alert.label("namespace")))  # type: ignore[arg-type]  # kind from ROLLOUT_LABELS
    if await ctx.client.find(ref) is None:
        return Report(ctx.runbook, Status.REPORTED, f"{ref} no longer exists")
    status = await reads.get_workload(ctx.client, ref)
    pods = [p for p in await reads.workload_pods(ctx.client, status) if not p.ready and not p.deleting]
    evidence: dict[str, Any] = {"workload": ref.key, "ready": status.ready, "desired": status.desired, "updated": status.updated,
                                "notReadyPods": [f"{p.name} on {p.node} ({p.phase}, {', '.join(p.waiting_reasons) or 'no waiting reason'})" for p in pods]}
    if not pods:
        return Report(ctx.runbook, Status.ESCALATED, f"{ref} rollout is stuck ({status.ready}/{status.desired} ready) with no failing pod to read",
                      None, evidence, cause=ref.key)
    finding, pod_ev = await pod_evidence(ctx, pods[0])
    evidence.update(pod_ev)
    return Report(ctx.runbook, Status.ESCALATED, f"{ref} rollout is stuck: {pods[0].name} cannot become ready ({finding.cause}); "
                  "roll back or fix the template", finding.explanation, evidence, cause=ref.key)
