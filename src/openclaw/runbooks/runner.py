"""Runs the matching runbook for each alert, in its own task, and routes what it could not settle."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from openclaw.ops.reader import KubeReader
from openclaw.policy.engine import PolicyEngine
from openclaw.runbooks.catalog import ON_RESOLVED
from openclaw.ops.clock import WALL_CLOCK, Clock
from openclaw.runbooks.escalation import Escalations
from openclaw.runbooks.gone import outcome_of_not_found
from openclaw.errors import StateError
from openclaw.policy.models import Outcome
from openclaw.runbooks.memory import FixMemory, fix_note_data
from openclaw.runbooks.models import AlertContext, Hold, Report, Status
from openclaw.runbooks.registry import Registry, RunContext

log = logging.getLogger(__name__)

Publish = Callable[[str, dict[str, Any]], None]


class Holds(Protocol):
    """Incidents kept open past their alerts: the incidents capability."""

    async def hold(self, incident_id: str, reason: str) -> None: ...

    async def release(self, incident_id: str) -> bool: ...


@dataclass(eq=False)
class _Watcher:
    """One hold's watcher. A resolved alert of its incident sets `wake`, so the check runs then
    rather than at the next poll (the cause and the alert often go away together)."""

    incident_id: str
    hold: Hold
    runbook: str
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class Runner:
    def __init__(self, registry: Registry, policy: PolicyEngine, escalations: Escalations, memory: FixMemory, holds: Holds, publish: Publish | None = None,
                 clock: Clock = WALL_CLOCK) -> None:
        self.registry = registry
        self.policy = policy
        self.escalations = escalations
        self.memory = memory
        self.holds = holds
        self.clock = clock
        self._holds: set[asyncio.Task[None]] = set()
        # Each hold has its own watcher; the incident's hold is lifted when its last watcher is done.
        self._watchers: dict[str, list[_Watcher]] = {}
        self._publish = publish or (lambda e, p: None)
        self._active: set[str] = set()
        self._tasks: set[asyncio.Task[Report | None]] = set()
        self._parked: set[asyncio.Task[Any]] = set()  # runbooks waiting for an operator's answer
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
            if self._wake(alert.incident_id):
                return None  # the hold's watcher checks its cause now and undoes what openclaw did
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
        ctx = RunContext(alert, client, self.policy, runbook.id, self.memory, parked=self._parked)
        try:
            report = await runbook.steps(ctx)
        except Exception as exc:  # a runbook's failure becomes an escalation with what it was doing, never a silent loss
            gone = await outcome_of_not_found(ctx, exc)
            if gone is not None:
                log.info("runbooks.target_gone", extra={"runbook": runbook.id, "alertname": alert.alertname, "error": str(exc)[:300]})
                report = gone
            else:
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
        ctx = RunContext(alert, client, self.policy, runbook_id, self.memory)
        try:
            report = await steps(ctx)
        except Exception as exc:  # a task boundary: the operator hears of it, the exception is not lost in a task
            report = await outcome_of_not_found(ctx, exc)
            if report is None:
                log.exception("runbooks.failed", extra={"runbook": runbook_id, "alertname": alert.alertname})
                report = Report(runbook_id, Status.REPORTED, f"runbook {runbook_id} failed: {type(exc).__name__}: {str(exc)[:300]}", None, {"labels": alert.labels})
                failed = True
        if report is not None:
            self._publish("runbook.completed", {"incident": alert.incident_id, "alertname": alert.alertname, **report.to_json()})
            if report.status is Status.NOTED:
                await self._note_finding(alert, report)
        if failed and report is not None:
            await self.escalations.escalate(alert, report, to_agent=False)
        return report

    async def _route(self, alert: AlertContext, report: Report) -> None:
        if report.status is Status.ESCALATED and report.cause:
            busy = self._in_progress(report.cause)
            if busy is not None:
                # Another runbook is fixing the same object now: its outcome is the incident's news.
                report.status = Status.IGNORED
                report.summary = f"{report.summary} (not escalated: action {busy} on {report.cause} is in progress)"
        if report.status is Status.FIXED and report.cause:
            await self._check_recurrence(report)
        payload = {"incident": alert.incident_id, "alertname": alert.alertname, "fingerprint": alert.fingerprint, **report.to_json()}
        log.info("runbooks.completed", extra={"runbook": report.runbook, "status": str(report.status), "incident": alert.incident_id})
        self._publish("runbook.completed", payload)
        fixed = any(d.outcome is Outcome.APPLIED and d.verified for d in report.decisions)
        if fixed and report.status is not Status.REPORTED:
            await self._note_fix(alert, report)
        if report.status is Status.ESCALATED:
            await self.escalations.escalate(alert, report)
        elif report.status is Status.REPORTED:
            await self.escalations.escalate(alert, report, to_agent=False)
        elif report.status is Status.NOTED:
            await self._note_finding(alert, report)
        if report.hold is not None and alert.incident_id:
            await self._hold(alert.incident_id, report.hold, report.runbook)

    def _in_progress(self, cause: str) -> str | None:
        return self.policy.in_progress(cause)

    async def _check_recurrence(self, report: Report) -> None:
        """The same failure fixed N times within the window is a recurring one: a person must look."""
        earlier = await self.memory.recurrences(str(report.cause))
        if len(earlier) + 1 >= self.memory.recurrence_count:
            report.status = Status.ESCALATED
            report.summary = (f"{report.summary}; but {report.cause} needed the same fix {len(earlier) + 1} times "
                              f"within {_ago(self.policy.now() - earlier[-1].created_at)}: it keeps failing")
            report.evidence["earlierFixes"] = [{"incident": n.incident_id, "at": n.created_at, "summary": n.summary} for n in earlier]

    async def _note_finding(self, alert: AlertContext, report: Report) -> None:
        """What the runbook found, on the incident's timeline (open or already resolved), paging nobody."""
        if not alert.incident_id:
            return
        data = {"alertname": alert.alertname, "labels": alert.labels, "report": report.to_json()}
        try:
            await self.escalations.notes.attach_note(alert.incident_id, "finding", f"runbook:{report.runbook}", report.summary, data)
        except StateError:
            log.exception("runbooks.finding_not_noted", extra={"incident": alert.incident_id, "runbook": report.runbook})

    async def _note_fix(self, alert: AlertContext, report: Report) -> None:
        """One note per fix on the incident: the timeline says what was done, and recurrence counts it."""
        data = fix_note_data(alert.alertname, report.runbook, report.cause, True, report.to_json())
        try:
            await self.escalations.notes.attach_note(alert.incident_id, "fix", f"runbook:{report.runbook}", report.summary, data)
        except StateError:
            log.exception("runbooks.fix_not_noted", extra={"incident": alert.incident_id, "runbook": report.runbook})

    async def _hold(self, incident_id: str, hold: Hold, runbook: str) -> None:
        await self.holds.hold(incident_id, hold.reason)
        watcher = _Watcher(incident_id, hold, runbook)
        self._watchers.setdefault(incident_id, []).append(watcher)
        task = asyncio.create_task(self._watch(watcher), name=f"runbook-hold-{incident_id}")
        self._holds.add(task)
        task.add_done_callback(self._holds.discard)

    def holding(self) -> dict[str, int]:
        """Incidents held open now, with how many holds (watchers) each."""
        return {incident: len(watchers) for incident, watchers in self._watchers.items()}

    def _wake(self, incident_id: str | None) -> bool:
        """Wake the watchers holding `incident_id`; False when none holds it."""
        watchers = self._watchers.get(incident_id or "") or []
        for watcher in watchers:
            watcher.wake.set()
        return bool(watchers)

    async def _watch(self, watcher: _Watcher) -> None:
        """Poll (or wake on a resolved alert) until the cause is gone, undo what openclaw did for it,
        then let the incident resolve. A failed undo is noted on the incident; the hold is still lifted,
        since the cause is gone and the note tells the operator what is left to undo."""
        incident_id, hold = watcher.incident_id, watcher.hold
        while True:
            await self._next_check(watcher)
            try:
                if await hold.settled():
                    break
            except Exception:  # a failed read is one more poll, never a dropped hold
                log.warning("runbooks.hold_check_failed", extra={"incident": incident_id}, exc_info=True)
        try:
            if hold.after is not None:
                await self._undo(watcher, hold.after)
        except Exception:  # a note that could not be written must not keep the incident held (a stop still does)
            log.exception("runbooks.undo_not_noted", extra={"incident": incident_id, "runbook": watcher.runbook})
        watchers = self._watchers.get(incident_id, [])
        if watcher in watchers:
            watchers.remove(watcher)
        if not watchers:
            self._watchers.pop(incident_id, None)
            await self.holds.release(incident_id)

    async def _next_check(self, watcher: _Watcher) -> None:
        sleep = asyncio.ensure_future(self.clock.sleep(watcher.hold.poll_s))
        woken = asyncio.ensure_future(watcher.wake.wait())
        try:
            await asyncio.wait((sleep, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (sleep, woken):
                waiter.cancel()
            await asyncio.gather(sleep, woken, return_exceptions=True)
            watcher.wake.clear()

    async def _undo(self, watcher: _Watcher, after: Callable[[], Awaitable[Report | None]]) -> None:
        incident_id = watcher.incident_id
        try:
            report: Report | None = await after()
        except Exception as exc:  # the undo's failure is the operator's to finish, never a hold left forever
            log.exception("runbooks.undo_failed", extra={"incident": incident_id, "runbook": watcher.runbook})
            report = Report(f"{watcher.runbook}:recovered", Status.ESCALATED, f"{type(exc).__name__}: {str(exc)[:300]}")
        if report is None:
            return
        self._publish("runbook.completed", {"incident": incident_id, **report.to_json()})
        if report.status is Status.FIXED:
            await self.escalations.notes.attach_note(incident_id, "fix", f"runbook:{report.runbook}", report.summary,
                                                     fix_note_data("", report.runbook, report.cause, False, report.to_json()))
            return
        summary = (f"the cause is gone but what openclaw did for it was not undone: {report.summary}; "
                   "the incident is no longer held, and what is left to undo needs a person")
        await self.escalations.notes.attach_note(incident_id, "report", f"runbook:{report.runbook}", summary, {"runbook": report.runbook, "report": report.to_json()})

    async def stop(self) -> None:
        """Cancel the hold watchers and the waits for an operator's answer (a restarted gateway
        leaves those incidents, and the parked actions, to the operator)."""
        waiting = [*self._holds, *self._parked]
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)


def _ago(seconds: float) -> str:
    return f"{seconds / 3600:.1f}h" if seconds >= 3600 else f"{seconds / 60:.0f}m"
