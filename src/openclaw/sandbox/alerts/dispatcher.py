"""AlertManager's side: group alerts, wait, notify the webhook receiver, repeat, resolve.

Grouping by `group_by` labels; a new group waits `group_wait` before its first notification, later
changes go out at the next `group_interval` tick, and an unchanged group is sent again once
`repeat_interval` has passed since its last notification. Bodies are webhook version 4.

Child routes (`Route`, first match wins, as AlertManager's `routes:` without `continue`) override
the timings for the alerts they match and group them apart; a homelab that uses Watchdog as its
dead-man's switch routes it with a `repeat_interval` shorter than the receiver's silence limit.
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


def _label_set(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


@dataclass(frozen=True)
class Route:
    """A child route: alerts whose labels equal all of `matchers`; None timings inherit the root's."""

    matchers: dict[str, str]
    group_wait: float | None = None
    group_interval: float | None = None
    repeat_interval: float | None = None

    def matches(self, labels: dict[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in self.matchers.items())


@dataclass
class Group:
    labels: dict[str, str]
    next_flush: float
    group_interval: float
    repeat_interval: float
    route: Route | None = None
    alerts: dict[str, GroupedAlert] = field(default_factory=dict)
    last_sent: frozenset[tuple[str, str]] = frozenset()
    last_notified: float | None = None

    @property
    def key(self) -> str:
        # AlertManager's group key: the route's matchers from the root down, then the group labels.
        path = "{}" + (f"/{_label_set(self.route.matchers)}" if self.route else "")
        return f"{path}:{_label_set(self.labels)}"


@dataclass
class Dispatcher:
    receiver: str = "openclaw"
    group_by: tuple[str, ...] = ("alertname", "namespace")
    group_wait: float = 30.0
    group_interval: float = 300.0
    repeat_interval: float = 4 * 3600.0
    external_url: str = "http://kube-prometheus-stack-alertmanager.monitoring:9093"
    routes: tuple[Route, ...] = ()
    groups: dict[tuple[int, tuple[tuple[str, str], ...]], Group] = field(default_factory=dict)

    def _route(self, labels: dict[str, str]) -> tuple[int, Route | None]:
        for index, route in enumerate(self.routes):
            if route.matches(labels):
                return index, route
        return -1, None

    def _new_group(self, labels: dict[str, str], route: Route | None, now: float) -> Group:
        def pick(own: float | None, root: float) -> float:
            return root if own is None else own

        wait = pick(route.group_wait, self.group_wait) if route else self.group_wait
        interval = pick(route.group_interval, self.group_interval) if route else self.group_interval
        repeat = pick(route.repeat_interval, self.repeat_interval) if route else self.repeat_interval
        return Group(labels, now + wait, interval, repeat, route)

    def receive(self, alerts: list[RuleAlert], now: float) -> None:
        for alert in alerts:
            glabels = {k: alert.labels[k] for k in self.group_by if alert.labels.get(k)}
            index, route = self._route(alert.labels)
            key = (index, tuple(sorted(glabels.items())))
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = self._new_group(glabels, route, now)
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
            group.next_flush = now + group.group_interval
            state = frozenset((fp, a.status) for fp, a in group.alerts.items())
            repeat_due = group.last_notified is not None and now - group.last_notified >= group.repeat_interval
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
