"""The sandbox alert source: evaluate the rules over the simulated cluster and post AlertManager webhooks."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from openclaw.sandbox import delivery
from openclaw.sandbox.alerts.conditions import History, evaluate
from openclaw.sandbox.alerts.dispatcher import Dispatcher
from openclaw.sandbox.alerts.evaluator import RuleEvaluator
from openclaw.sandbox.alerts.rules import load_rules
from openclaw.sandbox.kube.store import KubeStore
from openclaw.sandbox.simclock import SimClock

log = logging.getLogger(__name__)


@dataclass
class AlertSource:
    """Prometheus + AlertManager in one: `tick()` evaluates when due and queues notifications;
    `run()` posts them to `url` with `Authorization: Bearer <token>`."""

    store: KubeStore
    clock: SimClock
    url: str | None = None
    token: str | None = None
    evaluation_interval: float = 30.0
    dispatcher: Dispatcher = field(default_factory=Dispatcher)
    evaluator: RuleEvaluator = field(default_factory=lambda: RuleEvaluator(load_rules()))
    history: History = field(default_factory=History)
    sent: list[dict[str, Any]] = field(default_factory=list)
    # HTTP status of each posted notification (None when the receiver could not be reached)
    deliveries: list[int | None] = field(default_factory=list)
    outbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    retry: delivery.Retry = field(default_factory=delivery.Retry)
    _next_eval: float = 0.0

    def tick(self) -> None:
        now = self.clock.seconds()
        if now >= self._next_eval:
            self._next_eval = now + self.evaluation_interval
            samples = evaluate(self.store, now, self.history)
            self.dispatcher.receive(self.evaluator.evaluate(samples, now, self.clock.now()), now)
        for body in self.dispatcher.flush(now):
            self.sent.append(body)
            if self.url:
                self.outbox.put_nowait(body)

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
            while True:
                body = await self.outbox.get()
                headers = {"User-Agent": "Alertmanager/0.28.1"}
                if self.token:
                    headers["Authorization"] = f"Bearer {self.token}"
                try:
                    if self.url:
                        status, error, _attempts = await delivery.post(client, self.url, body, headers, self.retry)
                        self.deliveries.append(status)
                        if status is None:
                            log.warning("sandbox.alert_failed", extra={"error": error, "group": body["groupKey"]})
                        elif status >= 300:
                            log.warning("sandbox.alert_refused", extra={"status": status, "group": body["groupKey"]})
                finally:
                    self.outbox.task_done()

    def firing(self) -> list[str]:
        """Alert names firing now (Prometheus side), for scenario checks."""
        return sorted({a.rule.alert for a in self.evaluator.active.values() if a.firing})
