"""Runbooks end to end: sandbox faults -> alert source -> gateway webhook -> incident -> runbook ->
policy -> lightkube -> sandbox API, asserted on the cluster, the audit log and the incidents."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_lab import Lab, crash_current_pods, pin_fault_to_current_pods, run_lab

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TRANSIENT = "dial tcp 10.43.12.7:5432: connect: connection refused"


def restarted_at(lab: Lab, namespace: str, name: str) -> str | None:
    dep = lab.store.get("deployments", namespace, name)
    return ((dep["spec"]["template"].get("metadata") or {}).get("annotations") or {}).get("kubectl.kubernetes.io/restartedAt")


async def test_a_transient_crashloop_is_restarted_once_and_the_incident_resolves(state_dir: Path) -> None:
    async with run_lab(state_dir) as lab:
        fault = crash_current_pods(lab, "media", "sonarr", TRANSIENT, fixed_by_restart=True)
        await lab.step(5)
        pin_fault_to_current_pods(lab, fault, "media", "sonarr")

        async def restarted() -> bool:
            return any(a.kind == "workload.restart" for a in lab.actions())

        await lab.run_until(restarted)

        async def healthy_and_resolved() -> bool:
            statuses = await lab.incident_statuses()
            return bool(lab.ready_pods("media", "sonarr-")) and bool(statuses) and all(s == "resolved" for s in statuses.values())

        await lab.run_until(healthy_and_resolved)
        actions = lab.actions()
        assert [(a.kind, a.target, a.outcome, a.verification) for a in actions] == [
            ("workload.restart", "Deployment/media/sonarr", "applied", "passed")
        ]
        assert actions[0].actor == "runbook:crashloop" and actions[0].incident is not None
        assert "connection refused" in actions[0].reason
        assert restarted_at(lab, "media", "sonarr") is not None
        assert all(restarted_at(lab, "media", other) is None for other in ("radarr", "lidarr", "jellyfin"))


async def test_a_crashloop_a_restart_does_not_fix_stops_at_the_rate_limit_and_escalates(state_dir: Path) -> None:
    async with run_lab(state_dir) as lab:
        crash_current_pods(lab, "media", "radarr", TRANSIENT, fixed_by_restart=False)

        async def refused() -> bool:
            return any(a.outcome == "refused" for a in lab.actions())

        await lab.run_until(refused, max_sim_s=6 * 3600)
        actions = lab.actions()
        restarts = [a for a in actions if a.kind == "workload.restart"]
        assert [a.outcome for a in restarts] == ["applied", "applied", "applied", "refused"]
        assert all(a.verification and a.verification.startswith("failed") for a in restarts[:3])
        assert restarts[3].setting == 'ops.policy.actions["workload.restart"].maxPerObjectPerHour'
        assert {a.kind for a in actions} == {"workload.restart"}
        escalations = lab_escalations(lab)
        last = escalations[0]
        assert last["routedTo"] == "operator" and last["runbook"] == "crashloop"
        assert "refused by policy" in last["summary"] and "rate limit" in last["summary"]
        assert "connection refused" in (last["diagnosis"] or "")
        # every failed verification was escalated too, not retried blindly within one run
        assert sum("expected state did not follow" in e["summary"] for e in escalations) == 3


def lab_escalations(lab: Lab) -> list[dict[str, object]]:
    from openclaw.runbooks.capability import runbooks_of

    return runbooks_of(lab.gw.services).escalations.list()


PROTECTED = ("kube-system", "kube-public", "argocd", "vault", "external-secrets", "openclaw")


async def test_a_notready_node_is_cordoned_its_pods_rescheduled_and_uncordoned_once_back(state_dir: Path) -> None:
    async with run_lab(state_dir) as lab:
        node = "homelab-w1"
        on_node = {p["metadata"]["namespace"] for p in lab.store.list("pods", None) if p["spec"].get("nodeName") == node}
        assert "media" in on_node
        protected_before = {p["metadata"]["uid"] for p in lab.store.list("pods", None) if p["metadata"]["namespace"] in PROTECTED}
        lab.cluster.faults.set_node_ready(node, False)

        async def media_moved() -> bool:
            kinds = {(a.kind, a.outcome) for a in lab.actions()}
            stranded = [p for p in lab.pods("media") if p["spec"].get("nodeName") == node]
            return ("node.cordon", "applied") in kinds and ("pod.delete", "applied") in kinds and not stranded

        await lab.run_until(media_moved)
        assert lab.store.get("nodes", None, node)["spec"].get("unschedulable") is True
        lab.cluster.faults.set_node_ready(node, True)

        async def back_and_resolved() -> bool:
            statuses = await lab.incident_statuses()
            uncordoned = not lab.store.get("nodes", None, node)["spec"].get("unschedulable")
            return uncordoned and bool(statuses) and all(s == "resolved" for s in statuses.values())

        await lab.run_until(back_and_resolved)
        applied = [a for a in lab.actions() if a.outcome == "applied"]
        assert {a.kind for a in applied} == {"node.cordon", "pod.delete", "node.uncordon"}
        assert all(a.namespace not in PROTECTED for a in applied)
        assert [(a.kind, a.target, a.verification) for a in applied if a.verification != "passed"] == []
        refused = [a for a in lab.actions() if a.outcome == "refused"]
        assert all(a.setting == "ops.policy.protectedNamespaces" for a in refused)
        protected_after = {p["metadata"]["uid"] for p in lab.store.list("pods", None) if p["metadata"]["namespace"] in PROTECTED}
        deleted_by_us = {a.details.get("uid") for a in applied if a.kind == "pod.delete"}
        assert not (protected_before - protected_after) & deleted_by_us
