"""A runbook whose pod is already gone (its ReplicaSet replaced it) notes that on the incident;
a NotFound for anything else stays a failure a person hears of."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ops_lab import HOOK_TOKEN, Lab, run_lab
from openclaw.incidents import incidents_of
from openclaw.ops.refs import ObjectRef
from openclaw.runbooks.capability import runbooks_of
from openclaw.runbooks.escalation import Escalations
from openclaw.runbooks.models import AlertContext, Report, Status
from openclaw.runbooks.registry import Registry, Runbook, RunContext, Trigger
from openclaw.runbooks.runner import Runner
from openclaw.runbooks.steps import pod_ref

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def replace_a_sonarr_pod(lab: Lab) -> tuple[str, str]:
    """Delete the running sonarr pod; (its name, the replacement's name) once the ReplicaSet made one."""
    old = lab.pods("media", "sonarr-")[0]["metadata"]["name"]
    lab.store.delete("pods", "media", old)

    async def replaced() -> bool:
        return any(p["metadata"]["name"] != old for p in lab.pods("media", "sonarr-")) and not any(p["metadata"]["name"] == old for p in lab.pods("media"))

    await lab.run_until(replaced, max_sim_s=600, every=5)
    [new] = [p["metadata"]["name"] for p in lab.pods("media", "sonarr-")]
    return old, new


async def test_pod_not_ready_for_a_replaced_pod_notes_the_replacement_and_pages_nobody(state_dir: Path) -> None:
    async with run_lab(state_dir) as lab:
        old, new = await replace_a_sonarr_pod(lab)
        labels = {"alertname": "KubePodNotReady", "namespace": "media", "pod": old, "severity": "warning"}
        body = {"receiver": "openclaw", "status": "firing", "groupLabels": {"alertname": "KubePodNotReady", "namespace": "media"},
                "alerts": [{"status": "firing", "labels": labels, "annotations": {}, "startsAt": "2026-11-24T01:00:00Z",
                            "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "gone1", "generatorURL": ""}],
                "commonLabels": labels, "commonAnnotations": {}, "externalURL": "http://alertmanager", "version": "4",
                "groupKey": '{}:{alertname="KubePodNotReady", namespace="media"}', "truncatedAlerts": 0}
        async with httpx.AsyncClient(base_url=lab.gw.http_url) as http:
            r = await http.post("/hooks/alertmanager", json=body, headers={"Authorization": f"Bearer {HOOK_TOKEN}"})
        assert r.status_code == 202
        await lab.settle()
        runner = runbooks_of(lab.gw.services)
        assert await runner.escalations.list() == []  # neither an escalation nor an operator report
        findings = await incidents_of(lab.gw.services).list_notes(kinds=("finding",))
        assert [(n.author, n.summary) for n in findings] == [
            ("runbook:pod-not-ready", f"pod media/{old} is gone, replaced by {new} (Ready); nothing to do")]
        assert [a for a in lab.actions()] == []


async def read_target_then(ctx: RunContext) -> Report:
    """A runbook that reads its pod after the alert: raises the API's NotFound when it is gone."""
    await ctx.client.get(pod_ref(ctx))
    await ctx.client.get(ObjectRef("Node", "homelab-w9"))  # no such node: a NotFound that is not about the target
    return Report(ctx.runbook, Status.FIXED, "unreachable")


@pytest.mark.parametrize("target_gone", [True, False], ids=["target-gone", "other-object-missing"])
async def test_a_not_found_mid_run_is_an_outcome_only_when_the_target_is_gone(state_dir: Path, target_gone: bool) -> None:
    async with run_lab(state_dir) as lab:
        if target_gone:
            pod, new = await replace_a_sonarr_pod(lab)
        else:
            pod, new = lab.pods("media", "sonarr-")[0]["metadata"]["name"], ""
        services = lab.gw.services
        builtin = runbooks_of(services)
        escalations = Escalations(incidents_of(services))
        runner = Runner(Registry([Runbook("reads", Trigger(("KubePodNotReady",)), read_target_then, "reads")]),
                        builtin.policy, escalations, builtin.memory, incidents_of(services))
        report = await runner.handle(AlertContext("KubePodNotReady", "firing", {"namespace": "media", "pod": pod}, {}, "fp-gone", None))
        assert report is not None
        if target_gone:
            assert report.status is Status.NOTED
            assert report.summary == f"pod media/{pod} is gone, replaced by {new} (Ready); nothing to do"
        else:
            assert report.status is Status.ESCALATED
            assert report.summary.startswith("runbook reads failed: KubeRequestError: get Node/homelab-w9")
