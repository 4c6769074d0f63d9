"""An escalated incident through the real gateway: an AlertManager webhook opens it, no runbook
handles the alert so it is escalated, the agent investigates in session incident:<id> (a local
server speaking the Anthropic wire format plays the model) and restarts the workload through the
policy layer. The incident's timeline then holds the escalation, the agent's finding and the audited
restart, over WebSocket and in `openclaw incidents show ID --json` run as its own process."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from agent_gateway_fixture import HOOK_TOKEN, agent_stack, eventually, last_tool_result, say, tool_use
from agent_model_servers import forbid_real_model_requests

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FINDING = "Sonarr was wedged; restarted it through policy and it came back."


@pytest.fixture(autouse=True)
def _guard(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_real_model_requests(monkeypatch)


def alert(status: str) -> dict[str, Any]:
    """An alert no runbook handles, naming media/sonarr: the runner escalates it as it is."""
    labels = {"alertname": "SonarrQueueStuck", "namespace": "media", "deployment": "sonarr", "severity": "warning"}
    return {
        "version": "4", "groupKey": '{}:{alertname="SonarrQueueStuck"}', "truncatedAlerts": 0, "status": status, "receiver": "openclaw",
        "groupLabels": {"alertname": "SonarrQueueStuck"}, "commonLabels": labels, "commonAnnotations": {}, "externalURL": "http://am:9093",
        "alerts": [{"status": status, "labels": labels, "annotations": {"summary": "Sonarr's queue has not moved for an hour."},
                    "startsAt": "2026-11-24T02:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom:9090",
                    "fingerprint": "a1b2c3d4e5f60718"}],
    }


async def cli_json(*args: str) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "openclaw", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    return result


async def test_an_escalated_incident_carries_the_escalation_the_finding_and_the_agents_restart(state_dir: Path) -> None:
    seen: dict[str, Any] = {}

    def restart(body: dict[str, Any]) -> dict[str, Any]:
        return tool_use("toolu_restart", "restart_workload", {"namespace": "media", "name": "sonarr", "reason": "queue stuck for an hour"})

    def conclude(body: dict[str, Any]) -> dict[str, Any]:
        seen["restart"] = last_tool_result(body)
        return say(FINDING)

    async with agent_stack(state_dir, [restart, conclude]) as stack:
        await eventually(lambda: stack.ready_pod_names("media", "app.kubernetes.io/name=sonarr"), what="a Ready sonarr pod")
        async with stack.gateway.client() as client:
            async with httpx.AsyncClient(base_url=stack.gateway.http_url) as http:
                resp = await http.post("/hooks/alertmanager", json=alert("firing"), headers={"Authorization": f"Bearer {HOOK_TOKEN}"})
            assert resp.status_code == 202, resp.text

            async def opened() -> list[dict[str, Any]] | None:
                return (await client.call("incidents.list", {}))["incidents"] or None

            [incident] = await eventually(opened, what="the incident the webhook opened")

            async def with_finding() -> dict[str, Any] | None:
                detail: dict[str, Any] = (await client.call("incidents.get", {"id": incident["id"]}))["incident"]
                return detail if any(n["kind"] == "finding" for n in detail["notes"]) else None

            over_ws = await eventually(with_finding, timeout=60, what="the agent's finding on the incident")
            while True:  # the note's commit was announced to operators as incident.updated
                frame = await client.next_event("incident.updated", timeout=10)
                if frame["payload"].get("note", {}).get("kind") == "finding":
                    break
            findings = (await client.call("agent.findings", {"incident": incident["id"]}))["findings"]
        shown = await cli_json("incidents", "show", incident["id"], "--json", "--state-dir", str(state_dir))

    assert frame["payload"]["id"] == incident["id"]
    assert seen["restart"]["status"] == "success" and seen["restart"]["data"]["outcome"] == "applied"
    for detail in (over_ws, shown):
        assert [n["kind"] for n in detail["notes"]] == ["escalation", "finding"]
        escalation, finding = detail["notes"]
        assert escalation["author"] == "runbook:none" and escalation["data"]["routedTo"] == "agent"
        assert "no runbook handles SonarrQueueStuck" in escalation["summary"]
        assert finding["author"] == f"agent:incident:{incident['id']}" and finding["summary"] == FINDING
        assert [(a["tool"], a["result"]["data"]["outcome"]) for a in finding["data"]["actions"]] == [("restart_workload", "applied")]
        assert [(a["kind"], a["target"], a["actor"], a["outcome"]) for a in detail["actions"]] == [
            ("workload.restart", "Deployment/media/sonarr", f"agent:incident:{incident['id']}", "applied")]
    assert [f["finding"] for f in findings] == [FINDING]
