"""KubeJobFailed: capture the logs, clean up the failed job, report why it failed."""

from __future__ import annotations

from openclaw.ops import reads
from openclaw.ops.refs import ObjectRef
from openclaw.policy.models import ActionKind, Outcome
from openclaw.runbooks.models import Report, Status
from openclaw.runbooks.registry import RunContext
from openclaw.runbooks.steps import from_decision, missing_labels


async def job_failed(ctx: RunContext) -> Report:
    bad = missing_labels(ctx, "namespace", "job_name")
    if bad:
        return bad
    ref = ObjectRef("Job", str(ctx.alert.label("job_name")), str(ctx.alert.label("namespace")))
    obj = await ctx.client.find(ref)
    if obj is None:
        return Report(ctx.runbook, Status.REPORTED, f"{ref} is already gone")
    job = reads.job_summary(obj)
    if not job.failed_condition:
        return Report(ctx.runbook, Status.REPORTED, f"{ref} is not failed (active {job.active}, succeeded {job.succeeded}); nothing to clean up")
    diagnosis = f"{ref} failed ({job.reason or 'no reason given'}) after {job.failed} failed pod(s)" + (f", from CronJob {job.cronjob}" if job.cronjob else "")
    decision = await ctx.submit(ActionKind.JOBS_CLEANUP, ref, diagnosis, {"state": "failed"})
    evidence = {"job": ref.key, "reason": job.reason, "cronjob": job.cronjob}
    if decision.outcome is Outcome.APPLIED:
        evidence["logs"] = decision.details.get("logs", {}).get(ref.name, {})
    report = from_decision(ctx, decision, done=f"captured the logs of {ref} and cleaned it up; {diagnosis}", diagnosis=diagnosis, evidence=evidence)
    # The job is gone but why it failed is still the operator's to know: cleaned up means reported.
    if report.status is Status.FIXED:
        report.status = Status.REPORTED
    return report
