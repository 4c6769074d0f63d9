"""The agent's cluster read tools against the sandbox cluster through the real client: pods, logs,
events, workloads, nodes, jobs, describe, manifest validation. Nothing is changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from agent_gateway_fixture import agent_stack, eventually, say
from agent_model_servers import forbid_real_model_requests

from openclaw.policy.capability import policy_of

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n"
BAD = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: y\nspec:\n  replicas: many\n"


@pytest.fixture(autouse=True)
def _guard(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_real_model_requests(monkeypatch)


def results(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Tool results of the latest request, by tool_use id."""
    return {b["tool_use_id"]: json.loads(b["content"]) for b in body["messages"][-1]["content"] if b["type"] == "tool_result"}


def calls(*items: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "id": i, "name": n, "input": a} for i, n, a in items], "stop_reason": "tool_use"}


async def test_read_tools_see_the_sandbox_cluster(state_dir: Path) -> None:
    seen: dict[str, dict[str, Any]] = {}

    def second(body: dict[str, Any]) -> dict[str, Any]:
        seen.update(results(body))
        pod = next(p for p in seen["pods"]["data"] if p["name"].startswith("sonarr"))
        return calls(("logs", "pod_logs", {"namespace": "media", "pod": pod["name"], "tail": 5}),
                     ("events", "kube_events", {"namespace": "media", "name": pod["name"], "kind": "Pod"}))

    def finish(body: dict[str, Any]) -> dict[str, Any]:
        seen.update(results(body))
        return say("looked around")

    first = calls(("pods", "list_pods", {"namespace": "media"}),
                  ("nodes", "list_nodes", {}),
                  ("workload", "get_workload", {"namespace": "media", "name": "sonarr"}),
                  ("describe", "describe", {"namespace": "media", "name": "sonarr", "kind": "Deployment"}),
                  ("jobs", "list_jobs", {"namespace": "*"}),
                  ("good", "validate_manifests", {"manifest": GOOD}),
                  ("bad", "validate_manifests", {"manifest": BAD}),
                  ("nope", "get_workload", {"namespace": "media", "name": "does-not-exist"}))
    async with agent_stack(state_dir, [first, second, finish]) as stack:
        await eventually(lambda: stack.ready_pod_names("media", "app.kubernetes.io/name=sonarr"), what="a Ready sonarr pod")
        async with stack.gateway.client() as client:
            ack = await client.call("chat.send", {"message": "look around"})
            while True:
                frame = await client.next_event("chat", timeout=30)
                if frame["payload"]["runId"] == ack["runId"] and frame["payload"]["state"] in ("final", "error"):
                    break
        assert frame["payload"]["state"] == "final", frame["payload"]
        assert policy_of(stack.gateway.services).audit.list() == []  # reads are not actions

    assert seen["pods"]["status"] == "success"
    assert {p["namespace"] for p in seen["pods"]["data"]} == {"media"}
    assert any(p["name"].startswith("sonarr") and p["ready"] for p in seen["pods"]["data"])
    assert {n["name"] for n in seen["nodes"]["data"]} >= {"homelab-cp", "homelab-w1"}
    assert seen["workload"]["data"]["ref"] == "Deployment/media/sonarr" and seen["workload"]["data"]["desired"] == 1
    assert "sonarr" in seen["describe"]["data"]["description"]
    assert seen["jobs"]["status"] in ("success", "no_data")
    assert seen["good"]["data"] == {"valid": True, "errors": []}
    assert seen["bad"]["data"]["valid"] is False and "replicas" in seen["bad"]["data"]["errors"][0]
    assert seen["nope"]["status"] == "error" and "does-not-exist" in seen["nope"]["error"]
    assert seen["logs"]["status"] in ("success", "no_data") and seen["logs"]["data"]["pod"].startswith("media/sonarr")
    assert seen["events"]["status"] in ("success", "no_data")


async def test_node_label_and_taint_tools_change_the_node_through_policy(state_dir: Path) -> None:
    seen: dict[str, dict[str, Any]] = {}
    key = "openclaw.io/maintenance"

    def untaint(body: dict[str, Any]) -> dict[str, Any]:
        seen.update(results(body))
        return calls(("untaint", "untaint_node", {"name": "homelab-w3", "key": key, "reason": "maintenance over"}),
                     ("empty", "label_node", {"name": "homelab-w3", "reason": "nothing to change"}))

    def finish(body: dict[str, Any]) -> dict[str, Any]:
        seen.update(results(body))
        return say("node w3 handled")

    first = calls(("label", "label_node", {"name": "homelab-w3", "labels": {key: "true"}, "reason": "disk replacement"}),
                  ("taint", "taint_node", {"name": "homelab-w3", "key": key, "value": "true", "effect": "NoSchedule", "reason": "disk replacement"}))
    async with agent_stack(state_dir, [first, untaint, finish]) as stack:
        async with stack.gateway.client() as client:
            ack = await client.call("chat.send", {"message": "put w3 in maintenance"})
            while True:
                frame = await client.next_event("chat", timeout=30)
                if frame["payload"]["runId"] == ack["runId"] and frame["payload"]["state"] in ("final", "error"):
                    break
        assert frame["payload"]["state"] == "final", frame["payload"]
        node = await stack.kubectl("get", "node", "homelab-w3")
        audit = policy_of(stack.gateway.services).audit.list()

    assert node["metadata"]["labels"][key] == "true"
    assert not any(t["key"] == key for t in node["spec"].get("taints") or [])  # tainted, then untainted
    assert (seen["label"]["status"], seen["label"]["data"]["action"], seen["label"]["data"]["outcome"]) == ("success", "node.label", "applied")
    assert (seen["taint"]["data"]["action"], seen["taint"]["data"]["outcome"]) == ("node.taint", "applied")
    assert seen["untaint"]["data"]["outcome"] == "applied"
    assert seen["empty"]["status"] == "error" and "labels / remove" in seen["empty"]["error"]
    assert sorted((a.kind, a.target, a.actor) for a in audit) == [
        ("node.label", "Node/homelab-w3", "agent:main"), ("node.taint", "Node/homelab-w3", "agent:main"), ("node.taint", "Node/homelab-w3", "agent:main")]
    taint_params = sorted(json.dumps(a.params, sort_keys=True) for a in audit if a.kind == "node.taint")
    assert taint_params == [json.dumps({"add": [{"effect": "NoSchedule", "key": key, "value": "true"}]}, sort_keys=True),
                            json.dumps({"remove": [key]}, sort_keys=True)]
