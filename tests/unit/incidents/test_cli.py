"""`openclaw incidents list|show` read the event database directly, gateway running or not."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ingest_bodies import DATA, Pipeline, fixture_envelope
from openclaw.cli.main import app

runner = CliRunner()


async def make_incidents(state_dir: Path) -> Pipeline:
    p = Pipeline(state_dir / "events.db", journal_mode="WAL")
    await p.__aenter__()
    await p.post("alertmanager", fixture_envelope(DATA / "payloads/holmesgpt-alert-KubePodCrashLooping.json"))
    await p.post("alertmanager", fixture_envelope(DATA / "payloads/holmesgpt-alert-KubeDeploymentReplicasMismatch.json"))
    await p.post("alertmanager", fixture_envelope(DATA / "payloads/holmesgpt-alert-KubeDeploymentReplicasMismatch.json", "resolved"))
    await p.settle()
    return p


async def test_list_and_show_while_the_writer_is_open(state_dir: Path) -> None:
    p = await make_incidents(state_dir)
    try:
        listed = runner.invoke(app, ["incidents", "list", "--json"])
        assert listed.exit_code == 0, listed.output
        incidents = json.loads(listed.output)["incidents"]
        assert [(i["id"], i["status"]) for i in incidents] == [("inc-2", "resolved"), ("inc-1", "firing")]
        firing = json.loads(runner.invoke(app, ["incidents", "list", "--status", "firing", "--json"]).output)["incidents"]
        assert [i["id"] for i in firing] == ["inc-1"]
        table = runner.invoke(app, ["incidents", "list"])
        assert table.exit_code == 0 and "KubePodCrashLooping: default/payment-processing-worker" in table.output
        shown = runner.invoke(app, ["incidents", "show", "inc-2", "--json"])
        detail = json.loads(shown.output)
        assert detail["status"] == "resolved" and detail["alerts"][0]["alertname"] == "KubeDeploymentReplicasMismatch"
        text = runner.invoke(app, ["incidents", "show", "inc-1"])
        assert text.exit_code == 0 and "a38bd979bba359db" in text.output
    finally:
        await p.__aexit__()


async def test_list_works_with_no_gateway_running(state_dir: Path) -> None:
    p = await make_incidents(state_dir)
    await p.__aexit__()
    result = runner.invoke(app, ["incidents", "list", "--status", "resolved", "--json"])
    assert result.exit_code == 0
    assert [i["id"] for i in json.loads(result.output)["incidents"]] == ["inc-2"]


def test_no_database_yet_is_a_clear_error(state_dir: Path) -> None:
    result = runner.invoke(app, ["incidents", "list"])
    assert result.exit_code == 1 and "no event database" in result.output


async def test_unknown_incident_and_bad_status_are_refused(state_dir: Path) -> None:
    p = await make_incidents(state_dir)
    await p.__aexit__()
    missing = runner.invoke(app, ["incidents", "show", "inc-99"])
    assert missing.exit_code == 1 and "no incident 'inc-99'" in missing.output
    bad = runner.invoke(app, ["incidents", "list", "--status", "open"])
    assert bad.exit_code == 2 and "firing, resolved" in bad.output
