"""KubeJobFailed: capture the logs, clean up the failed job, report why it failed.

A CronJob whose Jobs keep failing is noticed: the same CronJob failing `ops.recurrenceCount` times
within `ops.recurrenceWindow` is suspended (through policy, so only where it allows) and escalated,
since another cleanup would only make room for the next failure.
"""

from __future__ import annotations

from openclaw.errors import KubeError
from openclaw.ops import reads
from openclaw.ops.refs import ObjectRef
from openclaw.policy.models import ActionKind, Outcome
from openclaw.runbooks.diagnosis import Cause, from_logs
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
        # Its CronJob's failedJobsHistoryLimit may have removed it: the failure still counts.
        owner = await _cronjob_of_run(ctx, ref)
        report = Report(ctx.runbook, Status.REPORTED, f"{ref} is already gone" + (f" (removed by {owner}'s history limit)" if owner else ""),
                        cause=owner.key if owner else ref.key, failure=owner is not None)
        if owner is not None and len(await ctx.memory.recurrences(owner.key)) + 1 >= ctx.memory.recurrence_count:
            return await _suspend_once(ctx, owner, report, len(await ctx.memory.recurrences(owner.key)) + 1)
        return report
    job = reads.job_summary(obj)
    if not job.failed_condition:
        return Report(ctx.runbook, Status.REPORTED, f"{ref} is not failed (active {job.active}, succeeded {job.succeeded}); nothing to clean up")
    cronjob = ObjectRef("CronJob", job.cronjob, ref.namespace) if job.cronjob else None
    cause = (cronjob or ref).key
    earlier = await ctx.memory.recurrences(cause) if cronjob else []
    diagnosis = f"{ref} failed ({job.reason or 'no reason given'}) after {job.failed} failed pod(s)" + (f", from CronJob {job.cronjob}" if job.cronjob else "")
    decision = await ctx.submit(ActionKind.JOBS_CLEANUP, ref, diagnosis, {"state": "failed"})
    evidence: dict[str, object] = {"job": ref.key, "reason": job.reason, "cronjob": job.cronjob}
    if decision.outcome is Outcome.APPLIED:
        logs = decision.details.get("logs", {}).get(ref.name, {})
        evidence["logs"] = logs
        finding = from_logs("\n".join(str(v) for v in logs.values()) if isinstance(logs, dict) else str(logs))
        if finding.cause is not Cause.UNKNOWN:
            diagnosis += f"; {finding.explanation}"
    report = from_decision(ctx, decision, done=f"captured the logs of {ref} and cleaned it up; {diagnosis}", diagnosis=diagnosis, evidence=evidence, cause=cause)
    # The job is gone but why it failed is still the operator's to know: cleaned up means reported.
    if report.status is Status.FIXED:
        report.status = Status.REPORTED
    report.failure = cronjob is not None
    if cronjob is not None and len(earlier) + 1 >= ctx.memory.recurrence_count:
        return await _suspend_once(ctx, cronjob, report, len(earlier) + 1)
    return report


async def _cronjob_of_run(ctx: RunContext, job: ObjectRef) -> ObjectRef | None:
    """The CronJob whose run `job` was, by the `<cronjob>-<scheduled minute>` name the controller gives."""
    for cron in await ctx.client.list("CronJob", job.namespace):
        name = str((cron.get("metadata") or {}).get("name"))
        suffix = job.name.removeprefix(name + "-")
        if suffix != job.name and suffix.isdigit():
            return ObjectRef("CronJob", name, job.namespace)
    return None


async def _suspend_once(ctx: RunContext, cronjob: ObjectRef, report: Report, failures: int) -> Report:
    cron = await ctx.client.find(cronjob)
    if cron is not None and (cron.get("spec") or {}).get("suspend") is True:
        report.summary += f"; {cronjob} is already suspended (a Job it started before that failed too)"
        return report
    return await _suspend_recurring(ctx, cronjob, report, failures)


async def _suspend_recurring(ctx: RunContext, cronjob: ObjectRef, report: Report, failures: int) -> Report:
    window_h = ctx.memory.settings().recurrence_window / 3600
    why = f"{cronjob} failed {failures} times within {window_h:g}h ({report.diagnosis})"
    report.evidence["failures"] = failures
    suspend = await ctx.submit(ActionKind.CRONJOB_SUSPEND, cronjob, f"{why}; suspended so it stops failing until a person fixes the cause")
    if suspend.outcome is Outcome.APPLIED and suspend.verified:
        summary = f"{why}: suspended {cronjob}; fix the cause, then resume it (spec.suspend=false)"
    else:
        summary = f"{why}; suspending it was not done ({suspend.outcome}: {suspend.result or suspend.reason})"
    return Report(ctx.runbook, Status.ESCALATED, summary, report.diagnosis, report.evidence, ctx.decisions, cause=cronjob.key)


async def job_not_completed(ctx: RunContext) -> Report:
    """KubeJobNotCompleted: a Job running for over 12 hours; its pods' last lines go to the operator."""
    bad = missing_labels(ctx, "namespace", "job_name")
    if bad:
        return bad
    ref = ObjectRef("Job", str(ctx.alert.label("job_name")), str(ctx.alert.label("namespace")))
    obj = await ctx.client.find(ref)
    if obj is None:
        return Report(ctx.runbook, Status.REPORTED, f"{ref} is already gone")
    job = reads.job_summary(obj)
    logs = {}
    for pod in await reads.job_pods(ctx.client, job):
        try:
            logs[pod.name] = (await reads.pod_logs(ctx.client, pod.ref, tail_lines=20))[-1500:]
        except KubeError as exc:
            logs[pod.name] = f"(logs unavailable: {exc})"
    cause = f"CronJob/{ref.namespace}/{job.cronjob}" if job.cronjob else ref.key
    return Report(ctx.runbook, Status.ESCALATED, f"{ref} has run for over 12 hours ({job.active} active pod(s)); it hangs or is far too slow: "
                  "a person decides whether to stop it", None, {"job": ref.key, "logs": logs, "cronjob": job.cronjob}, cause=cause)
