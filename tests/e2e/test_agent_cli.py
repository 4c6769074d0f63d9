"""`openclaw agent`, `openclaw skills list` and `openclaw cron` as a user runs them (subprocesses),
against a state dir and, for `agent`, a running gateway on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from agent_gateway_fixture import agent_stack, say
from agent_model_servers import forbid_real_model_requests

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _guard(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_real_model_requests(monkeypatch)


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_"))}
    out["NO_COLOR"] = "1"
    return out


def cli(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openclaw", *args, "--state-dir", str(state_dir)],
                          capture_output=True, text=True, env=env(), timeout=60)


def test_agent_offline_answers_commands_and_says_no_model(state_dir: Path) -> None:
    done = cli(state_dir, "agent", "--message", "/help")
    assert done.returncode == 0, done.stderr
    assert "No model is configured" in done.stdout and "/restart NAMESPACE/KIND/NAME" in done.stdout
    assert "no gateway running" in done.stderr
    done = cli(state_dir, "agent", "--message", "why is radarr slow?", "--json")
    result = json.loads(done.stdout)
    assert result["state"] == "final" and result["text"].startswith("No model is configured")
    index = sqlite3.connect(state_dir / "agents" / "main" / "sessions" / "sessions.sqlite")
    try:
        assert [k for (k,) in index.execute("SELECT key FROM sessions")] == ["agent:main:main"]
    finally:
        index.close()


def test_skills_list_shows_workspace_precedence(state_dir: Path) -> None:
    skill = state_dir / "workspace" / "skills" / "triage" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text("---\nname: alert-triage\ndescription: our own triage steps\n---\nSteps.\n")
    done = cli(state_dir, "skills", "list", "--json")
    assert done.returncode == 0, done.stderr
    skills = {s["name"]: s for s in json.loads(done.stdout)["skills"]}
    assert skills["alert-triage"]["source"] == "workspace" and skills["alert-triage"]["description"] == "our own triage steps"
    assert skills["media-pipeline"]["source"] == "bundled"
    table = cli(state_dir, "skills", "list")
    assert "alert-triage" in table.stdout and "workspace" in table.stdout


def test_cron_add_list_rm_round_trip_and_errors(state_dir: Path) -> None:
    added = cli(state_dir, "cron", "add", "--name", "morning", "--cron", "0 7 * * *", "--tz", "Europe/Berlin",
                "--message", "summarize the night", "--json")
    assert added.returncode == 0, added.stderr
    job = json.loads(added.stdout)["job"]
    assert job["schedule"] == {"kind": "cron", "expr": "0 7 * * *", "tz": "Europe/Berlin"}
    listed = json.loads(cli(state_dir, "cron", "list", "--json").stdout)["jobs"]
    assert [j["id"] for j in listed] == [job["id"]]
    bad = cli(state_dir, "cron", "add", "--name", "x", "--cron", "soon", "--message", "m")
    assert bad.returncode == 1 and "not a cron expression" in bad.stderr
    both = cli(state_dir, "cron", "add", "--name", "x", "--cron", "0 7 * * *", "--every", "5m", "--message", "m")
    assert both.returncode == 1 and "exactly one of --cron, --every, --at" in both.stderr
    assert cli(state_dir, "cron", "rm", job["id"]).returncode == 0
    missing = cli(state_dir, "cron", "rm", job["id"])
    assert missing.returncode == 1 and f"no cron job {job['id']}" in missing.stderr


@pytest.mark.slow
async def test_agent_message_runs_in_the_running_gateway(state_dir: Path) -> None:
    from openclaw.gateway import runtime

    async with agent_stack(state_dir, [say("All 3 nodes Ready; nothing firing.")]) as stack:
        runtime.write(state_dir, host="127.0.0.1", port=stack.gateway.port)
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "openclaw", "agent", "--message", "how is the cluster?",
                                                    "--state-dir", str(state_dir), stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.PIPE, env=env())
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        assert out.decode().strip() == "All 3 nodes Ready; nothing firing."
        assert "no gateway running" not in err.decode()
        assert stack.model.requests[0].body["messages"][-1]["content"][0]["text"] == "how is the cluster?"
