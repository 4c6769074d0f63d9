"""The door for every backend: targets by key and scope, typed params per kind, and one decision
lock per backend, so a slow backend's reads never hold up another backend's decision."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from openclaw.config.schema import OpsSettings
from openclaw.ops.refs import ObjectRef
from openclaw.policy import actions
from openclaw.policy.audit import AuditLog
from openclaw.policy.engine import PolicyEngine
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Outcome
from openclaw.policy.rules import ClusterFacts
from openclaw.policy.targets import Target


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    audit = AuditLog(tmp_path / "events.db")
    yield PolicyEngine(None, audit, lambda: OpsSettings())
    audit.close()


def request(kind: ActionKind, target: ObjectRef, params: dict[str, Any] | None = None) -> ActionRequest:
    return ActionRequest(kind, target, Actor.agent("s1"), "r", params or {})


def test_an_object_ref_is_a_target_with_its_namespace_as_scope() -> None:
    pod, node, ns = ObjectRef("Pod", "web-1", "media"), ObjectRef("Node", "w1"), ObjectRef("Namespace", "media")
    assert all(isinstance(t, Target) for t in (pod, node, ns))
    assert [(t.key, t.scope) for t in (pod, node, ns)] == [("Pod/media/web-1", "media"), ("Node/w1", None), ("Namespace/media", "media")]


@pytest.mark.parametrize(
    ("kind", "params", "reason"),
    [
        (ActionKind.WORKLOAD_SCALE, {"replicas": -1}, "params.replicas: Input should be greater than or equal to 0, got -1"),
        (ActionKind.WORKLOAD_SCALE, {"replicas": True}, "params.replicas: Input should be a valid integer, got True"),
        (ActionKind.WORKLOAD_SCALE, {"replicas": 2, "replica": 3}, "params.replica: Extra inputs are not permitted, got 3"),
        (ActionKind.WORKLOAD_RESTART, {"force": True}, "params.force: Extra inputs are not permitted, got True"),
    ],
)
async def test_params_are_checked_by_the_kinds_model_naming_the_field(engine: PolicyEngine, kind: ActionKind, params: dict[str, Any], reason: str) -> None:
    decision = await engine.submit(request(kind, ObjectRef("Deployment", "sonarr", "media"), params))
    assert decision.outcome is Outcome.REFUSED
    assert decision.reason == f"invalid request: {reason}"


async def test_node_params_are_typed_too(engine: PolicyEngine) -> None:
    node = ObjectRef("Node", "w1")
    taint = await engine.submit(request(ActionKind.NODE_TAINT, node, {"add": [{"key": "k", "effect": "Sometimes"}]}))
    assert taint.reason.startswith("invalid request: params.add.0.effect: Input should be 'NoSchedule', 'PreferNoSchedule' or 'NoExecute'")
    empty = await engine.submit(request(ActionKind.NODE_TAINT, node, {}))
    assert empty.reason == "invalid request: params.add / params.remove: expected lists of taints {key, value?, effect} / keys, at least one entry"
    wrong = await engine.submit(request(ActionKind.POD_DELETE, ObjectRef("Deployment", "sonarr", "media")))
    assert wrong.reason == "invalid request: target: pod.delete needs a Pod, got Deployment"


async def test_a_slow_backend_does_not_hold_up_the_decisions_of_another(engine: PolicyEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in second backend: node.label's spec, moved to a backend whose facts read hangs.
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow_facts(client: object, req: object, params: object, ops: object) -> ClusterFacts:
        entered.set()
        await release.wait()
        return ClusterFacts()

    slow = dataclasses.replace(actions.SPECS[ActionKind.NODE_LABEL], backend="slow-app", client=lambda b: "client", facts=slow_facts)
    monkeypatch.setitem(actions.SPECS, ActionKind.NODE_LABEL, slow)
    stuck = asyncio.create_task(engine.submit(request(ActionKind.NODE_LABEL, ObjectRef("Node", "w1"), {"labels": {"a": "b"}})))
    await asyncio.wait_for(entered.wait(), 5)
    # The cluster backend decides at once (here: refused, no client) while the slow read still runs.
    cordon = await asyncio.wait_for(engine.submit(request(ActionKind.NODE_UNCORDON, ObjectRef("Node", "w2"))), 2)
    assert "no Kubernetes client configured (ops.kube)" in cordon.reason and not stuck.done()
    release.set()
    await asyncio.wait_for(stuck, 5)
