"""Prometheus' side: rule state per series (pending until `for` has passed, then firing, then resolved)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from openclaw.sandbox.alerts.conditions import PROMETHEUS, Sample
from openclaw.sandbox.alerts.fingerprint import fingerprint
from openclaw.sandbox.alerts.rules import Rule, render


@dataclass
class RuleAlert:
    rule: Rule
    labels: dict[str, str]
    annotations: dict[str, str]
    active_since: float
    active_at: datetime
    value: float
    firing: bool = False
    resolved_at: datetime | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.labels)


@dataclass
class RuleEvaluator:
    rules: dict[str, Rule]
    external_labels: dict[str, str] = field(default_factory=lambda: {"prometheus": PROMETHEUS})
    active: dict[str, RuleAlert] = field(default_factory=dict)

    def evaluate(self, samples: list[Sample], now: float, now_dt: datetime) -> list[RuleAlert]:
        """Update rule state from this evaluation's samples; return alerts to send (firing, and newly resolved)."""
        seen: set[str] = set()
        for sample in samples:
            rule = self.rules[sample.rule]
            labels = {**sample.labels, **rule.labels, "alertname": rule.alert, **self.external_labels}
            fp = fingerprint(labels)
            seen.add(fp)
            alert = self.active.get(fp)
            if alert is None or alert.resolved_at is not None:
                alert = RuleAlert(rule, labels, {}, now, now_dt, sample.value)
                self.active[fp] = alert
            alert.value = sample.value
            alert.annotations = {k: render(v, labels, sample.value) for k, v in rule.annotations.items()}
            if not alert.firing and now - alert.active_since >= rule.for_seconds:
                alert.firing = True
        out: list[RuleAlert] = []
        for fp, alert in list(self.active.items()):
            if fp in seen:
                if alert.firing:
                    out.append(alert)
                continue
            if alert.firing and alert.resolved_at is None:
                alert.resolved_at = now_dt
                out.append(alert)
            del self.active[fp]
        return out
