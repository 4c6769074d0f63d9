"""Escalated incidents: a runbook's escalation is taken by the agent when a model is configured,
investigated in session incident:<id> with the runbook's report as untrusted context, and the
finding (text, actions, usage, cost) is recorded for the incident. Offline, the operator keeps it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agent_scripts import text_reply, tool_reply

from openclaw.agent import agent_of
from openclaw.agent.brains.scripted import ScriptedBrain
from openclaw.agent.messages import BrainRequest
from openclaw.gateway import server
from openclaw.runbooks.capability import runbooks_of
from openclaw.runbooks.models import AlertContext, Report, Status


def alert() -> AlertContext:
    return AlertContext(alertname="KubePodCrashLooping", status="firing", labels={"namespace": "media", "pod": "sonarr-abc"},
                        annotations={"description": "sonarr-abc restarted 5 times"}, fingerprint="fp1", incident_id="inc-7")


def report() -> Report:
    return Report(runbook="crashloop", status=Status.ESCALATED, summary="restarted twice, still crashing", diagnosis="config error")


async def test_an_escalation_runs_in_the_incident_session_and_records_a_finding(state_dir: Path) -> None:
    plan = server.prepare(state_dir)
    services = plan.services
    agent = agent_of(services)
    replies = [tool_reply("write_memory", {"text": "sonarr crashloop: bad config"}), text_reply("Cause: invalid config.xml; needs a fix in git.")]
    brain = ScriptedBrain(lambda r: replies.pop(0))
    agent.runtime.brain = brain
    published: list[tuple[str, dict[str, Any]]] = []
    agent.chat.publish = lambda e, p: published.append((e, p))
    await services.extensions["events"].open()
    try:
        esc = await runbooks_of(services).escalations.escalate(alert(), report())
        assert esc.routed_to == "agent"
        again = await runbooks_of(services).escalations.escalate(alert(), report())
        assert again.routed_to == "agent" and len(agent.chat.runs) == 1  # one investigation per incident at a time
        run_id = next(iter(agent.chat.runs))
        await agent.chat.wait(run_id, 5)
        await asyncio.sleep(0)
    finally:
        await agent.chat.close()
        await services.extensions["events"].close()
    first: BrainRequest = brain.requests[0]
    assert "Session: incident:inc-7" in first.context and "## Incident" in first.context
    prompt = first.messages[-1].text
    assert prompt.startswith("Investigate incident inc-7.") and "<<<EXTERNAL_UNTRUSTED_CONTENT>>>" in prompt
    assert "restarted twice, still crashing" in prompt
    findings = agent.findings.for_incident("inc-7")
    assert len(findings) == 1 and findings[0]["finding"] == "Cause: invalid config.xml; needs a fix in git."
    assert findings[0]["usage"]["total"] == 240
    assert [e for e, _ in published if e == "incident.finding"] == ["incident.finding"]
    entry = agent.runtime.sessions.get("incident:inc-7")
    assert entry is not None and entry.incident_id == "inc-7" and entry.tool_calls == 1
    _, per_incident = agent.runtime.ledger.totals("inc-7")
    assert per_incident == {"tokens": 240, "toolCalls": 1, "costUsd": 0.0}


async def test_offline_the_operator_keeps_the_escalation(state_dir: Path) -> None:
    services = server.prepare(state_dir).services
    esc = await runbooks_of(services).escalations.escalate(alert(), report())
    assert esc.routed_to == "operator"
    assert agent_of(services).chat.runs == {}
