"""Runs the matching runbook for each alert, in its own task, and routes what it could not settle."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from openclaw.ops.reader import KubeReader
from openclaw.policy.engine import PolicyEngine
from openclaw.runbooks.catalog import ON_RESOLVED
from openclaw.runbooks.escalation import Escalations
from openclaw.runbooks.models import AlertContext, Report, Status
from openclaw.runbooks.registry import Registry, RunContext

log = logging.getLogger(__name__)

Publish = Callable[[str, dict[str, Any]], None]


class Runner:
    def __init__(self, registry: Registry, policy: PolicyEngine, escalations: Escalations, publish: Publish | None = None) -> None:
        self.registry = registry
        self.policy = policy
        self.escalations = escalations
        self._publish = publish or (lambda e, p: None)
        self._active: set[str] = set()
        self._tasks: set[asyncio.Task[Report | None]] = set()
        self.enabled = True

    @property
    def client(self) -> KubeReader | None:
        return self.policy.backends.kube

    def dispatch(self, alert: AlertContext) -> asyncio.Task[Report | None] | None:
        """Start handling `alert` in the background (the event processor must not wait on a runbook)."""
        if not self.enabled:
            return None
        task = asyncio.create_task(self.handle(alert), name=f"runbook-{alert.alertname}-{alert.fingerprint[:12]}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def idle(self) -> None:
        """Wait until every dispatched runbook has finished (tests, benchmarks, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def handle(self, alert: AlertContext) -> Report | None:
        if alert.status != "firing":
            return await self._on_resolved(alert)
        if alert.fingerprint in self._active:
            return None  # the same alert is already being handled
        self._active.add(alert.fingerprint)
        try:
            report = await self._run(alert)
        finally:
            self._active.discard(alert.fingerprint)
        await self._route(alert, report)
        return report

    async def _run(self, alert: AlertContext) -> Report:
        runbook = self.registry.match(alert)
        if runbook is None:
            return Report("none", Status.ESCALATED, f"no runbook handles {alert.alertname}", None, {"labels": alert.labels})
        client = self.client
        if client is None:
            return Report(runbook.id, Status.ESCALATED, "no cluster access (ops.kube); nothing could be checked", None, {"labels": alert.labels})
        ctx = RunContext(alert, client, self.policy, runbook.id)
        try:
            report = await runbook.steps(ctx)
        except Exception as exc:  # a runbook's failure becomes an escalation with what it was doing, never a silent loss
            log.exception("runbooks.failed", extra={"runbook": runbook.id, "alertname": alert.alertname})
            report = Report(runbook.id, Status.ESCALATED, f"runbook {runbook.id} failed: {type(exc).__name__}: {str(exc)[:300]}", None, {"labels": alert.labels})
        if not report.decisions:
            report.decisions = ctx.decisions
        return report

    async def _on_resolved(self, alert: AlertContext) -> Report | None:
        steps = ON_RESOLVED.get(alert.alertname)
        client = self.client
        if steps is None or client is None:
            return None
        runbook_id = f"{alert.alertname}:resolved"
        failed = False
        try:
            report = await steps(RunContext(alert, client, self.policy, runbook_id))
        except Exception as exc:  # a task boundary: the operator hears of it, the exception is not lost in a task
            log.exception("runbooks.failed", extra={"runbook": runbook_id, "alertname": alert.alertname})
            report = Report(runbook_id, Status.REPORTED, f"runbook {runbook_id} failed: {type(exc).__name__}: {str(exc)[:300]}", None, {"labels": alert.labels})
            failed = True
        if report is not None:
            self._publish("runbook.completed", {"incident": alert.incident_id, "alertname": alert.alertname, **report.to_json()})
        if failed and report is not None:
            await self.escalations.escalate(alert, report, to_agent=False)
        return report

    async def _route(self, alert: AlertContext, report: Report) -> None:
        payload = {"incident": alert.incident_id, "alertname": alert.alertname, "fingerprint": alert.fingerprint, **report.to_json()}
        log.info("runbooks.completed", extra={"runbook": report.runbook, "status": str(report.status), "incident": alert.incident_id})
        self._publish("runbook.completed", payload)
        if report.status is Status.ESCALATED:
            await self.escalations.escalate(alert, report)
        elif report.status is Status.REPORTED:
            await self.escalations.escalate(alert, report, to_agent=False)
