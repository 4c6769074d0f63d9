"""A homelab on loopback for the cluster-operations end-to-end tests.

The sandbox cluster (real API server, controllers) and its alert source run in the test's event
loop; the alert source posts real AlertManager webhooks to an embedded gateway whose policy
engine reaches the cluster through the sandbox kubeconfig. Simulated time is stepped by the test
(`step`), so a rule's 15-minute `for:` passes in a fraction of a second of wall time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openclaw.config import store as config_store
from openclaw.events import events_of
from openclaw.gateway.embedded import EmbeddedGateway, run_embedded
from openclaw.incidents import incidents_of
from openclaw.ops.clock import CLOCK
from openclaw.policy.audit import AuditRecord
from openclaw.policy.capability import policy_of
from openclaw.runbooks.capability import runbooks_of
from openclaw.sandbox import homelab
from openclaw.sandbox.alerts.dispatcher import Dispatcher
from openclaw.sandbox.alerts.source import AlertSource
from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.simclock import SimClock

HOOK_TOKEN = "ops-lab-hook-token-0123456789"


@dataclass
class Lab:
    cluster: SandboxCluster
    source: AlertSource
    gw: EmbeddedGateway
    source_task: asyncio.Task[None]

    @property
    def store(self) -> Any:
        return self.cluster.store

    async def settle(self) -> None:
        """Everything posted is stored, processed, and every runbook it started has finished."""
        await self.source.outbox.join()
        events = events_of(self.gw.services)
        runner = runbooks_of(self.gw.services)
        for _ in range(3):
            await events.processor.drain()
            await runner.idle()
            await asyncio.sleep(0.01)

    async def step(self, sim_seconds: float = 30.0) -> None:
        self.cluster.advance(sim_seconds)
        await asyncio.sleep(0.02)  # let controllers react on the loop
        self.source.tick()
        await self.settle()

    async def run_until(self, done: Callable[[], Awaitable[bool]], *, max_sim_s: float = 3 * 3600, every: float = 30.0) -> float:
        """Step simulated time until `done()`; returns the simulated seconds it took. Fails past `max_sim_s`."""
        spent = 0.0
        while not await done():
            if spent >= max_sim_s:
                raise AssertionError(f"condition not reached within {max_sim_s:g} simulated seconds")
            await self.step(every)
            spent += every
        return spent

    def actions(self) -> list[AuditRecord]:
        return list(reversed(policy_of(self.gw.services).audit.list(limit=1000)))

    async def incident_statuses(self) -> dict[str, str]:
        return {i.id: i.status for i in await incidents_of(self.gw.services).list()}

    def pods(self, namespace: str, prefix: str = "") -> list[dict[str, Any]]:
        return [p for p in self.store.list("pods", namespace) if p["metadata"]["name"].startswith(prefix)]

    def ready_pods(self, namespace: str, prefix: str) -> list[dict[str, Any]]:
        def ready(p: dict[str, Any]) -> bool:
            return any(c["type"] == "Ready" and c["status"] == "True" for c in (p.get("status") or {}).get("conditions") or [])

        return [p for p in self.pods(namespace, prefix) if ready(p) and not p["metadata"].get("deletionTimestamp")]


@contextlib.asynccontextmanager
async def run_lab(state_dir: Path, *, speed: float = 20.0, ops: dict[str, Any] | None = None) -> AsyncIterator[Lab]:
    kubeconfig = state_dir / "sandbox" / "kubeconfig"
    kubeconfig.parent.mkdir(parents=True, exist_ok=True)
    clock = SimClock(speed)
    cluster = SandboxCluster(clock=clock, seed=homelab.seed, kubeconfig=kubeconfig)
    await cluster.start()
    config_store.set_value(state_dir, "hooks.token", HOOK_TOKEN)
    # Verification and the runbooks' hold polls run on the sandbox's clock, as under `gateway --sandbox`:
    # 60 and 20 simulated seconds are 3 s and 1 s of wall time at the default speed.
    config_store.set_value(state_dir, "ops", {"kube": {"kubeconfig": str(kubeconfig)}, "verifyTimeout": 60, "verifyStableFor": 20, **(ops or {})})
    source = AlertSource(cluster.store, clock, evaluation_interval=30.0, dispatcher=Dispatcher(group_wait=30, group_interval=60, repeat_interval=4 * 3600))
    try:
        async with run_embedded(state_dir, install=[lambda services: services.put(CLOCK, clock)]) as gw:
            source.url, source.token = f"{gw.http_url}/hooks/alertmanager", HOOK_TOKEN
            task = asyncio.create_task(source.run(), name="lab.alerts")
            lab = Lab(cluster, source, gw, task)
            deadline = time.monotonic() + 10
            while policy_of(gw.services).backends.kube is None and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            try:
                yield lab
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
    finally:
        await cluster.stop()


def crash_current_pods(lab: Lab, namespace: str, target: str, message: str, *, fixed_by_restart: bool) -> Any:
    """Make `target`'s pods crash-loop now. The sandbox applies a crash fault when a container
    starts, so the current pod is replaced first; with `fixed_by_restart` only that replacement
    keeps crashing and the pods of a rollout restart come up healthy."""
    fault = lab.cluster.faults.crashloop(namespace, target, message=message, fixed_by_restart=False)
    for pod in lab.pods(namespace, target + "-"):
        lab.store.delete("pods", namespace, pod["metadata"]["name"])
    return fault


def pin_fault_to_current_pods(lab: Lab, fault: Any, namespace: str, target: str) -> None:
    fault.pod_uids = {p["metadata"]["uid"] for p in lab.pods(namespace, target + "-")}
    fault.fixed_by_restart = True


class SpecChanges:
    """What the cluster saw change that only an operator (or openclaw) changes: workload and node
    specs, node labels, and Jobs removed. Controllers write status and pods, never these."""

    KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Node")

    def __init__(self, lab: Any) -> None:
        self.changed: set[str] = set()
        self._stop = lab.store.subscribe(self._on_change)

    def _on_change(self, change: Any) -> None:
        kind, obj, old = change.rtype.kind, change.obj, change.old
        key = f"{kind}/{obj['metadata'].get('namespace') or ''}/{obj['metadata']['name']}".replace("//", "/")
        if change.type == "MODIFIED" and kind in self.KINDS and old is not None:
            if kind == "Node":
                # the kubelet's own taints (unreachable) come and go with the node's health; a cordon or a label does not
                if obj["spec"].get("unschedulable") != old["spec"].get("unschedulable") or obj["metadata"].get("labels") != old["metadata"].get("labels"):
                    self.changed.add(key)
            elif obj.get("spec") != old.get("spec"):
                self.changed.add(key)
        if change.type == "DELETED" and kind == "Job":
            self.changed.add(key)

    def close(self) -> None:
        self._stop()
