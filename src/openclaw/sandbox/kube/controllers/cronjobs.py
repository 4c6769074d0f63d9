"""CronJob: creates a Job at each scheduled time (simulated clock), keeps history limits, tracks last success."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter

from openclaw.sandbox.kube import events
from openclaw.sandbox.kube.controllers.base import Controller, Key
from openclaw.sandbox.kube.controllers.jobs import finished
from openclaw.sandbox.kube.controllers.pods import owned
from openclaw.sandbox.kube.meta import controller_of, owner_ref, parse_time, timestamp
from openclaw.sandbox.kube.store import Change

SCHEDULED_AT = "batch.kubernetes.io/cronjob-scheduled-timestamp"


class CronJobs(Controller):
    name = "cronjob-controller"
    resync_kinds = ("cronjobs.batch",)

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "CronJob" and change.type != "DELETED":
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])
        elif change.rtype.kind == "Job":
            ref = controller_of(change.obj)
            if ref and ref["kind"] == "CronJob":
                yield (change.obj["metadata"]["namespace"], ref["name"])

    def next_run(self, cj: dict[str, Any]) -> datetime:
        """The next scheduled time after the last one (or after creation)."""
        tz = ZoneInfo(cj["spec"].get("timeZone") or "UTC")
        base = parse_time(cj.get("status", {}).get("lastScheduleTime")) or parse_time(cj["metadata"]["creationTimestamp"]) or self.store.clock.now()
        after: datetime = croniter(cj["spec"]["schedule"], base.astimezone(tz)).get_next(datetime)
        return after.astimezone(UTC)

    def reconcile(self, namespace: str, name: str) -> None:
        cj = self.store.find("cronjobs.batch", namespace, name)
        if cj is None or cj["metadata"].get("deletionTimestamp"):
            return
        uid = cj["metadata"]["uid"]
        jobs = sorted(owned(self.store, "jobs.batch", cj), key=lambda j: j["metadata"]["creationTimestamp"])
        now = self.store.clock.now()
        due = self.next_run(cj)
        if not cj["spec"].get("suspend") and due <= now:
            self._run(cj, due, jobs)
            return
        self._history(cj, jobs)
        if not cj["spec"].get("suspend"):
            self.rt.timers.after((due - now).total_seconds(), f"cronjob/{uid}", lambda: self.enqueue(namespace, name))
        else:
            self.rt.timers.cancel(f"cronjob/{uid}")

    def _run(self, cj: dict[str, Any], due: datetime, jobs: list[dict[str, Any]]) -> None:
        namespace, name = cj["metadata"]["namespace"], cj["metadata"]["name"]
        running = [j for j in jobs if not finished(j)]
        policy = cj["spec"].get("concurrencyPolicy", "Allow")
        stamp = timestamp(due)

        def mark(obj: dict[str, Any]) -> None:
            obj.setdefault("status", {})["lastScheduleTime"] = stamp

        if running and policy == "Forbid":
            events.record(self.store, cj, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", component="cronjob-controller")
            self.store.mutate("cronjobs.batch", namespace, name, mark)
            return
        if running and policy == "Replace":
            for job in running:
                self.store.delete("jobs.batch", namespace, job["metadata"]["name"], propagation="Background")
        template = cj["spec"]["jobTemplate"]
        job_name = f"{name}-{int(due.timestamp() // 60)}"
        if self.store.find("jobs.batch", namespace, job_name) is None:
            self.store.create(
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "metadata": {"name": job_name, "namespace": namespace, "labels": dict((template.get("metadata") or {}).get("labels") or {}), "annotations": {**((template.get("metadata") or {}).get("annotations") or {}), SCHEDULED_AT: stamp}, "ownerReferences": [owner_ref(cj)]},
                    "spec": template.get("spec", {}),
                }
            )
            events.record(self.store, cj, "SuccessfulCreate", f"Created job {job_name}", component="cronjob-controller")
        self.store.mutate("cronjobs.batch", namespace, name, mark)

    def _history(self, cj: dict[str, Any], jobs: list[dict[str, Any]]) -> None:
        namespace, name = cj["metadata"]["namespace"], cj["metadata"]["name"]
        active = [{"apiVersion": "batch/v1", "kind": "Job", "name": j["metadata"]["name"], "namespace": namespace, "uid": j["metadata"]["uid"], "resourceVersion": j["metadata"]["resourceVersion"]} for j in jobs if not finished(j)]
        done_ok = [j for j in jobs if finished(j) == "Complete"]
        done_bad = [j for j in jobs if finished(j) == "Failed"]
        for group, limit in ((done_ok, cj["spec"].get("successfulJobsHistoryLimit", 3)), (done_bad, cj["spec"].get("failedJobsHistoryLimit", 1))):
            for job in group[: max(len(group) - int(limit), 0)]:
                self.store.delete("jobs.batch", namespace, job["metadata"]["name"], propagation="Background")
                events.record(self.store, cj, "SuccessfulDelete", f"Deleted job {job['metadata']['name']}", component="cronjob-controller")
        last_ok = max((j["status"].get("completionTime", "") for j in done_ok), default=None)

        def write(obj: dict[str, Any]) -> None:
            status = obj.setdefault("status", {})
            if active:
                status["active"] = active
            else:
                status.pop("active", None)
            if last_ok:
                status["lastSuccessfulTime"] = last_ok

        self.store.mutate("cronjobs.batch", namespace, name, write)
