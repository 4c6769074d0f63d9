"""Shared steps: gathering a pod's evidence and turning a policy decision into a runbook report."""

from __future__ import annotations

from typing import Any

from openclaw.errors import KubeError
from openclaw.ops import reads
from openclaw.ops.refs import ObjectRef, meta
from openclaw.policy.models import ActionKind, Decision, Outcome
from openclaw.runbooks.diagnosis import Finding, classify
from openclaw.runbooks.models import Report, Status
from openclaw.runbooks.placement import Placement, place
from openclaw.runbooks.registry import RunContext

LOG_LINES = 20


async def pod_evidence(ctx: RunContext, pod: reads.PodSummary) -> tuple[Finding, dict[str, Any]]:
    """Previous-container logs, recent events and the compact describe, plus what they point to."""
    container = next((c.name for c in pod.containers if c.restarts or c.waiting_reason), None)
    try:
        previous = await reads.pod_logs(ctx.client, pod.ref, container=container, previous=True, tail_lines=LOG_LINES)
    except KubeError as exc:
        previous = ""
        prev_note = f"(previous logs unavailable: {exc})"
    else:
        prev_note = ""
    events = await reads.events_for(ctx.client, pod.ref)
    finding = classify(pod, previous, events)
    try:
        described = await reads.describe(ctx.client, pod.ref)
    except KubeError as exc:  # the pod went away while it was read (its controller replaced it)
        described = f"(describe unavailable: {exc})"
    evidence = {
        "pod": pod.ref.key,
        "describe": described,
        "previousLogs": previous[-2000:] or prev_note,
        "events": [str(e) for e in events],
        "cause": str(finding.cause),
    }
    return finding, evidence


def from_decision(ctx: RunContext, decision: Decision, *, done: str, diagnosis: str | None, evidence: dict[str, Any], cause: str | None = None) -> Report:
    """The report for one submitted action: fixed when applied and verified, else escalated or reported."""
    report = _from_decision(ctx, decision, done=done, diagnosis=diagnosis, evidence=evidence)
    report.cause = cause or decision.request.target.key
    return report


async def fix_once(ctx: RunContext, kind: ActionKind, target: ObjectRef, why: str, *, done: str, diagnosis: str | None, evidence: dict[str, Any]) -> Report:
    """Submit a fix unless the same fix of the same object already ran within `ops.fixMemoryWindow`:
    the failure is back, so that fix did not hold, and repeating it would only loop."""
    earlier = ctx.memory.earlier_fix(kind, target)
    if earlier is not None:
        ago = max(0.0, ctx.policy.now() - earlier.created_at)
        evidence = {**evidence, "earlierFix": {"action": earlier.id, "incident": earlier.incident, "actor": earlier.actor,
                                               "verification": earlier.verification, "secondsAgo": round(ago)}}
        held = "passed verification" if earlier.verification == "passed" else f"verification {earlier.verification or 'not recorded'}"
        summary = (f"{kind} of {target} already ran {ago / 60:.0f} min ago ({earlier.id}, {held}) and the failure is back: "
                   "it did not hold, so it is not repeated")
        return Report(ctx.runbook, Status.ESCALATED, summary, diagnosis, evidence, ctx.decisions, cause=target.key)
    decision = await ctx.submit(kind, target, why)
    return from_decision(ctx, decision, done=done, diagnosis=diagnosis, evidence=evidence)


async def cause_of(ctx: RunContext, pod: reads.PodSummary) -> str:
    """What a pod's failure is about: its workload when it has one (alerts of one workload share it)."""
    workload = await reads.owning_workload(ctx.client, pod)
    return (workload or pod.ref).key


async def placement(ctx: RunContext, pod: reads.PodSummary, reserved: dict[str, dict[str, float]] | None = None) -> Placement:
    """Whether `pod` can be moved off its node (see `placement.place`), read from the cluster now."""
    obj = await ctx.client.get(pod.ref)
    owner = pod.owner[0] if pod.owner else None
    claims = {str(meta(c).get("name")): c for c in await ctx.client.list("PersistentVolumeClaim", pod.namespace)}
    try:
        volumes = {str(meta(v).get("name")): v for v in await ctx.client.list("PersistentVolume")}
    except KubeError:  # no right to read PVs: claims alone still say what cannot follow
        volumes = {}
    return place(obj, owner, await ctx.client.list("Node"), await ctx.client.list("Pod"), claims=claims, volumes=volumes, reserved=reserved)


def _from_decision(ctx: RunContext, decision: Decision, *, done: str, diagnosis: str | None, evidence: dict[str, Any]) -> Report:
    out = decision.outcome
    if out is Outcome.APPLIED and decision.verified:
        return Report(ctx.runbook, Status.FIXED, done, diagnosis, evidence, ctx.decisions)
    if out is Outcome.APPLIED:
        return Report(ctx.runbook, Status.ESCALATED, f"{decision.result}, but the expected state did not follow ({decision.verification})", diagnosis, evidence, ctx.decisions)
    if out in (Outcome.DRY_RUN, Outcome.OBSERVED):
        return Report(ctx.runbook, Status.REPORTED, f"{decision.request.kind} on {decision.request.target} not applied: {decision.reason}", diagnosis, evidence, ctx.decisions)
    if out is Outcome.PENDING:
        return Report(ctx.runbook, Status.REPORTED, f"{decision.request.kind} on {decision.request.target} awaits approval ({decision.action_id})", diagnosis, evidence, ctx.decisions)
    what = {Outcome.REFUSED: "refused by policy", Outcome.PROPOSED: "proposed, not applied", Outcome.FAILED: "failed"}.get(out, str(out))
    return Report(ctx.runbook, Status.ESCALATED, f"{decision.request.kind} on {decision.request.target} {what}: {decision.result or decision.reason}", diagnosis, evidence, ctx.decisions)


def missing_labels(ctx: RunContext, *names: str) -> Report | None:
    absent = [n for n in names if not ctx.alert.label(n)]
    if not absent:
        return None
    return Report(ctx.runbook, Status.ESCALATED, f"alert {ctx.alert.alertname} lacks the label(s) {', '.join(absent)} that name its target", None, {"labels": ctx.alert.labels})


def pod_ref(ctx: RunContext) -> ObjectRef:
    return ObjectRef("Pod", str(ctx.alert.label("pod")), str(ctx.alert.label("namespace")))
