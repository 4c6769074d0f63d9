"""The audit log and the approval lifecycle, on a real SQLite file with an injected clock (no cluster)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openclaw.config.schema import OpsSettings
from openclaw.errors import StateError
from openclaw.ops.refs import ObjectRef
from openclaw.policy.audit import AuditLog
from openclaw.policy.engine import PolicyEngine
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Outcome


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def drain_request() -> ActionRequest:
    return ActionRequest(ActionKind.NODE_DRAIN, ObjectRef("Node", "homelab-w2"), Actor.operator("alice"), "disk swap", incident="inc-7")


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "events.db")
    yield log  # type: ignore[misc]  # pytest fixture generator
    log.close()


@pytest.fixture
def events() -> list[tuple[str, dict[str, Any]]]:
    return []


@pytest.fixture
def engine(audit: AuditLog, events: list[tuple[str, dict[str, Any]]]) -> tuple[PolicyEngine, Clock]:
    clock = Clock()
    settings = OpsSettings.model_validate({"approvalTimeout": "10m"})
    return PolicyEngine(None, audit, lambda: settings, lambda e, p: events.append((e, p)), clock=clock), clock


def park(audit: AuditLog, clock: Clock, timeout: float = 600) -> str:
    action_id = audit.open_record(drain_request(), mode="enforce", outcome=Outcome.PENDING, decision="needs approval", setting="x", now=clock.now)
    audit.update(action_id, expires_at=clock.now + timeout)
    return action_id


async def test_a_protected_namespace_is_refused_and_recorded_without_reading_the_cluster(engine: tuple[PolicyEngine, Clock], events: list[Any]) -> None:
    eng, _ = engine
    req = ActionRequest(ActionKind.POD_DELETE, ObjectRef("Pod", "coredns-1", "kube-system"), Actor.runbook("crashloop"), "CrashLooping", incident="inc-1")
    decision = await eng.submit(req)
    assert (decision.outcome, decision.setting, decision.reason) == (Outcome.REFUSED, "ops.policy.protectedNamespaces", "namespace kube-system is protected")
    [row] = eng.audit.list()
    assert (row.kind, row.target, row.actor, row.incident, row.outcome, row.executed) == ("pod.delete", "Pod/kube-system/coredns-1", "runbook:crashloop", "inc-1", "refused", False)
    assert [e for e, _ in events] == ["action.decided", "action.completed"]


async def test_without_a_cluster_every_allowed_action_is_refused_with_the_reason(engine: tuple[PolicyEngine, Clock]) -> None:
    eng, _ = engine
    decision = await eng.submit(ActionRequest(ActionKind.WORKLOAD_RESTART, ObjectRef("Deployment", "sonarr", "media"), Actor.agent("s1"), "r"))
    assert decision.outcome is Outcome.REFUSED and "no Kubernetes client configured (ops.kube)" in decision.reason


async def test_bad_params_are_refused_naming_the_field(engine: tuple[PolicyEngine, Clock]) -> None:
    eng, _ = engine
    decision = await eng.submit(ActionRequest(ActionKind.WORKLOAD_SCALE, ObjectRef("Deployment", "sonarr", "media"), Actor.agent("s1"), "r", {"replicas": "two"}))
    assert decision.outcome is Outcome.REFUSED and decision.reason.startswith("invalid request: params.replicas")


async def test_a_denied_action_is_closed_and_never_runs(engine: tuple[PolicyEngine, Clock], events: list[Any]) -> None:
    eng, clock = engine
    action_id = park(eng.audit, clock)
    decision = await eng.resolve(action_id, approve=False, by="operator:bob")
    assert decision.outcome is Outcome.DENIED and decision.reason == "denied by operator:bob"
    row = eng.audit.get(action_id)
    assert row is not None and (row.resolution, row.resolved_by, row.executed) == ("denied", "operator:bob", False)
    assert [p["resolution"] for e, p in events if e == "approval.resolved"] == ["denied"]
    with pytest.raises(StateError, match="not awaiting approval"):
        await eng.resolve(action_id, approve=True, by="operator:bob")


async def test_an_unanswered_action_expires_after_the_approval_timeout(engine: tuple[PolicyEngine, Clock]) -> None:
    eng, clock = engine
    action_id = park(eng.audit, clock, timeout=600)
    clock.now += 599
    await eng.sweep()
    assert eng.audit.get(action_id).outcome == "pending_approval"  # type: ignore[union-attr]
    clock.now += 2
    await eng.sweep()
    row = eng.audit.get(action_id)
    assert row is not None and (row.outcome, row.setting) == ("expired", "ops.approvalTimeout")
    with pytest.raises(StateError):
        await eng.resolve(action_id, approve=True, by="operator:bob")


def test_approving_after_expiry_is_refused_and_marks_it_expired(audit: AuditLog) -> None:
    clock = Clock()
    action_id = park(audit, clock, timeout=60)
    with pytest.raises(StateError, match="expired"):
        audit.resolve(action_id, approve=True, by="operator:bob", now=clock.now + 61)
    assert audit.get(action_id).outcome == "expired"  # type: ignore[union-attr]


async def test_an_answer_written_by_the_cli_to_the_file_is_taken_up_by_the_sweep(engine: tuple[PolicyEngine, Clock], tmp_path: Path) -> None:
    eng, clock = engine
    action_id = park(eng.audit, clock)
    other = AuditLog(tmp_path / "events.db")  # the CLI's own connection to the same file
    other.resolve(action_id, approve=True, by="operator:cli", now=clock.now)
    other.close()
    await eng.sweep()
    final = await eng.wait(action_id, timeout_s=5)
    # Approved, then re-checked against the cluster, which this engine cannot reach: refused with both facts.
    assert final.outcome is Outcome.REFUSED
    assert final.reason.startswith("approved by operator:cli, then the cluster could not be read")


def test_rate_counts_only_executed_actions_in_the_window(audit: AuditLog) -> None:
    req = ActionRequest(ActionKind.WORKLOAD_RESTART, ObjectRef("Deployment", "sonarr", "media"), Actor.runbook("crashloop"), "r")
    t = 1_800_000_000.0
    for i, executed in enumerate([True, True, False]):
        action_id = audit.open_record(req, mode="enforce", outcome=Outcome.APPLIED, decision="ok", setting=None, now=t + i)
        if executed:
            audit.update(action_id, executed=1)
    old = audit.open_record(req, mode="enforce", outcome=Outcome.APPLIED, decision="ok", setting=None, now=t - 7200)
    audit.update(old, executed=1)
    assert audit.count_executed("workload.restart", since=t - 3600) == 2
    assert audit.count_executed("workload.restart", since=t - 3600, target="Deployment/media/radarr") == 0


def test_unknown_audit_columns_are_rejected(audit: AuditLog) -> None:
    action_id = audit.open_record(drain_request(), mode="enforce", outcome=Outcome.REFUSED, decision="x", setting=None)
    with pytest.raises(ValueError, match="unknown audit columns"):
        audit.update(action_id, outcom="typo")
