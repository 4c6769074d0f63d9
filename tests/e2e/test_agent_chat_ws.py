"""Chat through the real WebSocket: the model restarts media/deployment/sonarr through the policy
layer and the sandbox shows new pods; a restart in kube-system is refused and the refusal reaches
both the model and the user."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from agent_gateway_fixture import agent_stack, eventually, last_tool_result, say, tool_use
from agent_model_servers import forbid_real_model_requests

from openclaw.gateway.client import GatewayClient
from openclaw.gateway.device_identity import DeviceIdentity
from openclaw.policy.capability import policy_of

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _guard(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_real_model_requests(monkeypatch)


async def chat(client: GatewayClient, message: str) -> tuple[str, list[dict[str, Any]]]:
    """Send a message and collect this run's chat and agent events up to its end."""
    key = uuid.uuid4().hex
    ack = await client.call("chat.send", {"sessionKey": "agent:main:main", "message": message, "idempotencyKey": key})
    assert ack["status"] == "started"
    run_id = ack["runId"]
    assert run_id == key  # as upstream: the client's idempotency key names the run
    seen: list[dict[str, Any]] = []
    while True:
        frame = await client.next_event(timeout=20)
        payload = frame.get("payload") or {}
        if payload.get("runId") != run_id:
            continue
        seen.append({"event": frame["event"], **payload})
        if frame["event"] == "chat" and payload["state"] in ("final", "error", "aborted"):
            return run_id, seen


def refusal_echo(body: dict[str, Any]) -> dict[str, Any]:
    result = last_tool_result(body)
    return say(f"I could not restart coredns: {result['error']}")


async def test_chat_restarts_sonarr_through_policy_and_refuses_kube_system(state_dir: Path) -> None:
    turns: list[Any] = [
        tool_use("toolu_r1", "restart_workload", {"namespace": "media", "name": "sonarr", "kind": "Deployment",
                                                  "reason": "operator asked for a restart"}, text="Restarting sonarr."),
        lambda body: say(f"Done: restart {last_tool_result(body)['data']['outcome']}."),
        tool_use("toolu_r2", "restart_workload", {"namespace": "kube-system", "name": "coredns", "kind": "Deployment",
                                                  "reason": "operator asked"}),
        refusal_echo,
    ]
    async with agent_stack(state_dir, turns) as stack:
        selector = "app.kubernetes.io/name=sonarr"
        await eventually(lambda: stack.ready_pod_names("media", selector), what="a Ready sonarr pod")
        before = await stack.pod_names("media", selector)
        async with stack.gateway.client() as client:
            _, events = await chat(client, "please restart sonarr")
            final = events[-1]
            assert final["event"] == "chat" and final["state"] == "final"
            assert final["message"]["content"][0]["text"] == "Done: restart applied."
            deltas = [e for e in events if e["event"] == "chat" and e["state"] == "delta"]
            assert deltas and "".join(d["delta"] for d in deltas).endswith("Done: restart applied.")
            seqs = [e["seq"] for e in events]
            assert seqs == sorted(seqs)
            tools = [e for e in events if e["event"] == "agent" and e["stream"] == "tool"]
            assert tools[0]["data"]["name"] == "restart_workload" and tools[0]["data"]["status"] == "success"

            async def new_pods() -> set[str] | None:
                now = await stack.pod_names("media", selector)
                return (now - before) or None

            await eventually(new_pods, what="new sonarr pods after the restart")

            _, events = await chat(client, "and restart coredns in kube-system")
            final = events[-1]
            text = final["message"]["content"][0]["text"]
            assert final["state"] == "final"
            assert "refused" in text and "namespace kube-system is protected" in text and "ops.policy.protectedNamespaces" in text
            tools = [e for e in events if e["event"] == "agent" and e["stream"] == "tool"]
            assert tools[0]["data"]["status"] == "refused"
            history = await client.call("chat.history", {"sessionKey": "agent:main:main"})
            said = [(m["role"], m["content"][0]["text"]) for m in history["messages"]]
            assert said[0] == ("user", "please restart sonarr") and said[-1] == ("assistant", text)
            assert [r for r, _ in said].count("user") == 2

        # The refusal reached the model as a tool result naming the setting.
        refused_result = [r for r in stack.model.requests if r.body["messages"][-1]["content"][0].get("tool_use_id") == "toolu_r2"]
        assert refused_result
        content = last_tool_result(refused_result[0].body)
        assert content["status"] == "refused" and content["data"]["setting"] == "ops.policy.protectedNamespaces"
        # Both decisions are in the audit log, asked for by the agent's session.
        records = policy_of(stack.gateway.services).audit.list(limit=10)
        by_target = {r.target: r for r in records}
        assert by_target["Deployment/media/sonarr"].outcome == "applied"
        assert by_target["Deployment/media/sonarr"].verification == "passed"
        assert by_target["Deployment/kube-system/coredns"].outcome == "refused"
        assert all(r.actor == "agent:main" for r in records)
        # The requests carried the tool definitions with a cache breakpoint.
        assert stack.model.requests[0].body["tools"][-1]["cache_control"] == {"type": "ephemeral"}


async def test_offline_chat_restarts_through_policy_and_says_no_model(state_dir: Path) -> None:
    async with agent_stack(state_dir, [], with_model=False) as stack:
        selector = "app.kubernetes.io/name=radarr"
        await eventually(lambda: stack.ready_pod_names("media", selector), what="a Ready radarr pod")
        before = await stack.pod_names("media", selector)
        async with stack.gateway.client() as client:
            status = await client.call("agent.status")
            assert status["offline"] is True and status["model"] == "none/offline"
            _, events = await chat(client, "why is radarr slow?")
            assert events[-1]["message"]["content"][0]["text"].startswith("No model is configured")
            # The upstream Control UI opens a conversation with chat.startup and reads the model
            # from sessions.list's `defaults`.
            key = {"sessionKey": "agent:main:main"}
            assert await client.call("chat.startup", key) == await client.call("chat.history", key)
            sessions = await client.call("sessions.list")
            assert sessions["defaults"] == {"model": "none/offline"} and sessions["count"] == len(sessions["sessions"]) >= 1
            _, events = await chat(client, "/restart media/deployment/radarr")
            text = events[-1]["message"]["content"][0]["text"]
            assert text.startswith("restart Deployment/media/radarr: applied")

            async def new_pods() -> set[str] | None:
                return (await stack.pod_names("media", selector) - before) or None

            await eventually(new_pods, what="new radarr pods")
            _, events = await chat(client, "/restart kube-system/deployment/coredns")
            assert "refused - namespace kube-system is protected (ops.policy.protectedNamespaces)" in events[-1]["message"]["content"][0]["text"]
        assert stack.model.requests == []
        records = policy_of(stack.gateway.services).audit.list(limit=10)
        assert {r.target: r.outcome for r in records} == {"Deployment/media/radarr": "applied", "Deployment/kube-system/coredns": "refused"}
        assert all(r.actor.startswith("operator:device:") for r in records)


async def test_an_action_needing_approval_waits_for_the_operators_approve_command(state_dir: Path) -> None:
    def waiting(body: dict[str, Any]) -> dict[str, Any]:
        result = last_tool_result(body)
        return say(f"{result['status']}: action {result['data']['actionId']} waits for your approval")

    victim: dict[str, str] = {}

    def delete(body: dict[str, Any]) -> dict[str, Any]:
        return tool_use("toolu_d", "delete_pod", {"namespace": "media", "name": victim["pod"], "reason": "wedged"})

    policy = {"actions": {"pod.delete": {"requireApproval": True}}}
    async with agent_stack(state_dir, [delete, waiting], policy=policy) as stack:
        pods = await eventually(lambda: stack.pod_names("media", "app.kubernetes.io/name=jellyfin"), what="jellyfin pods")
        victim["pod"] = sorted(pods)[0]
        async with stack.gateway.client() as client:
            _, events = await chat(client, "jellyfin is wedged, delete its pod")
            text = events[-1]["message"]["content"][0]["text"]
            assert text.startswith("approval_required: action act_")
            action_id = text.split()[2]
            assert victim["pod"] in await stack.pod_names("media")  # nothing happened yet
            writer = stack.gateway.client(identity=DeviceIdentity.generate(), scopes=["operator.read", "operator.write"])
            async with writer:
                _, events = await chat(writer, f"/approve {action_id}")
                assert "lacks the operator.approvals scope" in events[-1]["message"]["content"][0]["text"]
            assert victim["pod"] in await stack.pod_names("media")
            _, events = await chat(client, f"/approve {action_id}")
            assert events[-1]["message"]["content"][0]["text"].startswith(f"{action_id} pod.delete Pod/media/{victim['pod']}")

            async def gone() -> bool:
                return victim["pod"] not in await stack.pod_names("media")

            await eventually(gone, what="the approved delete")
        record = policy_of(stack.gateway.services).audit.get(action_id)
        assert record is not None and record.actor == "agent:main" and record.resolved_by is not None
        assert record.resolved_by == f"operator:device:{client.identity.device_id}"


async def test_scaling_a_gitops_managed_workload_is_proposed_not_applied(state_dir: Path) -> None:
    def relay(body: dict[str, Any]) -> dict[str, Any]:
        result = last_tool_result(body)
        return say(f"{result['data']['outcome']}: {result['data']['reason']}")

    turns: list[Any] = [tool_use("toolu_s", "scale_workload", {"namespace": "media", "name": "lidarr", "replicas": 0, "reason": "not used"}), relay]
    async with agent_stack(state_dir, turns) as stack:
        await eventually(lambda: stack.ready_pod_names("media", "app.kubernetes.io/name=lidarr"), what="a Ready lidarr pod")
        async with stack.gateway.client() as client:
            _, events = await chat(client, "scale lidarr to zero")
        text = events[-1]["message"]["content"][0]["text"]
        assert text.startswith("proposed: ") and "managed by" in text
        deployment = await stack.kubectl("get", "deployment", "lidarr", "-n", "media")
        assert deployment["spec"]["replicas"] == 1
        record = policy_of(stack.gateway.services).audit.list(limit=1)[0]
        assert record.kind == "workload.scale" and record.outcome == "proposed" and record.setting == "ops.policy.argocdAware"
