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
