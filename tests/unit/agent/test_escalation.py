"""Escalated incidents: a runbook's escalation is taken by the agent when a model is configured,
investigated in session incident:<id> with the runbook's report as untrusted context, and the
finding (text, actions, usage, cost) is attached to the incident as a note beside the escalations.
Offline, the operator keeps it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agent_scripts import text_reply, tool_reply

from openclaw.agent import agent_of
from openclaw.agent.brains.scripted import ScriptedBrain
from openclaw.agent.messages import BrainRequest
from openclaw.gateway import server
from openclaw.events.capability import EVENTS
from openclaw.incidents import incidents_of
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
    await services.get(EVENTS).open()
    try:
        # Two escalations of one incident at once: both are kept and both go to the agent, which
        # runs one investigation for the incident (whichever arrives second joins the first).
        first_esc, second_esc = await asyncio.gather(*(runbooks_of(services).escalations.escalate(alert(), report()) for _ in range(2)))
        assert (first_esc.routed_to, second_esc.routed_to) == ("agent", "agent")
        for _ in range(500):  # the finding is published once it is stored
            if any(e == "incident.finding" for e, _ in published):
                break
            await asyncio.sleep(0.01)
        kept = await runbooks_of(services).escalations.list(incident="inc-7")
        findings = await agent.findings("inc-7")
        notes = await incidents_of(services).list_notes(incident_id="inc-7")
    finally:
        await agent.chat.close()
        await services.get(EVENTS).close()
    started = {p["runId"] for e, p in published if e == "agent" and p["stream"] == "lifecycle" and p["data"]["phase"] == "start"}
    assert len(started) == 1 and len(brain.requests) == 2  # one investigation per incident at a time
    first: BrainRequest = brain.requests[0]
    assert "Session: incident:inc-7" in first.context and "## Incident" in first.context
    prompt = first.messages[-1].text
    assert prompt.startswith("Investigate incident inc-7.") and "<<<EXTERNAL_UNTRUSTED_CONTENT>>>" in prompt
    assert "restarted twice, still crashing" in prompt
    assert [(e["routedTo"], e["runbook"], e["summary"]) for e in kept] == [("agent", "crashloop", "restarted twice, still crashing")] * 2
    assert sorted((n.kind, n.author) for n in notes) == [("escalation", "runbook:crashloop"), ("escalation", "runbook:crashloop"),
                                                         ("finding", "agent:incident:inc-7")]
    assert len(findings) == 1 and findings[0]["finding"] == "Cause: invalid config.xml; needs a fix in git."
    assert findings[0]["usage"]["total"] == 240
    assert [e for e, _ in published if e == "incident.finding"] == ["incident.finding"]
    entry = agent.runtime.sessions.get("incident:inc-7")
    assert entry is not None and entry.incident_id == "inc-7" and entry.tool_calls == 1
    _, per_incident = agent.runtime.ledger.totals("inc-7")
    assert per_incident == {"tokens": 240, "toolCalls": 1, "costUsd": 0.0}


async def test_offline_the_operator_keeps_the_escalation(state_dir: Path) -> None:
    services = server.prepare(state_dir).services
    await services.get(EVENTS).open()
    try:
        esc = await runbooks_of(services).escalations.escalate(alert(), report())
        kept = await runbooks_of(services).escalations.list()
    finally:
        await services.get(EVENTS).close()
    assert esc.routed_to == "operator"
    assert agent_of(services).chat.runs == {}
    assert [(e["incident"], e["routedTo"], e["diagnosis"]) for e in kept] == [("inc-7", "operator", "config error")]
    assert kept[0]["report"]["status"] == "escalated"
