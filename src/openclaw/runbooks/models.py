"""Values runbooks work with: the alert that triggered them and the report they leave."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from collections.abc import Awaitable, Callable
from typing import Any

from openclaw.policy.models import Decision


@dataclass(frozen=True, slots=True)
class AlertContext:
    """One firing alert. Labels come from Prometheus rules and identify the target; annotations are
    free text from the rule (or whoever posted the webhook) and are never read as instructions."""

    alertname: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    fingerprint: str
    incident_id: str | None

    @classmethod
    def from_notice(cls, payload: dict[str, Any]) -> AlertContext:
        return cls(
            alertname=str(payload.get("alertname") or ""),
            status=str(payload.get("status") or "firing"),
            labels={str(k): str(v) for k, v in (payload.get("labels") or {}).items()},
            annotations={str(k): str(v) for k, v in (payload.get("annotations") or {}).items()},
            fingerprint=str(payload.get("fingerprint") or ""),
            incident_id=payload.get("incidentId"),
        )

    def label(self, name: str) -> str | None:
        value = self.labels.get(name)
        return value if value else None


class Status(enum.StrEnum):
    FIXED = "fixed"  # acted, and verification passed
    REPORTED = "reported"  # nothing to do, or report-only by design
    ESCALATED = "escalated"  # handed to the agent or the operator with the evidence
    IGNORED = "ignored"  # never acted on (Watchdog, InfoInhibitor, resolved alerts)
    NOTED = "noted"  # the target is gone (replaced, deleted): a finding on the incident, nobody is paged


@dataclass(frozen=True)
class Hold:
    """Keep the incident open (its alert may be silenced while the cause remains) until `settled()`
    says the cause is gone; then `after()` undoes what openclaw did for it (e.g. lift a cordon)."""

    reason: str
    settled: Callable[[], Awaitable[bool]]
    after: Callable[[], Awaitable[Report | None]] | None = None
    poll_s: float = 30.0  # seconds of the gateway's clock (simulated under the sandbox)


@dataclass
class Report:
    """What a runbook did and found; escalations carry it as the evidence."""

    runbook: str
    status: Status
    summary: str
    diagnosis: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    # The object the failure is about ("Deployment/media/sonarr", "CronJob/media/backup", "Node/w1"):
    # what fix memory, recurrence and escalation de-duplication are keyed by.
    cause: str | None = None
    hold: Hold | None = None
    # One more failure of `cause` for recurrence counting, even with nothing fixed (a CronJob's Job
    # that its history limit removed before the runbook saw it still failed).
    failure: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "runbook": self.runbook,
            "status": str(self.status),
            "summary": self.summary,
            "diagnosis": self.diagnosis,
            "evidence": self.evidence,
            "actions": [d.to_json() for d in self.decisions],
            "cause": self.cause,
        }
