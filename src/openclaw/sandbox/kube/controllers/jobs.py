"""Job: runs pods to completion, retries failures up to backoffLimit, reports Complete or Failed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openclaw.sandbox.kube import events
from openclaw.sandbox.kube.controllers.base import Controller, Key
from openclaw.sandbox.kube.controllers.pods import is_active, is_ready, owned_pods, pod_from_template
from openclaw.sandbox.kube.meta import controller_of, parse_time, timestamp
from openclaw.sandbox.kube.store import Change


def finished(job: dict[str, Any]) -> str | None:
    """"Complete" or "Failed" once the job has finished, else None."""
    for cond in (job.get("status") or {}).get("conditions") or []:
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            return str(cond["type"])
    return None


class Jobs(Controller):
    name = "job-controller"
    resync_kinds = ("jobs.batch",)

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "Job" and change.type != "DELETED":
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])
        elif change.rtype.kind == "Pod":
            ref = controller_of(change.obj)
            if ref and ref["kind"] == "Job":
                yield (change.obj["metadata"]["namespace"], ref["name"])

    def reconcile(self, namespace: str, name: str) -> None:
        job = self.store.find("jobs.batch", namespace, name)
        if job is None or job["metadata"].get("deletionTimestamp"):
            return
        spec = job["spec"]
        now = timestamp(self.store.clock.now())
        pods = owned_pods(self.store, job)
        succeeded = sum(1 for p in pods if p.get("status", {}).get("phase") == "Succeeded")
        failed = sum(1 for p in pods if p.get("status", {}).get("phase") == "Failed")
        failed += sum(int(cs.get("restartCount", 0)) for p in pods for cs in p.get("status", {}).get("containerStatuses") or [])
        active = [p for p in pods if is_active(p)]
        status = dict(job.get("status") or {})
        status.setdefault("startTime", now)
        done = finished(job)
        completions = int(spec.get("completions") or 1)
        backoff_limit = int(spec.get("backoffLimit", 6))
        deadline = spec.get("activeDeadlineSeconds")
        started = parse_time(status["startTime"]) or self.store.clock.now()
        overdue = deadline is not None and (self.store.clock.now() - started).total_seconds() >= int(deadline)
        if done is None and deadline is not None and not overdue:
            left = int(deadline) - (self.store.clock.now() - started).total_seconds()
            self.rt.timers.after(left, f"job/{job['metadata']['uid']}/deadline", lambda: self.enqueue(namespace, name))
        if done is None and not spec.get("suspend"):
            if succeeded < completions and overdue:
                done = "Failed"
                status["conditions"] = [
                    {"type": "FailureTarget", "status": "True", "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline", "lastProbeTime": now, "lastTransitionTime": now},
                    {"type": "Failed", "status": "True", "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline", "lastProbeTime": now, "lastTransitionTime": now},
                ]
                for pod in active:
                    self.store.delete("pods", namespace, pod["metadata"]["name"])
                events.record(self.store, job, "DeadlineExceeded", "Job was active longer than specified deadline", type_="Warning", component="job-controller")
            elif succeeded >= completions:
                done = "Complete"
                status["completionTime"] = now
                status["conditions"] = [
                    {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": now, "lastTransitionTime": now},
                    {"type": "Complete", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": now, "lastTransitionTime": now},
                ]
                events.record(self.store, job, "Completed", "Job completed", component="job-controller")
            elif failed > backoff_limit:
                done = "Failed"
                status["conditions"] = [
                    {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": now, "lastTransitionTime": now},
                    {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": now, "lastTransitionTime": now},
                ]
                for pod in active:
                    self.store.delete("pods", namespace, pod["metadata"]["name"])
                events.record(self.store, job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", type_="Warning", component="job-controller")
            else:
                parallelism = int(spec.get("parallelism") or 1)
                missing = min(parallelism, completions - succeeded) - len(active)
                if missing > 0:
                    key = f"job/{job['metadata']['uid']}/create"
                    delay = self.rt.timing.job_retry_delay * (2 ** max(failed - 1, 0)) if failed else 0.0
                    if delay and not self.rt.timers.pending(key):
                        self.rt.timers.after(delay, key, lambda: self._create(namespace, name, job["metadata"]["uid"]))
                    elif not delay:
                        self._create(namespace, name, job["metadata"]["uid"])
        active = [p for p in owned_pods(self.store, job) if is_active(p)]
        status.update(active=len(active), succeeded=succeeded, failed=failed, ready=sum(1 for p in active if is_ready(p)), terminating=0, uncountedTerminatedPods={})
        for key in ("active", "succeeded", "failed"):
            if not status[key]:
                status.pop(key)
        self.store.mutate("jobs.batch", namespace, name, lambda obj: obj.__setitem__("status", status))
        ttl = spec.get("ttlSecondsAfterFinished")
        if done and ttl is not None:
            finished_at = parse_time(status.get("completionTime")) or self.store.clock.now()
            left = int(ttl) - (self.store.clock.now() - finished_at).total_seconds()
            uid = job["metadata"]["uid"]
            self.rt.timers.after(max(left, 0.0), f"job/{uid}/ttl", lambda: self._expire(namespace, name, uid))

    def _create(self, namespace: str, name: str, uid: str) -> None:
        job = self.store.find("jobs.batch", namespace, name)
        if job is None or job["metadata"]["uid"] != uid or finished(job):
            return
        pods = owned_pods(self.store, job)
        succeeded = sum(1 for p in pods if p.get("status", {}).get("phase") == "Succeeded")
        active = [p for p in pods if is_active(p)]
        parallelism = int(job["spec"].get("parallelism") or 1)
        for _ in range(min(parallelism, int(job["spec"].get("completions") or 1) - succeeded) - len(active)):
            pod = self.store.create(pod_from_template(job, job["spec"]["template"], generate_name=f"{name}-"))
            events.record(self.store, job, "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}", component="job-controller")

    def _expire(self, namespace: str, name: str, uid: str) -> None:
        job = self.store.find("jobs.batch", namespace, name)
        if job is not None and job["metadata"]["uid"] == uid:
            self.store.delete("jobs.batch", namespace, name, propagation="Background")
