"""The policy matrix: action x namespace x mode x rate state, every refusal's reason and setting asserted."""

from __future__ import annotations

import itertools

import pytest

from openclaw.config.schema import OpsPolicySettings
from openclaw.ops.refs import ObjectRef
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Outcome
from openclaw.policy.rules import ClusterFacts, RateCounts, evaluate

PROTECTED = ["kube-system", "kube-public", "argocd", "vault", "external-secrets", "openclaw"]
NAMESPACED = {
    ActionKind.POD_DELETE: ObjectRef("Pod", "web-1", "{ns}"),
    ActionKind.WORKLOAD_RESTART: ObjectRef("Deployment", "web", "{ns}"),
    ActionKind.JOBS_CLEANUP: ObjectRef("CronJob", "backup", "{ns}"),
}
NODE_KINDS = [ActionKind.NODE_CORDON, ActionKind.NODE_UNCORDON, ActionKind.NODE_DRAIN, ActionKind.NODE_LABEL, ActionKind.NODE_TAINT]
MODES = ["observe", "dry-run", "enforce"]
# (name, counts as a function of the action's limits)
RATES = ["fresh", "object-at-limit", "kind-at-limit"]
TWO_NODES = ClusterFacts(schedulable_nodes=("node-a", "node-b"))


def policy(mode: str, **extra: object) -> OpsPolicySettings:
    return OpsPolicySettings.model_validate({"mode": mode, **extra})


def rate_for(state: str, pol: OpsPolicySettings, kind: ActionKind) -> RateCounts:
    a = pol.action(kind)
    if state == "object-at-limit":
        return RateCounts(kind=a.max_per_object_per_hour, object=a.max_per_object_per_hour)
    if state == "kind-at-limit":
        return RateCounts(kind=a.max_per_hour, object=0)
    return RateCounts()


def request(kind: ActionKind, ns: str | None = None) -> ActionRequest:
    if kind in NAMESPACED:
        t = NAMESPACED[kind]
        target = ObjectRef(t.kind, t.name, ns)
    else:
        target = ObjectRef("Node", "node-a")
    return ActionRequest(kind, target, Actor.runbook("test"), "matrix")


def mode_outcome(mode: str, kind: ActionKind) -> Outcome:
    if mode == "observe":
        return Outcome.OBSERVED
    if mode == "dry-run":
        return Outcome.DRY_RUN
    return Outcome.PENDING if kind is ActionKind.NODE_DRAIN else Outcome.APPLIED


@pytest.mark.parametrize(("kind", "ns", "mode", "rate"), list(itertools.product(NAMESPACED, ["media", *PROTECTED], MODES, RATES)))
def test_namespaced_action_matrix(kind: ActionKind, ns: str, mode: str, rate: str) -> None:
    pol = policy(mode)
    v = evaluate(request(kind, ns), pol, ClusterFacts(affected_pods=1), rate_for(rate, pol, kind))
    if ns in PROTECTED:
        assert v.outcome is Outcome.REFUSED
        assert v.reason == f"namespace {ns} is protected"
        assert v.setting == "ops.policy.protectedNamespaces"
    elif rate == "object-at-limit":
        limit = pol.action(kind).max_per_object_per_hour
        assert v.outcome is Outcome.REFUSED
        assert v.reason.startswith(f"rate limit: {kind} on {request(kind, ns).target} already ran {limit} time(s)")
        assert v.setting == f'ops.policy.actions["{kind}"].maxPerObjectPerHour'
    elif rate == "kind-at-limit":
        limit = pol.action(kind).max_per_hour
        assert v.outcome is Outcome.REFUSED
        assert v.reason == f"rate limit: {kind} already ran {limit} time(s) in the last hour (limit {limit})"
        assert v.setting == f'ops.policy.actions["{kind}"].maxPerHour'
    else:
        assert v.outcome is mode_outcome(mode, kind)
        assert v.setting == "ops.policy.mode"


@pytest.mark.parametrize(("kind", "mode", "rate"), list(itertools.product(NODE_KINDS, MODES, RATES)))
def test_node_action_matrix(kind: ActionKind, mode: str, rate: str) -> None:
    pol = policy(mode)
    v = evaluate(request(kind), pol, TWO_NODES, rate_for(rate, pol, kind))
    if rate == "object-at-limit":
        assert v.outcome is Outcome.REFUSED
        assert v.setting == f'ops.policy.actions["{kind}"].maxPerObjectPerHour'
        assert "Node/node-a" in v.reason
    elif rate == "kind-at-limit":
        assert v.outcome is Outcome.REFUSED
        assert v.setting == f'ops.policy.actions["{kind}"].maxPerHour'
    else:
        assert v.outcome is mode_outcome(mode, kind)
        if kind is ActionKind.NODE_DRAIN and mode == "enforce":
            assert v.setting == 'ops.policy.actions["node.drain"].requireApproval'
            assert v.reason == "node.drain needs an operator's approval"
        if kind is ActionKind.NODE_DRAIN and mode == "dry-run":
            assert "would need approval" in v.reason


@pytest.mark.parametrize("mode", MODES)
def test_namespace_outside_the_allowed_list_is_refused_in_every_mode(mode: str) -> None:
    pol = policy(mode, allowedNamespaces=["media"])
    v = evaluate(request(ActionKind.POD_DELETE, "downloads"), pol, ClusterFacts(affected_pods=1), RateCounts())
    assert (v.outcome, v.setting) == (Outcome.REFUSED, "ops.policy.allowedNamespaces")
    assert v.reason == "namespace downloads is not in the allowed list"


def test_protection_wins_over_the_allowed_list() -> None:
    pol = policy("enforce", allowedNamespaces=["kube-system"])
    v = evaluate(request(ActionKind.POD_DELETE, "kube-system"), pol, ClusterFacts(affected_pods=1), RateCounts())
    assert v.setting == "ops.policy.protectedNamespaces"


@pytest.mark.parametrize("kind", list(ActionKind))
def test_a_disabled_action_is_refused_naming_its_enabled_key(kind: ActionKind) -> None:
    pol = policy("enforce", actions={str(kind): {"enabled": False}})
    req = request(kind, "media") if kind in NAMESPACED else (
        ActionRequest(kind, ObjectRef("Deployment", "web", "media"), Actor.runbook("t"), "r", {"replicas": 1}) if kind is ActionKind.WORKLOAD_SCALE else request(kind)
    )
    v = evaluate(req, pol, TWO_NODES, RateCounts())
    assert (v.outcome, v.setting, v.reason) == (Outcome.REFUSED, f'ops.policy.actions["{kind}"].enabled', f"action {kind} is disabled")


def test_the_same_workload_is_restarted_at_most_three_times_an_hour_by_default() -> None:
    pol = policy("enforce")
    req = request(ActionKind.WORKLOAD_RESTART, "media")
    assert evaluate(req, pol, ClusterFacts(), RateCounts(kind=2, object=2)).outcome is Outcome.APPLIED
    v = evaluate(req, pol, ClusterFacts(), RateCounts(kind=3, object=3))
    assert v.outcome is Outcome.REFUSED and "limit 3" in v.reason


def test_more_pods_than_the_cap_is_refused_as_blast_radius() -> None:
    v = evaluate(request(ActionKind.JOBS_CLEANUP, "media"), policy("enforce", maxPodsPerAction=5), ClusterFacts(affected_pods=6), RateCounts())
    assert (v.outcome, v.setting) == (Outcome.REFUSED, "ops.policy.maxPodsPerAction")
    assert "would remove 6 pods (cap 5)" in v.reason


@pytest.mark.parametrize("kind", [ActionKind.NODE_CORDON, ActionKind.NODE_DRAIN])
def test_the_last_schedulable_node_is_never_cordoned_or_drained(kind: ActionKind) -> None:
    v = evaluate(request(kind), policy("enforce"), ClusterFacts(schedulable_nodes=("node-a",)), RateCounts())
    assert v.outcome is Outcome.REFUSED
    assert "node-a is the last schedulable node" in v.reason and "fixed rule" in v.reason


def test_a_second_agent_cordon_is_refused_while_one_node_is_cordoned() -> None:
    facts = ClusterFacts(schedulable_nodes=("node-a", "node-c"), agent_cordoned_nodes=("node-b",))
    v = evaluate(request(ActionKind.NODE_CORDON), policy("enforce"), facts, RateCounts())
    assert (v.outcome, v.setting) == (Outcome.REFUSED, "ops.policy.maxAgentCordonedNodes")
    assert "node-b" in v.reason


def test_uncordon_is_not_limited_by_the_cordon_cap() -> None:
    facts = ClusterFacts(schedulable_nodes=("node-c",), agent_cordoned_nodes=("node-a", "node-b"))
    assert evaluate(request(ActionKind.NODE_UNCORDON), policy("enforce"), facts, RateCounts()).outcome is Outcome.APPLIED


def test_a_spec_change_to_an_argocd_tracked_workload_is_proposed_not_applied() -> None:
    req = ActionRequest(ActionKind.WORKLOAD_SCALE, ObjectRef("Deployment", "web", "media"), Actor.agent("s1"), "more replicas", {"replicas": 3})
    v = evaluate(req, policy("enforce"), ClusterFacts(gitops_tracked_by="ArgoCD app media (label app.kubernetes.io/instance)"), RateCounts())
    assert (v.outcome, v.setting) == (Outcome.PROPOSED, "ops.policy.argocdAware")
    assert "self-heal would revert" in v.reason


def test_a_restart_of_an_argocd_tracked_workload_is_allowed() -> None:
    v = evaluate(request(ActionKind.WORKLOAD_RESTART, "media"), policy("enforce"), ClusterFacts(gitops_tracked_by="ArgoCD app media"), RateCounts())
    assert v.outcome is Outcome.APPLIED


def test_an_approved_drain_is_applied() -> None:
    v = evaluate(request(ActionKind.NODE_DRAIN), policy("enforce"), TWO_NODES, RateCounts(), approved=True)
    assert v.outcome is Outcome.APPLIED and "approved" in v.reason


def test_rules_run_in_order_namespace_before_rate() -> None:
    pol = policy("enforce")
    v = evaluate(request(ActionKind.POD_DELETE, "vault"), pol, ClusterFacts(affected_pods=99), RateCounts(kind=999, object=999))
    assert v.setting == "ops.policy.protectedNamespaces"
