"""AlertManager's side: group alerts, wait, notify the webhook receiver, repeat, resolve.

Grouping by `group_by` labels; a new group waits `group_wait` before its first notification, later
changes go out at the next `group_interval` tick, and an unchanged group is sent again once
`repeat_interval` has passed since its last notification. Bodies are webhook version 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openclaw.sandbox.alerts.evaluator import RuleAlert
from openclaw.sandbox.simclock import iso

ZERO_TIME = "0001-01-01T00:00:00Z"


@dataclass
class GroupedAlert:
    fingerprint: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    generator_url: str
    ends_at: datetime | None = None

    @property
    def status(self) -> str:
        return "resolved" if self.ends_at is not None else "firing"

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "labels": dict(self.labels), "annotations": dict(self.annotations),
                "startsAt": iso(self.starts_at), "endsAt": iso(self.ends_at) if self.ends_at else ZERO_TIME,
                "generatorURL": self.generator_url, "fingerprint": self.fingerprint}


@dataclass
class Group:
    labels: dict[str, str]
    next_flush: float
    alerts: dict[str, GroupedAlert] = field(default_factory=dict)
    last_sent: frozenset[tuple[str, str]] = frozenset()
    last_notified: float | None = None

    @property
    def key(self) -> str:
        inner = ", ".join(f'{k}="{v}"' for k, v in sorted(self.labels.items()))
        return "{}:{" + inner + "}"


@dataclass
class Dispatcher:
    receiver: str = "openclaw"
    group_by: tuple[str, ...] = ("alertname", "namespace")
    group_wait: float = 30.0
    group_interval: float = 300.0
    repeat_interval: float = 4 * 3600.0
    external_url: str = "http://kube-prometheus-stack-alertmanager.monitoring:9093"
    groups: dict[tuple[tuple[str, str], ...], Group] = field(default_factory=dict)

    def receive(self, alerts: list[RuleAlert], now: float) -> None:
        for alert in alerts:
            glabels = {k: alert.labels[k] for k in self.group_by if alert.labels.get(k)}
            key = tuple(sorted(glabels.items()))
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = Group(glabels, now + self.group_wait)
            fp = alert.fingerprint
            existing = group.alerts.get(fp)
            if alert.resolved_at is not None:
                if existing is not None:
                    existing.ends_at = alert.resolved_at
                continue
            if existing is None or existing.ends_at is not None:
                group.alerts[fp] = GroupedAlert(fp, dict(alert.labels), dict(alert.annotations), alert.active_at, alert.rule.generator_url)
            else:
                existing.annotations = dict(alert.annotations)

    def flush(self, now: float) -> list[dict[str, Any]]:
        """Notifications due now, in group order; groups with nothing left are dropped."""
        out = []
        for key, group in list(self.groups.items()):
            if now < group.next_flush:
                continue
            group.next_flush = now + self.group_interval
            state = frozenset((fp, a.status) for fp, a in group.alerts.items())
            repeat_due = group.last_notified is not None and now - group.last_notified >= self.repeat_interval
            if group.alerts and (state != group.last_sent or repeat_due):
                out.append(self._body(group))
                group.last_sent, group.last_notified = state, now
                for fp in [fp for fp, a in group.alerts.items() if a.ends_at is not None]:
                    del group.alerts[fp]
            if not group.alerts:
                del self.groups[key]
        return out

    def _body(self, group: Group) -> dict[str, Any]:
        alerts = sorted(group.alerts.values(), key=lambda a: (a.starts_at, a.fingerprint))
        common_labels = dict(alerts[0].labels)
        common_annotations = dict(alerts[0].annotations)
        for a in alerts[1:]:
            common_labels = {k: v for k, v in common_labels.items() if a.labels.get(k) == v}
            common_annotations = {k: v for k, v in common_annotations.items() if a.annotations.get(k) == v}
        return {
            "receiver": self.receiver, "status": "firing" if any(a.ends_at is None for a in alerts) else "resolved",
            "alerts": [a.body() for a in alerts], "groupLabels": dict(group.labels), "commonLabels": common_labels,
            "commonAnnotations": common_annotations, "externalURL": self.external_url, "version": "4",
            "groupKey": group.key, "truncatedAlerts": 0,
        }
