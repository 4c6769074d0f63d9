"""An incident's timeline: notes attached through the event database's writer, `incident.updated`
once one is committed, and the audited actions of the incident read beside them (gateway and CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest_bodies import DATA, Pipeline, fixture_envelope
from openclaw.cli.main import app
from openclaw.incidents import notes
from openclaw.ops.refs import ObjectRef
from openclaw.policy.audit import AuditLog
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Outcome

runner = CliRunner()
CRASHLOOP = DATA / "payloads/holmesgpt-alert-KubePodCrashLooping.json"


def audit_action(state_dir: Path, incident: str | None, name: str) -> str:
    """One executed restart in the real audit log (the policy engine's table, same file)."""
    audit = AuditLog(state_dir / "events.db")
    try:
        request = ActionRequest(ActionKind.WORKLOAD_RESTART, ObjectRef("Deployment", name, "default"), Actor.runbook("crashloop"),
                                "crashlooping", incident=incident)
        action_id = audit.open_record(request, mode="apply", outcome=Outcome.APPLIED, decision="allowed", setting=None)
        audit.update(action_id, executed=1, result="restarted", verification="passed")
    finally:
        audit.close()
    return action_id


async def test_a_note_is_stored_updates_the_incident_and_is_announced(state_dir: Path) -> None:
    async with Pipeline(state_dir / "events.db") as p:
        await p.post("alertmanager", fixture_envelope(CRASHLOOP))
        await p.settle()
        [incident] = await p.incidents.list()
        p.notices.clear()
        note = await p.incidents.attach_note(incident.id, "escalation", "runbook:crashloop", "restarted 3 times, still crashing",
                                             {"routedTo": "operator"})
        later = await p.incidents.attach_note(incident.id, "finding", "agent:incident:" + incident.id, "bad config", {"finding": "bad config"})
        mine = audit_action(state_dir, incident.id, "payment-processing-worker")
        audit_action(state_dir, "inc-other", "unrelated")
        detail = await p.incidents.detail(incident.id)
        updated = await p.incidents.get(incident.id)

    assert [n.topic for n in p.notices] == ["incident.updated", "incident.updated"]
    assert p.notices[0].payload["id"] == incident.id and p.notices[0].payload["note"] == note.to_json()
    assert updated is not None and updated.updated_at >= incident.updated_at
    assert detail is not None
    assert [(n["kind"], n["author"], n["summary"]) for n in detail["notes"]] == [
        ("escalation", "runbook:crashloop", "restarted 3 times, still crashing"), ("finding", f"agent:incident:{incident.id}", "bad config")]
    assert detail["notes"][1]["id"] == later.id and detail["notes"][0]["data"] == {"routedTo": "operator"}
    assert [(a["id"], a["kind"], a["outcome"], a["verification"]) for a in detail["actions"]] == [(mine, "workload.restart", "applied", "passed")]
    assert detail["alerts"][0]["alertname"] == "KubePodCrashLooping"


async def test_a_note_of_an_unknown_kind_is_refused_and_nothing_is_kept(state_dir: Path) -> None:
    async with Pipeline(state_dir / "events.db") as p:
        with pytest.raises(ValueError, match="kind: expected one of escalation, report, finding, fix, comment"):
            await p.incidents.attach_note("inc-1", "gossip", "x", "y")  # type: ignore[arg-type]  # the wrong kind is the point
        assert await p.incidents.list_notes() == []


async def test_a_note_without_an_incident_is_kept_but_announces_nothing(state_dir: Path) -> None:
    async with Pipeline(state_dir / "events.db") as p:
        await p.incidents.attach_note(None, "report", "runbook:none", "no runbook handles Foo")
        await p.incidents.attach_note("inc-404", "comment", "operator:me", "looked at it")
        found = await p.incidents.list_notes()
        only_reports = await p.incidents.list_notes(kinds=("report",))
    assert p.notices == []
    assert [(n.incident_id, n.kind) for n in found] == [("inc-404", "comment"), (None, "report")]  # newest first
    assert [n.summary for n in only_reports] == ["no runbook handles Foo"]


async def test_cli_show_prints_notes_and_actions_with_or_without_json(state_dir: Path) -> None:
    async with Pipeline(state_dir / "events.db") as p:
        await p.post("alertmanager", fixture_envelope(CRASHLOOP))
        await p.settle()
        [incident] = await p.incidents.list()
        await p.incidents.attach_note(incident.id, "escalation", "runbook:crashloop", "restart did not help")
    action_id = audit_action(state_dir, incident.id, "payment-processing-worker")

    shown = runner.invoke(app, ["incidents", "show", incident.id, "--json"])
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.output)
    assert [(n["kind"], n["summary"]) for n in detail["notes"]] == [("escalation", "restart did not help")]
    assert [a["id"] for a in detail["actions"]] == [action_id]
    text = runner.invoke(app, ["incidents", "show", incident.id])
    assert text.exit_code == 0, text.output
    assert "restart did not help" in text.output and "workload.restart" in text.output and "runbook:crashloop" in text.output


async def test_cli_show_reads_a_database_written_before_notes_existed(state_dir: Path) -> None:
    async with Pipeline(state_dir / "events.db") as p:
        await p.post("alertmanager", fixture_envelope(CRASHLOOP))
        await p.settle()
        [incident] = await p.incidents.list()
    import sqlite3

    with sqlite3.connect(state_dir / "events.db") as conn:
        conn.execute("DROP TABLE incident_notes")
        assert notes.timeline(conn, incident.id) == {"notes": [], "actions": []}
    shown = runner.invoke(app, ["incidents", "show", incident.id, "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["notes"] == [] and json.loads(shown.output)["actions"] == []
