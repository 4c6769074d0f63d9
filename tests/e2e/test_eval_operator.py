"""The eval's stand-in operator approves parked actions of the kinds a scenario names, through the
engine's approval path (rules checked again, the approver recorded); other kinds stay parked."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_lab import run_lab
from openclaw.evals.operator import APPROVER, approve_once
from openclaw.ops.refs import ObjectRef
from openclaw.policy.capability import policy_of
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Outcome

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def test_only_the_named_kinds_are_approved_and_they_run_through_policy(state_dir: Path) -> None:
    ops = {"policy": {"actions": {"node.cordon": {"requireApproval": True}}}}
    async with run_lab(state_dir, ops=ops) as lab:
        engine = policy_of(lab.gw.services)
        cordon = await engine.submit(ActionRequest(ActionKind.NODE_CORDON, ObjectRef("Node", "homelab-w3"), Actor.runbook("test"), "parked"))
        drain = await engine.submit(ActionRequest(ActionKind.NODE_DRAIN, ObjectRef("Node", "homelab-w2"), Actor.runbook("test"), "parked"))
        assert (cordon.outcome, drain.outcome) == (Outcome.PENDING, Outcome.PENDING)
        assert await approve_once(engine, frozenset({"node.cordon"})) == [cordon.action_id]
        done = await engine.wait(cordon.action_id, timeout_s=30)
        assert (done.outcome, done.verification) == (Outcome.APPLIED, "passed")
        assert lab.store.get("nodes", None, "homelab-w3")["spec"].get("unschedulable") is True
        record = engine.audit.get(cordon.action_id)
        assert record is not None and (record.resolved_by, record.decision) == (APPROVER, "approved by an operator; all rules passed")
        # The drain was not named: it stays parked, and a second pass approves nothing again.
        assert [r.id for r in engine.audit.pending()] == [drain.action_id]
        assert await approve_once(engine, frozenset({"node.cordon"})) == []


async def test_an_approval_is_still_checked_against_the_rules(state_dir: Path) -> None:
    ops = {"policy": {"actions": {"node.cordon": {"requireApproval": True}}, "maxAgentCordonedNodes": 1}}
    async with run_lab(state_dir, ops=ops) as lab:
        engine = policy_of(lab.gw.services)
        first = await engine.submit(ActionRequest(ActionKind.NODE_CORDON, ObjectRef("Node", "homelab-w3"), Actor.runbook("test"), "parked"))
        second = await engine.submit(ActionRequest(ActionKind.NODE_CORDON, ObjectRef("Node", "homelab-w2"), Actor.runbook("test"), "parked"))
        assert sorted(await approve_once(engine, frozenset({"node.cordon"}))) == sorted([first.action_id, second.action_id])
        outcomes = sorted([(await engine.wait(first.action_id, timeout_s=30)).outcome, (await engine.wait(second.action_id, timeout_s=30)).outcome])
        # The cordon cap holds after approval: one cordon runs, the other is refused when it is re-checked.
        assert outcomes == sorted([Outcome.APPLIED, Outcome.REFUSED])
