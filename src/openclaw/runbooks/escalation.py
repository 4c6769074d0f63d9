"""Escalation: what no runbook can settle goes to the agent (when a model is configured and the
agent has subscribed) or else to the operator, with the evidence.

The agent subscribes with `escalations.subscribe(handler)`; a handler returns True when it took the
case. Every escalation is also kept in the event database (table `ops_escalations`) as the
incident's note and published on the bus as `incident.escalated`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openclaw.runbooks.models import AlertContext, Report

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ops_escalations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    incident TEXT,
    alertname TEXT NOT NULL,
    fingerprint TEXT,
    runbook TEXT NOT NULL,
    routed_to TEXT NOT NULL,
    summary TEXT NOT NULL,
    diagnosis TEXT,
    report TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ops_escalations_incident ON ops_escalations (incident);
"""


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


class Escalations:
    def __init__(self, path: Path, publish: Publish | None = None) -> None:
        self._handlers: list[EscalationHandler] = []
        self._publish = publish or (lambda e, p: None)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), timeout=5.0, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 5000")
        self._db.executescript(_SCHEMA)

    def subscribe(self, handler: EscalationHandler) -> Callable[[], None]:
        """The agent's hook: called for each escalation; return True to take the case."""
        self._handlers.append(handler)
        return lambda: self._handlers.remove(handler)

    async def escalate(self, alert: AlertContext, report: Report, *, to_agent: bool = True) -> Escalation:
        """Hand `report` on: to the agent if one takes it, else to the operator. `to_agent=False`
        is for reports (nothing left to settle, the operator is told)."""
        routed = "operator"
        for handler in list(self._handlers) if to_agent else []:
            try:
                if await handler(alert, report):
                    routed = "agent"
                    break
            except Exception:  # a failing agent must not swallow the escalation; the operator gets it
                log.exception("runbooks.escalation_handler_failed")
        esc = Escalation(alert, report, routed)
        with self._lock:
            self._db.execute(
                "INSERT INTO ops_escalations (created_at, incident, alertname, fingerprint, runbook, routed_to, summary, diagnosis, report)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), alert.incident_id, alert.alertname, alert.fingerprint, report.runbook, routed, report.summary, report.diagnosis,
                 json.dumps(report.to_json(), default=str)),
            )  # fmt: skip
        log.warning("runbooks.escalated", extra={"incident": alert.incident_id, "runbook": report.runbook, "routed_to": routed})
        self._publish("incident.escalated" if to_agent else "incident.reported", esc.to_json())
        return esc

    def list(self, *, incident: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        sql = "SELECT created_at, incident, alertname, runbook, routed_to, summary, diagnosis, report FROM ops_escalations"
        args: tuple[Any, ...] = ()
        if incident is not None:
            sql += " WHERE incident = ?"
            args = (incident,)
        sql += " ORDER BY id DESC LIMIT ?"
        with self._lock:
            rows = self._db.execute(sql, (*args, limit)).fetchall()
        return [
            {"createdAt": r[0], "incident": r[1], "alertname": r[2], "runbook": r[3], "routedTo": r[4], "summary": r[5], "diagnosis": r[6], "report": json.loads(r[7])}
            for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()
