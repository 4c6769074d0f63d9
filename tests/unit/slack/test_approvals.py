"""Slack answers to parked actions on a real audit log and policy engine (no cluster needed to
deny or to find an action expired): what is refused changes nothing and says why."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from openclaw.config.schema import OpsSettings, SlackSettings
from openclaw.ops.refs import ObjectRef
from openclaw.policy.audit import AuditLog
from openclaw.policy.engine import PolicyEngine
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Outcome
from openclaw.slack.approvals import answer
from openclaw.slack.feed import param_hash

SLACK = SlackSettings.model_validate({"approvers": {"UAPP": ["operator.approvals"], "UREAD": ["operator.read"]}})


def parked(tmp_path: Path, *, expires_in: float) -> tuple[PolicyEngine, str, list[tuple[str, dict[str, Any]]]]:
    published: list[tuple[str, dict[str, Any]]] = []
    engine = PolicyEngine(None, AuditLog(tmp_path / "events.db"), lambda: OpsSettings(), lambda e, p: published.append((e, p)))
    request = ActionRequest(kind=ActionKind.WORKLOAD_RESTART, target=ObjectRef("Deployment", "sonarr", "media"), actor=Actor.runbook("crashloop"), reason="test")
    action_id = engine.audit.open_record(request, mode="enforce", outcome=Outcome.PENDING, decision="approval required", setting=None)
    engine.audit.update(action_id, expires_at=time.time() + expires_in)
    return engine, action_id, published


async def test_deny_is_recorded_as_the_slack_user_and_a_reader_cannot_answer(tmp_path: Path) -> None:
    engine, action_id, published = parked(tmp_path, expires_in=900)
    rec = engine.audit.get(action_id)
    assert rec is not None
    reader = await answer(engine, SLACK, user="UREAD", action_id=action_id, approve=True, expected_hash=param_hash(rec.to_json()))
    assert not reader.ok and "not an approver" in reader.message
    got = await answer(engine, SLACK, user="UAPP", action_id=action_id, approve=False, expected_hash=param_hash(rec.to_json()))
    assert got.ok, got.message
    rec = engine.audit.get(action_id)
    assert rec is not None and (rec.outcome, rec.resolution, rec.resolved_by) == ("denied", "denied", "slack:UAPP")
    assert any(e == "approval.resolved" and p["id"] == action_id for e, p in published), "the Slack message is told the outcome"
    again = await answer(engine, SLACK, user="UAPP", action_id=action_id, approve=True, expected_hash=None)
    assert not again.ok and "already decided (denied by slack:UAPP)" in again.message


async def test_an_expired_button_says_so_and_runs_nothing(tmp_path: Path) -> None:
    engine, action_id, published = parked(tmp_path, expires_in=-1)
    got = await answer(engine, SLACK, user="UAPP", action_id=action_id, approve=True, expected_hash=None)
    assert not got.ok and "expired" in got.message
    rec = engine.audit.get(action_id)
    assert rec is not None and rec.outcome == "expired" and rec.resolution is None and not rec.executed
    missing = await answer(engine, SLACK, user="UAPP", action_id="act_nope", approve=True, expected_hash=None)
    assert not missing.ok and "No action act_nope" in missing.message
