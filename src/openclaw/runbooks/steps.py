"""Shared steps: gathering a pod's evidence and turning a policy decision into a runbook report."""

from __future__ import annotations

from typing import Any

from openclaw.errors import KubeError
from openclaw.ops import reads
from openclaw.ops.refs import ObjectRef
from openclaw.policy.models import Decision, Outcome
from openclaw.runbooks.diagnosis import Finding, classify
from openclaw.runbooks.models import Report, Status
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
    evidence = {
        "pod": pod.ref.key,
        "describe": await reads.describe(ctx.client, pod.ref),
        "previousLogs": previous[-2000:] or prev_note,
        "events": [str(e) for e in events],
        "cause": str(finding.cause),
    }
    return finding, evidence


def from_decision(ctx: RunContext, decision: Decision, *, done: str, diagnosis: str | None, evidence: dict[str, Any]) -> Report:
    """The report for one submitted action: fixed when applied and verified, else escalated or reported."""
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
