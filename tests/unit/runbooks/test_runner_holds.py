"""Held incidents: a resolved alert wakes the watcher that holds the incident (no waiting for the
next poll), each hold has its own watcher, and a failed undo is noted while the hold is still lifted.
Incidents, notes and holds live in real SQLite; the clock's poll never fires, so only a wake-up can."""

from __future__ import annotations

import asyncio
import inspect
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest_bodies import Pipeline, alert, envelope
from openclaw.config.schema import OpsSettings
from openclaw.ops.client import KubeClient
from openclaw.policy.actions import Backends
from openclaw.policy.audit import AuditLog
from openclaw.policy.engine import PolicyEngine
from openclaw.runbooks.escalation import Escalations
from openclaw.runbooks.memory import FixMemory
from openclaw.runbooks.models import AlertContext, Hold, Report, Status
from openclaw.runbooks.registry import Registry, RunContext, Runbook, Trigger
from openclaw.runbooks.runner import Runner

LABELS = {"alertname": "KubeNodeNotReady", "node": "homelab-w1", "severity": "warning"}


class NeverPolls:
    """A clock whose sleeps never end: a watcher checks its cause only when woken."""

    def seconds(self) -> float:
        return 0.0

    async def sleep(self, seconds: float) -> None:
        await asyncio.Event().wait()


@dataclass
class Cause:
    gone: bool = False
    undo_fails: bool = False
    checks: int = 0
    undone: int = 0

    async def settled(self) -> bool:
        self.checks += 1
        return self.gone

    async def after(self) -> Report | None:
        self.undone += 1
        if self.undo_fails:
            raise RuntimeError("uncordon rejected: connection reset")
        return None


def kubeconfig(tmp_path: Path) -> Path:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
    }))
    return path


@dataclass
class Bench:
    pipeline: Pipeline
    runner: Runner
    incident: str
    causes: list[Cause]

    def context(self, status: str) -> AlertContext:
        return AlertContext("KubeNodeNotReady", status, LABELS, {}, "fp-node", self.incident)

    async def resolve_alert(self) -> None:
        """AlertManager sends the resolved notification; the gateway hands it to the runner too."""
        await self.pipeline.post("alertmanager", envelope([alert(LABELS, status="resolved", fingerprint="fp-node")]))
        await self.pipeline.settle()
        assert await self.runner.handle(self.context("resolved")) is None

    async def status(self) -> str:
        incident = await self.pipeline.incidents.get(self.incident)
        assert incident is not None
        return incident.status


async def until(check: Callable[[], bool | Awaitable[bool]]) -> None:
    for _ in range(200):
        result = check()
        if await result if inspect.isawaitable(result) else result:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


@asynccontextmanager
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    kube = KubeClient.connect(kubeconfig(tmp_path), timeout_s=2)
    audit = AuditLog(tmp_path / "events.db")
    causes: list[Cause] = []

    async def holds(ctx: RunContext) -> Report:
        cause = Cause()
        causes.append(cause)
        return Report(ctx.runbook, Status.REPORTED, "node NotReady; held", cause="Node/homelab-w1",
                      hold=Hold("node NotReady", cause.settled, cause.after))

    try:
        async with Pipeline(tmp_path / "events.db") as p:
            await p.post("alertmanager", envelope([alert(LABELS, fingerprint="fp-node")]))
            await p.settle()
            [incident] = await p.incidents.list()
            engine = PolicyEngine(Backends(kube=kube), audit, lambda: OpsSettings())
            memory = FixMemory(audit, p.incidents, engine.now, OpsSettings)
            registry = Registry([Runbook("node-not-ready", Trigger(("KubeNodeNotReady",)), holds, "hold")])
            runner = Runner(registry, engine, Escalations(p.incidents), memory, p.incidents, clock=NeverPolls())
            try:
                yield Bench(p, runner, incident.id, causes)
            finally:
                await runner.stop()
    finally:
        audit.close()
        await kube.aclose()


async def test_a_resolved_alert_wakes_the_watcher_and_the_incident_resolves_once_the_cause_is_gone(tmp_path: Path) -> None:
    async with bench(tmp_path) as b:
        await b.runner.handle(b.context("firing"))
        [cause] = b.causes
        assert b.runner.holding() == {b.incident: 1}
        # The alert resolves while the cause remains (a cordon silences KubeNodeNotReady): checked, still held.
        await b.resolve_alert()
        await until(lambda: cause.checks == 1)
        assert await b.status() == "firing" and b.runner.holding() == {b.incident: 1}
        # The cause goes; the next resolved notification (a repeat) wakes the watcher again.
        cause.gone = True
        assert await b.runner.handle(b.context("resolved")) is None

        async def resolved() -> bool:
            return await b.status() == "resolved"

        await until(resolved)
        assert cause.undone == 1 and b.runner.holding() == {}


async def test_each_hold_has_its_own_watcher_and_the_incident_waits_for_the_last(tmp_path: Path) -> None:
    async with bench(tmp_path) as b:
        await b.runner.handle(b.context("firing"))
        await b.runner.handle(b.context("firing"))
        first, second = b.causes
        assert b.runner.holding() == {b.incident: 2}
        first.gone = True
        await b.resolve_alert()
        await until(lambda: first.undone == 1 and second.checks == 1)
        assert b.runner.holding() == {b.incident: 1} and await b.status() == "firing"
        second.gone = True
        await b.runner.handle(b.context("resolved"))

        async def resolved() -> bool:
            return await b.status() == "resolved"

        await until(resolved)
        assert second.undone == 1 and b.runner.holding() == {}


async def test_a_failed_undo_is_noted_on_the_incident_and_the_hold_is_lifted(tmp_path: Path) -> None:
    async with bench(tmp_path) as b:
        await b.runner.handle(b.context("firing"))
        [cause] = b.causes
        cause.gone, cause.undo_fails = True, True
        await b.resolve_alert()

        async def resolved() -> bool:
            return await b.status() == "resolved"

        await until(resolved)
        notes = [n for n in await b.pipeline.incidents.list_notes(incident_id=b.incident) if "not undone" in n.summary]
        [note] = notes
        assert note.kind == "report" and "uncordon rejected: connection reset" in note.summary
        assert b.runner.holding() == {}
