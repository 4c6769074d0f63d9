"""The agent's engines in a running gateway: heartbeat and cron start under the supervisor (cron
only when `cron.enabled`), and `/hooks/wake` runs a heartbeat at once."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from agent_gateway_fixture import HOOK_TOKEN, AgentStack, agent_stack, eventually, say
from agent_model_servers import forbid_real_model_requests

from openclaw.agent.capability import AGENT
from openclaw.gateway.embedded import run_embedded

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _guard(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_real_model_requests(monkeypatch)


@pytest.mark.parametrize("enabled", [True, False])
async def test_heartbeat_always_and_cron_only_when_enabled(state_dir: Path, enabled: bool) -> None:
    state_dir.mkdir(parents=True)
    (state_dir / "openclaw.json").write_text(json.dumps({"cron": {"enabled": enabled}}))
    async with run_embedded(state_dir) as gw:
        tasks = gw.services.supervisor.tasks
        assert "agent.heartbeat" in tasks and not tasks["agent.heartbeat"].done()
        assert ("agent.cron" in tasks) is enabled


@pytest.mark.slow
async def test_a_wake_hook_runs_the_heartbeat_now_with_the_text_untrusted(state_dir: Path) -> None:
    async with agent_stack(state_dir, [say("Backups failed twice tonight; check the NAS.")]) as stack:
        async with httpx.AsyncClient(base_url=stack.gateway.http_url) as http:
            resp = await http.post("/hooks/wake", json={"text": "backup job failed: exit 2", "mode": "now"},
                                   headers={"Authorization": f"Bearer {HOOK_TOKEN}"})
        assert resp.status_code == 202, resp.text
        async with stack.gateway.client() as client:
            async def beat() -> dict[str, object] | None:
                result: dict[str, object] | None = await client.call("last-heartbeat")
                return result

            last = await eventually(beat, what="a heartbeat after the wake hook")
        assert last["status"] == "alert" and last["text"] == "Backups failed twice tonight; check the NAS."
        prompt = stack.model.requests[0].body["messages"][-1]["content"][0]["text"]
        assert "<<<EXTERNAL_UNTRUSTED_CONTENT>>>" in prompt and "backup job failed: exit 2" in prompt


@pytest.mark.slow
async def test_a_mapped_hook_runs_an_agent_turn_in_a_hook_session(state_dir: Path) -> None:
    mapping = {"match": {"path": "uptime"}, "action": "agent", "name": "Uptime Kuma",
               "messageTemplate": "Monitor {{payload.monitor}} is {{payload.status}}: {{payload.msg}}"}
    async with agent_stack(state_dir, [say("Grafana is down; its pod is Pending on homelab-w2.")], hooks={"mappings": [mapping]}) as stack:
        async with httpx.AsyncClient(base_url=stack.gateway.http_url) as http:
            resp = await http.post("/hooks/uptime", json={"monitor": "grafana", "status": "down", "msg": "timeout after 10s"},
                                   headers={"x-openclaw-token": HOOK_TOKEN})
        assert resp.status_code == 202, resp.text

        async def answered() -> bool:
            return any(k.startswith("hook:") for k in stack.gateway.services.get(AGENT).runtime.sessions.all())

        await eventually(answered, what="a hook session")
        await eventually(lambda: _has_requests(stack), what="the model call")
        text = stack.model.requests[0].body["messages"][0]["content"][0]["text"]
        assert "Monitor grafana is down: timeout after 10s" in text
        assert "Source: webhook Uptime Kuma" in text and text.index("<<<EXTERNAL_UNTRUSTED_CONTENT>>>") < text.index("Monitor grafana")


async def _has_requests(stack: AgentStack) -> bool:
    return bool(stack.model.requests)


async def test_chat_methods_name_the_bad_field(state_dir: Path) -> None:
    from openclaw.gateway.client import GatewayError

    async with run_embedded(state_dir) as gw:
        async with gw.client() as client:
            for method, params, field in [("chat.send", {}, "message"), ("chat.send", {"message": 5}, "message"),
                                          ("chat.history", {"limit": 0}, "limit"), ("chat.history", {"includeTools": "yes"}, "includeTools"),
                                          ("cron.add", {"job": {"name": "x", "schedule": {"kind": "cron", "expr": "bad"}, "payload": {"message": "m"}}}, "schedule.cron.expr"),
                                          ("agent.findings", {}, "incident")]:
                with pytest.raises(GatewayError) as info:
                    await client.call(method, params)
                assert info.value.code == "INVALID_REQUEST" and info.value.details.get("field") == field, (method, info.value)
            assert (await client.call("chat.history", {}))["messages"] == []


async def test_chat_inject_appends_a_note_without_a_run(state_dir: Path) -> None:
    async with run_embedded(state_dir) as gw:
        async with gw.client() as client:
            done = await client.call("chat.inject", {"message": "Maintenance window tonight 22:00-23:00."})
            assert done["ok"] is True
            event = await client.next_event("chat", timeout=5)
            assert event["payload"]["stopReason"] == "inject"
            history = await client.call("chat.history", {})
            assert [(m["role"], m["content"][0]["text"]) for m in history["messages"]] == [
                ("assistant", "Maintenance window tonight 22:00-23:00.")]
