"""Job cleanup: failed or finished jobs, by age or by CronJob owner, logs captured before deletion."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from openclaw.errors import KubeError
from openclaw.ops import reads
from openclaw.ops.client import KubeClient
from openclaw.ops.executors.result import ExecResult
from openclaw.ops.refs import ObjectRef
from openclaw.policy.grant import Approval

JobState = Literal["failed", "finished"]
LOG_TAIL = 40


async def select_jobs(client: KubeClient, target: ObjectRef, *, state: JobState, min_age_s: float, now: datetime | None = None) -> list[reads.JobSummary]:
    """Jobs a cleanup of `target` (a Job, a CronJob, or a Namespace) would remove."""
    ts = now or datetime.now(UTC)
    if target.kind == "Job":
        obj = await client.find(target)
        jobs = [reads.job_summary(obj)] if obj else []
    elif target.kind == "CronJob":
        jobs = [j for j in await reads.list_jobs(client, target.namespace) if j.cronjob == target.name]
    elif target.kind == "Namespace":
        jobs = await reads.list_jobs(client, target.name)
    else:
        raise ValueError(f"cleanup_jobs: target must be a Job, CronJob or Namespace, got {target.kind}")

    def wanted(j: reads.JobSummary) -> bool:
        done = j.failed_condition if state == "failed" else j.finished
        # With no age asked for, the cluster's clock is not compared with ours at all (they may be skewed).
        old_enough = min_age_s <= 0 or j.finished_at is None or (ts - j.finished_at).total_seconds() >= min_age_s
        return done and old_enough

    return [j for j in jobs if wanted(j)]


async def capture_job_logs(client: KubeClient, job: reads.JobSummary) -> dict[str, str]:
    """The last lines of every pod of a job, keyed by pod name (the record outlives the job)."""
    out: dict[str, str] = {}
    for pod in await reads.job_pods(client, job):
        try:
            out[pod.name] = await reads.pod_logs(client, pod.ref, tail_lines=LOG_TAIL)
        except KubeError as exc:
            out[pod.name] = f"(logs unavailable: {exc})"
    return out


async def suspend_cronjob(client: KubeClient, cronjob: ObjectRef, *, approval: Approval) -> ExecResult:
    """`spec.suspend: true`: no new Jobs start; the ones running finish. Undone by setting it back."""
    if cronjob.kind != "CronJob":
        raise ValueError(f"suspend_cronjob: {cronjob} is not a CronJob")
    await client.patch(cronjob, {"spec": {"suspend": True}}, approval=approval, action="cronjob.suspend")
    verb = "would suspend" if approval.dry_run else "suspended"
    return ExecResult(f"{verb} {cronjob} (spec.suspend=true; false resumes it)", {"suspend": True}, (cronjob.key,))


async def cleanup_jobs(
    client: KubeClient, target: ObjectRef, *, approval: Approval, state: JobState = "failed", min_age_s: float = 0.0, now: datetime | None = None
) -> ExecResult:
    """Delete the failed (or all finished) jobs under `target`, capturing each one's logs first."""
    selected = await select_jobs(client, target, state=state, min_age_s=min_age_s, now=now)
    # Only the jobs planned when it was decided: one that failed since waits for the next cleanup.
    jobs = [j for j in selected if approval.permits("jobs.cleanup", j.ref.key)]
    if target.kind == "Job" and not jobs:
        raise ValueError(f"{target} is gone or not {state}" + (f" for {min_age_s:g}s" if min_age_s > 0 else "") + "; nothing cleaned up")
    logs: dict[str, dict[str, str]] = {}
    for job in jobs:
        logs[job.name] = await capture_job_logs(client, job)
        await client.delete(job.ref, approval=approval, action="jobs.cleanup")
    verb = "would delete" if approval.dry_run else "deleted"
    names = [j.name for j in jobs]
    return ExecResult(
        f"{verb} {len(jobs)} {state} job(s) under {target}" + (f": {', '.join(names)}" if names else ""),
        {"jobs": names, "logs": logs, "reasons": {j.name: j.reason for j in jobs}},
        tuple(j.ref.key for j in jobs),
    )
