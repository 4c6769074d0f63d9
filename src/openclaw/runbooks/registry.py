"""Runbooks as data: a trigger (alert names plus label matchers) and the steps to run.

A step acts only through `RunContext.submit`, i.e. `policy.submit()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from openclaw.ops.reader import KubeReader
from openclaw.ops.refs import ObjectRef
from openclaw.policy.engine import PolicyEngine
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Decision
from openclaw.runbooks.memory import FixMemory
from openclaw.runbooks.models import AlertContext, Report


@dataclass
class RunContext:
    alert: AlertContext
    client: KubeReader  # reads only: a runbook changes the cluster through ctx.submit (policy)
    policy: PolicyEngine
    runbook: str
    memory: FixMemory
    decisions: list[Decision] = field(default_factory=list)
    # The runner's set of runbook tasks waiting for an operator: a gateway shutdown cancels those waits.
    parked: set[asyncio.Task[Any]] = field(default_factory=set)

    async def submit(self, kind: ActionKind, target: ObjectRef, why: str, params: dict[str, object] | None = None) -> Decision:
        """Ask policy for one change; the reason names the alert and the runbook's own finding."""
        request = ActionRequest(
            kind=kind,
            target=target,
            actor=Actor.runbook(self.runbook),
            reason=f"{self.alert.alertname}: {why}",
            params=dict(params or {}),
            incident=self.alert.incident_id,
        )
        decision = await self.policy.submit(request)
        self.decisions.append(decision)
        return decision

    async def answered(self, decision: Decision) -> Decision:
        """The final decision of a parked action: the operator's answer and, once approved, its
        execution and verification. A gateway shutdown cancels the wait; the action stays parked."""
        task = asyncio.current_task()
        if task is not None:
            self.parked.add(task)
        try:
            final = await self.policy.wait(decision.action_id)
        finally:
            if task is not None:
                self.parked.discard(task)
        self.decisions = [final if d is decision else d for d in self.decisions]
        return final


Steps = Callable[[RunContext], Awaitable[Report]]


@dataclass(frozen=True)
class Trigger:
    alertnames: tuple[str, ...]
    matchers: dict[str, str] = field(default_factory=dict)

    def matches(self, alert: AlertContext) -> bool:
        return alert.alertname in self.alertnames and all(alert.labels.get(k) == v for k, v in self.matchers.items())


@dataclass(frozen=True)
class Runbook:
    id: str
    trigger: Trigger
    steps: Steps
    description: str
    acts: bool = True  # False: report-only by design (never submits an action)


class Registry:
    def __init__(self, runbooks: list[Runbook] | None = None) -> None:
        self._runbooks: list[Runbook] = list(runbooks or [])

    def add(self, runbook: Runbook) -> None:
        if any(r.id == runbook.id for r in self._runbooks):
            raise ValueError(f"runbook {runbook.id} registered twice")
        self._runbooks.append(runbook)

    def match(self, alert: AlertContext) -> Runbook | None:
        return next((r for r in self._runbooks if r.trigger.matches(alert)), None)

    def all(self) -> list[Runbook]:
        return list(self._runbooks)
