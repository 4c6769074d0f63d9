"""Incidents: what the operator and the runbooks see, one per cause."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

IncidentStatus = Literal["firing", "resolved"]
INCIDENT_STATUSES: tuple[IncidentStatus, ...] = ("firing", "resolved")
# Ordered from least to most severe; unknown severities rank as "warning".
SEVERITY_ORDER = ("none", "info", "warning", "error", "critical")


def severity_rank(severity: str | None) -> int:
    try:
        return SEVERITY_ORDER.index((severity or "warning").lower())
    except ValueError:
        return SEVERITY_ORDER.index("warning")


@dataclass(frozen=True, slots=True)
class IncidentAlert:
    """One alert (by fingerprint) that is part of an incident."""

    fingerprint: str
    alertname: str
    status: str
    severity: str | None
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: str
    first_seen: float
    last_seen: float
    resolved_at: float | None
    notifications: int

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "alertname": self.alertname,
            "status": self.status,
            "severity": self.severity,
            "labels": self.labels,
            "annotations": self.annotations,
            "startsAt": self.starts_at,
            "firstSeen": self.first_seen,
            "lastSeen": self.last_seen,
            "resolvedAt": self.resolved_at,
            "notifications": self.notifications,
        }


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    status: IncidentStatus
    kind: str  # "alerts", "heartbeat" or "media" (a stuck media item)
    title: str
    severity: str
    namespace: str | None
    group_key: str | None
    causes: list[str]
    opened_at: float
    updated_at: float
    resolved_at: float | None
    alert_count: int
    firing_count: int
    alerts: list[IncidentAlert] = field(default_factory=list)

    def to_json(self, *, with_alerts: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "kind": self.kind,
            "title": self.title,
            "severity": self.severity,
            "namespace": self.namespace,
            "groupKey": self.group_key,
            "causes": self.causes,
            "openedAt": self.opened_at,
            "updatedAt": self.updated_at,
            "resolvedAt": self.resolved_at,
            "alertCount": self.alert_count,
            "firingCount": self.firing_count,
        }
        if with_alerts:
            out["alerts"] = [a.to_json() for a in self.alerts]
        return out
