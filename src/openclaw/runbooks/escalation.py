"""Escalation: what no runbook can settle goes to the agent (when a model is configured and the
agent has subscribed) or else to the operator, with the evidence.

The agent subscribes with `escalations.subscribe(handler)`; a handler returns True when it took the
case. Every escalation is attached to its incident as a note (kind `escalation`, or `report` for a
report the operator is only told about) through the incidents capability, which writes it through
the event database's writer, and published on the bus as `incident.escalated` / `incident.reported`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from openclaw.errors import StateError
from openclaw.incidents.notes import IncidentNote, NoteKind
from openclaw.policy.models import Outcome
from openclaw.runbooks.models import AlertContext, Report

log = logging.getLogger(__name__)

ESCALATION_KINDS = ("escalation", "report")


class NoteBook(Protocol):
    """Where escalations are kept: the incidents capability."""

    async def attach_note(self, incident_id: str | None, kind: NoteKind, author: str, summary: str,
                          data: dict[str, Any] | None = None) -> IncidentNote: ...

    async def list_notes(self, *, incident_id: str | None = None, kinds: tuple[str, ...] = (), limit: int = 100) -> list[IncidentNote]: ...


@dataclass(frozen=True, slots=True)
class Escalation:
    alert: AlertContext
    report: Report
    routed_to: str  # "agent" or "operator"

    def to_json(self) -> dict[str, Any]:
        return {
            "incident": self.alert.incident_id,
            "alertname": self.alert.alertname,
            "fingerprint": self.alert.fingerprint,
            "labels": self.alert.labels,
            "routedTo": self.routed_to,
            **self.report.to_json(),
        }


EscalationHandler = Callable[[AlertContext, Report], Awaitable[bool]]
Publish = Callable[[str, dict[str, Any]], None]


def escalation_of(note: IncidentNote) -> dict[str, Any]:
    """An escalation note in the shape `escalations.list` has always answered with."""
    data = note.data
    return {
        "id": note.id,
        "createdAt": note.created_at,
        "incident": note.incident_id,
        "alertname": data.get("alertname"),
        "runbook": data.get("runbook"),
        "routedTo": data.get("routedTo"),
        "summary": note.summary,
        "diagnosis": data.get("diagnosis"),
        "report": data.get("report", {}),
    }


class Escalations:
    def __init__(self, notes: NoteBook, publish: Publish | None = None) -> None:
        self._handlers: list[EscalationHandler] = []
        self._publish = publish or (lambda e, p: None)
        self.notes = notes

    def subscribe(self, handler: EscalationHandler) -> Callable[[], None]:
        """The agent's hook: called for each escalation; return True to take the case."""
        self._handlers.append(handler)
        return lambda: self._handlers.remove(handler)

    async def escalate(self, alert: AlertContext, report: Report, *, to_agent: bool = True) -> Escalation | None:
        """Hand `report` on: to the agent if one takes it, else to the operator. `to_agent=False`
        is for reports (nothing left to settle, the operator is told). None when the incident was
        already escalated for the same cause (one escalation per cause, however many alerts it fires)."""
        if await self._already(alert, report, "escalation" if to_agent else "report"):
            log.info("runbooks.escalation_duplicate", extra={"incident": alert.incident_id, "runbook": report.runbook, "cause": report.cause})
            return None
        routed = "operator"
        for handler in list(self._handlers) if to_agent else []:
            try:
                if await handler(alert, report):
                    routed = "agent"
                    break
            except Exception:  # a failing agent must not swallow the escalation; the operator gets it
                log.exception("runbooks.escalation_handler_failed")
        esc = Escalation(alert, report, routed)
        data = {"alertname": alert.alertname, "fingerprint": alert.fingerprint, "labels": alert.labels, "runbook": report.runbook,
                "routedTo": routed, "diagnosis": report.diagnosis, "report": report.to_json(), "cause": report.cause,
                "fixed": any(d.outcome is Outcome.APPLIED and d.verified for d in report.decisions), "failure": report.failure}
        try:
            await self.notes.attach_note(alert.incident_id, "escalation" if to_agent else "report", f"runbook:{report.runbook}", report.summary, data)
        except StateError:  # the bus event below still tells the operator; the log keeps the evidence
            log.exception("runbooks.escalation_not_stored", extra={"incident": alert.incident_id, "runbook": report.runbook})
        log.warning("runbooks.escalated", extra={"incident": alert.incident_id, "runbook": report.runbook, "routed_to": routed})
        self._publish("incident.escalated" if to_agent else "incident.reported", esc.to_json())
        return esc

    async def _already(self, alert: AlertContext, report: Report, kind: str) -> bool:
        if not alert.incident_id or not report.cause:
            return False
        earlier = await self.notes.list_notes(incident_id=alert.incident_id, kinds=(kind,), limit=100)
        # A report repeats only when it says the same; an escalation for the cause is enough once.
        return any(n.data.get("cause") == report.cause and (kind == "escalation" or n.summary == report.summary) for n in earlier)

    async def list(self, *, incident: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Escalations and reports, newest first."""
        found = await self.notes.list_notes(incident_id=incident, kinds=ESCALATION_KINDS, limit=limit)
        return [escalation_of(n) for n in found]
