"""`openclaw actions list` and `openclaw approvals` on the state dir (no gateway running)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openclaw.cli.main import app
from openclaw.ops.refs import ObjectRef
from openclaw.policy.audit import AuditLog
from openclaw.policy.capability import audit_path
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Outcome


@pytest.fixture
def runner(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("OPENCLAW_GATEWAY_PORT", "9")  # nothing listens there: the CLI uses the file
    return CliRunner()


def seed(state_dir: Path) -> tuple[str, str]:
    audit = AuditLog(audit_path(state_dir))
    restart = ActionRequest(ActionKind.WORKLOAD_RESTART, ObjectRef("Deployment", "sonarr", "media"), Actor.runbook("crashloop"), "KubePodCrashLooping", incident="inc-3")
    done = audit.open_record(restart, mode="enforce", outcome=Outcome.APPLIED, decision="all rules passed", setting="ops.policy.mode")
    audit.update(done, executed=1, result="restarted Deployment/media/sonarr", verification="passed")
    drain = ActionRequest(ActionKind.NODE_DRAIN, ObjectRef("Node", "homelab-w2"), Actor.agent("s1"), "disk swap")
    parked = audit.open_record(drain, mode="enforce", outcome=Outcome.PENDING, decision="node.drain needs an operator's approval", setting="x")
    audit.update(parked, expires_at=4_000_000_000.0)
    audit.close()
    return done, parked


def test_actions_list_json_shows_who_why_decision_and_outcome(state_dir: Path, runner: CliRunner) -> None:
    done, parked = seed(state_dir)
    result = runner.invoke(app, ["actions", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["actions"]
    assert [r["id"] for r in rows] == [parked, done]
    assert {k: rows[1][k] for k in ("kind", "target", "actor", "incident", "outcome", "verification")} == {
        "kind": "workload.restart", "target": "Deployment/media/sonarr", "actor": "runbook:crashloop", "incident": "inc-3",
        "outcome": "applied", "verification": "passed",
    }  # fmt: skip


def test_actions_list_filters_and_refuses_an_unknown_outcome(state_dir: Path, runner: CliRunner) -> None:
    seed(state_dir)
    result = runner.invoke(app, ["actions", "list", "--json", "--outcome", "pending_approval"])
    assert [r["kind"] for r in json.loads(result.output)["actions"]] == ["node.drain"]
    bad = runner.invoke(app, ["actions", "list", "--outcome", "done"])
    assert bad.exit_code != 0 and "--outcome 'done': expected one of" in bad.output


def test_approvals_deny_on_the_store_and_a_second_answer_fails(state_dir: Path, runner: CliRunner) -> None:
    _, parked = seed(state_dir)
    listed = json.loads(runner.invoke(app, ["approvals", "list", "--json"]).output)
    assert [a["id"] for a in listed["approvals"]] == [parked]
    denied = runner.invoke(app, ["approvals", "deny", parked, "--json"])
    assert denied.exit_code == 0, denied.output
    assert json.loads(denied.output)["action"]["resolution"] == "denied"
    again = runner.invoke(app, ["approvals", "approve", parked])
    assert again.exit_code == 1 and "not awaiting approval" in again.output
    assert json.loads(runner.invoke(app, ["approvals", "list", "--json"]).output)["approvals"] == []


def test_approving_an_unknown_id_names_the_list_command(state_dir: Path, runner: CliRunner) -> None:
    seed(state_dir)
    result = runner.invoke(app, ["approvals", "approve", "act_nope"])
    assert result.exit_code == 1 and "openclaw approvals list" in result.output


def test_actions_and_approvals_lists_show_devices_by_name(state_dir: Path, runner: CliRunner) -> None:
    from openclaw.gateway.pairing import PairingStore

    device = "b94657c4c04c252d7f1115" + "0" * 42
    store = PairingStore(state_dir)
    request, _ = store.request({"deviceId": device, "publicKey": "k", "role": "operator", "scopes": ["operator.approvals"]})
    store.approve(request["requestId"], "Anna's laptop")
    audit = AuditLog(audit_path(state_dir))
    ask = ActionRequest(ActionKind.WORKLOAD_RESTART, ObjectRef("Deployment", "radarr", "media"), Actor.operator(f"device:{device}"), "/restart from chat")
    parked = audit.open_record(ask, mode="enforce", outcome=Outcome.PENDING, decision="needs approval", setting="x")
    audit.update(parked, expires_at=4_000_000_000.0)
    pending = runner.invoke(app, ["approvals", "list"], terminal_width=400)
    assert "Anna's laptop" in pending.output and device not in pending.output
    audit.resolve(parked, approve=True, by=f"operator:device:{device}")
    audit.close()
    listed = runner.invoke(app, ["actions", "list"], terminal_width=400)
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("Anna's laptop") == 2 and device not in listed.output  # requested by, approved by
    raw = json.loads(runner.invoke(app, ["actions", "list", "--json"]).output)["actions"][0]
    assert raw["actor"] == f"operator:device:{device}"  # the record keeps the id
