"""`overview.get` over the WebSocket against a real gateway and the sandbox cluster: a crash loop, a
NotReady node and a cordon show in the counts, the runbook's restart waits for approval, the 24 h
series counts what happened this hour, and a gateway without a cluster still answers the rest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from ops_lab import crash_current_pods, run_lab
from openclaw.gateway.client import GatewayError
from openclaw.gateway.embedded import run_embedded

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NEEDS_APPROVAL = {"policy": {"actions": {"workload.restart": {"requireApproval": True}}}}


async def test_the_overview_counts_what_the_cluster_incidents_and_actions_show(state_dir: Path) -> None:
    async with run_lab(state_dir, ops=NEEDS_APPROVAL) as lab:
        await lab.step(60)
        async with lab.gw.client() as client:
            calm: dict[str, Any] = await client.call("overview.get")
        assert calm["cluster"]["available"] is True
        assert calm["cluster"]["nodes"] == {"total": 4, "ready": 4, "notReady": [], "cordoned": []}
        assert calm["actions"]["pending"] == []
        assert calm["series"]["hours"] == 24 and len(calm["incidents"]["openedPerHour"]) == 24 and len(calm["actions"]["perHour"]) == 24
        assert calm["agent"]["available"] is True and calm["agent"]["offline"] is True and calm["agent"]["model"] is None
        assert calm["agent"]["budget"]["tokensPerDay"] > 0
        assert calm["media"]["available"] is True and calm["media"]["items"] == 0
        assert list(calm["media"]["byStage"])[:2] == ["requested", "approved"] and calm["media"]["stuck"] == 0  # pipeline order

        # A transient crash the runbook would restart: here the restart waits for a person.
        crash_current_pods(lab, "media", "sonarr", "dial tcp 10.43.12.7:5432: connect: connection refused", fixed_by_restart=True)

        async def restart_waits() -> bool:
            return any(a.kind == "workload.restart" and a.outcome == "pending_approval" for a in lab.actions())

        await lab.run_until(restart_waits)
        lab.cluster.faults.set_node_ready("homelab-w3", False)
        lab.store.mutate("nodes", None, "homelab-w2", lambda node: node["spec"].update(unschedulable=True))
        await lab.step(1)
        async with lab.gw.client() as client:
            seen: dict[str, Any] = await client.call("overview.get")
            listed = (await client.call("incidents.list", {"status": "firing"}))["incidents"]

    cluster = seen["cluster"]
    assert cluster["nodes"]["notReady"] == ["homelab-w3"]
    assert cluster["nodes"]["cordoned"] == ["homelab-w2"]
    assert cluster["nodes"]["ready"] == 3
    media = cluster["pods"]["notRunningByNamespace"]["media"]
    assert any(p.startswith("sonarr-") for p in media["pods"]) and media["count"] >= 1
    assert cluster["pods"]["notRunning"] == sum(ns["count"] for ns in cluster["pods"]["notRunningByNamespace"].values())

    incidents = seen["incidents"]
    by_severity: dict[str, int] = {}
    for i in listed:
        by_severity[i["severity"]] = by_severity.get(i["severity"], 0) + 1
    assert incidents["firingBySeverity"] == by_severity and incidents["firing"] == len(listed) >= 1
    assert incidents["openedPerHour"][-1] + incidents["openedPerHour"][-2] >= 1  # this hour (or the last, across an hour's edge)
    [watchdog] = [h for h in incidents["heartbeats"] if h["name"] == "Watchdog"]
    assert watchdog["lastFiring"] and watchdog["state"] == "ok"

    actions = seen["actions"]
    [pending] = [a for a in actions["pending"] if a["kind"] == "workload.restart"]
    assert pending["target"] == "Deployment/media/sonarr" and pending["outcome"] == "pending_approval"
    assert pending["id"] in {a["id"] for a in actions["recent"]}
    assert sum(actions["perHour"]) == sum(actions["last24hByOutcome"].values()) >= 1
    assert actions["last24hByOutcome"].get("pending_approval", 0) >= 1


async def test_without_a_cluster_the_overview_says_why_and_answers_the_rest(state_dir: Path) -> None:
    async with run_embedded(state_dir) as gw:
        async with gw.client() as client:
            seen = await client.call("overview.get")
            with pytest.raises(GatewayError) as refused:
                await client.call("overview.get", {"hours": 48})
    assert seen["cluster"] == {"available": False, "reason": "no Kubernetes client is configured (ops.kube)"}
    assert seen["incidents"]["available"] is True and seen["incidents"]["firing"] == 0
    assert seen["actions"]["available"] is True and seen["actions"]["recent"] == []
    start = seen["series"]["start"]
    assert start <= time.time() < start + 24 * 3600 and start % 3600 == 0
    assert refused.value.code == "INVALID_REQUEST" and "hours" in refused.value.message
