"""Alert posted -> action applied in the sandbox: figures for the "Alert to action" section of docs/BENCHMARKS.md.

Each of N KubeJobFailed alerts is posted to the gateway's AlertManager webhook (real HTTP), stored,
correlated into an incident, handed to the job-failed runbook, which reads the job, asks policy
(rules, rate counts from the audit log, facts from the cluster), captures the job's logs and
deletes it through lightkube against the embedded sandbox API server. Latency = POST sent until the
delete call returns. The sandbox API server runs in the same process, so its share (time spent in
Kubernetes API calls, measured around each client call) is reported apart: "own time" is latency
minus that share.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from openclaw.config import store as config_store
from openclaw.gateway.embedded import run_embedded
from openclaw.policy.capability import policy_of
from openclaw.runbooks.capability import runbooks_of
from openclaw.sandbox import homelab
from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.kube.store import KubeStore
from openclaw.sandbox.simclock import SimClock

from report import write_section  # bench/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Alert to action"
HOOK_TOKEN = "bench-hook-token-0123456789abcdef"
NS = "bench"


def seed(store: KubeStore) -> None:
    homelab.seed(store)
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    store.create({
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": NS},
        "spec": {"schedule": "0 4 * * *", "suspend": True, "failedJobsHistoryLimit": 100000, "successfulJobsHistoryLimit": 100000,
                 "jobTemplate": {"spec": {"backoffLimit": 0, "template": {"spec": {
                     "restartPolicy": "Never", "containers": [{"name": "task", "image": "busybox:1.37"}]}}}}},
    })  # fmt: skip


def create_jobs(store: KubeStore, jobs: int) -> None:
    """What `kubectl create job --from=cronjob/nightly` makes, `jobs` times (after the fault is in place)."""
    cj = store.get("cronjobs.batch", NS, "nightly")
    owner = {"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly", "uid": cj["metadata"]["uid"], "controller": True}
    for i in range(jobs):
        store.create({
            "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": f"nightly-{i:04d}", "namespace": NS, "ownerReferences": [owner]},
            "spec": cj["spec"]["jobTemplate"]["spec"],
        })  # fmt: skip


class ApiTimer:
    """Wall time spent inside the Kubernetes client's calls (the in-process sandbox's share)."""

    def __init__(self, client: Any) -> None:
        self.total = 0.0
        self.by_call: dict[str, float] = {}
        self.deleted: dict[str, float] = {}
        # find() goes through get(), so it is not wrapped twice
        for name in ("get", "list", "logs", "patch", "delete", "evict"):
            setattr(client, name, self._wrap(name, getattr(client, name)))

    def _wrap(self, name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                t1 = time.perf_counter()
                self.total += t1 - t0
                self.by_call[name] = self.by_call.get(name, 0.0) + (t1 - t0)
                if name == "delete":
                    self.deleted[args[0].name] = t1

        return timed


def alert_body(job: str, i: int) -> dict[str, Any]:
    labels = {"alertname": "KubeJobFailed", "namespace": NS, "job_name": job, "job": "kube-state-metrics", "severity": "warning",
              "container": "kube-state-metrics", "endpoint": "http", "service": "kube-prometheus-stack-kube-state-metrics"}  # fmt: skip
    alert = {"status": "firing", "labels": labels, "annotations": {"summary": "Job failed to complete.", "description": f"Job {NS}/{job} failed to complete."},
             "startsAt": "2026-11-24T01:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": f"{i:016x}", "generatorURL": "http://prometheus/graph"}  # fmt: skip
    return {"receiver": "openclaw", "status": "firing", "alerts": [alert], "groupLabels": {"alertname": "KubeJobFailed", "namespace": NS},
            "commonLabels": labels, "commonAnnotations": {}, "externalURL": "http://alertmanager.monitoring:9093", "version": "4",
            "groupKey": f'{{}}:{{alertname="KubeJobFailed", namespace="{NS}"}}', "truncatedAlerts": 0}  # fmt: skip


async def measure(n: int, warmup: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        os.environ["OPENCLAW_STATE_DIR"] = str(state)
        kubeconfig = state / "sandbox" / "kubeconfig"
        kubeconfig.parent.mkdir(parents=True)
        total = n + warmup
        cluster = SandboxCluster(clock=SimClock(50), seed=seed, kubeconfig=kubeconfig)
        await cluster.start()
        cluster.faults.fail_jobs(NS, "nightly", message="task failed: upstream unreachable")
        create_jobs(cluster.store, total)
        config_store.set_value(state, "hooks.token", HOOK_TOKEN)
        config_store.set_value(state, "logging.level", "warning")
        config_store.set_value(state, "ops", {
            "kube": {"kubeconfig": str(kubeconfig)}, "verifyTimeout": 1, "verifyStableFor": 0,
            "policy": {"actions": {"jobs.cleanup": {"maxPerHour": 100000}}},
        })  # fmt: skip
        try:
            give_up = time.monotonic() + 120
            while (failed := sum(1 for j in cluster.store.list("jobs.batch", NS) if any(c["type"] == "Failed" for c in j.get("status", {}).get("conditions") or []))) < total:
                if time.monotonic() > give_up:
                    raise SystemExit(f"only {failed} of {total} jobs failed in the sandbox within 120 s")
                cluster.advance(5)
                await asyncio.sleep(0.05)
            if os.environ.get("BENCH_DEBUG"):
                print("jobs failed", flush=True)
            async with run_embedded(state) as gw:
                engine = policy_of(gw.services)
                while engine.backends.kube is None:
                    await asyncio.sleep(0.01)
                timer = ApiTimer(engine.backends.kube)
                runner = runbooks_of(gw.services)
                seg_before: dict[str, float] = {}
                per_call: dict[str, list[float]] = {}
                latencies: list[float] = []
                own: list[float] = []
                async with httpx.AsyncClient(base_url=gw.http_url, headers={"Authorization": f"Bearer {HOOK_TOKEN}"}) as http:
                    for i in range(total):
                        if os.environ.get("BENCH_DEBUG") and i % 20 == 0:
                            print("alert", i, flush=True)
                        job = f"nightly-{i:04d}"
                        api_before = timer.total
                        t0 = time.perf_counter()
                        r = await http.post("/hooks/alertmanager", json=alert_body(job, i))
                        if r.status_code != 202:
                            raise SystemExit(f"webhook refused: {r.status_code} {r.text}")
                        while job not in timer.deleted:
                            if time.perf_counter() - t0 > 10:
                                raise SystemExit(f"no action for {job} within 10 s; audit: {[a.to_json() for a in engine.audit.list(limit=3)]}")
                            await asyncio.sleep(0.0005)
                        latency = timer.deleted[job] - t0
                        api = timer.total - api_before
                        if i >= warmup:
                            latencies.append(latency)
                            own.append(latency - api)
                        # let the runbook (verification included) finish before the next alert, so each is measured alone
                        await runner.idle()
                        seg = {k: v - seg_before.get(k, 0.0) for k, v in timer.by_call.items()}
                        seg_before = dict(timer.by_call)
                        if i >= warmup:
                            for k, v in seg.items():
                                per_call.setdefault(k, []).append(v)
                if os.environ.get("BENCH_DEBUG"):
                    print({k: round(statistics.median(v) * 1000, 1) for k, v in per_call.items()})
                return latencies, own
        finally:
            await cluster.stop()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="print the figures only")
    args = parser.parse_args()
    if args.alerts < 1:
        parser.error("--alerts must be >= 1")
    latencies, own = asyncio.run(measure(args.alerts, args.warmup))
    ms = lambda v: f"{v * 1000:.1f} ms"  # noqa: E731
    rows = [
        ("Alert posted -> action applied (wall)", latencies),
        ("Own time (wall minus Kubernetes API calls)", own),
    ]
    table = "\n".join(f"| {name} | {ms(statistics.median(v))} | {ms(pct(v, 99))} | {ms(max(v))} | p99 < 100 ms |" for name, v in rows)
    body = f"""
Measured by `bench/alert_to_action.py` ({len(latencies)} alerts after {args.warmup} warm-up; {time.strftime('%Y-%m-%d')},
Python {platform.python_version()}, {os.cpu_count()} CPUs {platform.machine()}, machine shared with other work).
Each KubeJobFailed alert is POSTed to `/hooks/alertmanager`, stored, correlated, run through the
job-failed runbook and `policy.submit()` (rules, audit rows, cluster facts), and ends when the Job's
delete returns from the sandbox API (logs captured first). The sandbox API server runs in the same
process; "own time" subtracts the time spent inside Kubernetes client calls.

| Figure | p50 | p99 | max | Target |
|---|---|---|---|---|
{table}
"""
    print(body)
    if not args.no_write:
        write_section(SECTION, body)


if __name__ == "__main__":
    main()
