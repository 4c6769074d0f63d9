"""Skills: SKILL.md parsing, precedence (workspace over skills.load.dirs over bundled), gating on
binaries and env, the three bundled skills, and what the prompt lists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from agent_scripts import text_reply

from openclaw.agent.brains.scripted import ScriptedBrain
from openclaw.agent.messages import Message
from openclaw.agent.runtime import AgentRuntime, RunRequest
from openclaw.agent.skills import load_skills


def write_skill(root: Path, folder: str, front: str, body: str = "Do the thing.") -> Path:
    path = root / folder / "SKILL.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}\n---\n{body}\n")
    return path


def test_the_three_bundled_skills_load_and_are_eligible(tmp_path: Path) -> None:
    catalog = load_skills(tmp_path / "ws", [], {})
    assert {"cluster-operations", "alert-triage", "media-pipeline"} <= set(catalog.skills)
    assert all(s.source == "bundled" and s.eligible for s in catalog.skills.values())
    assert catalog.problems == []
    assert "restart_workload" in catalog.skills["cluster-operations"].body()


def test_workspace_wins_over_a_skills_dir_which_wins_over_bundled(tmp_path: Path) -> None:
    ws, mounted = tmp_path / "ws", tmp_path / "mounted"
    write_skill(mounted, "triage", "name: alert-triage\ndescription: the mounted copy")
    write_skill(mounted, "backup", "name: backup-check\ndescription: check velero backups")
    write_skill(ws / "skills", "triage", "name: alert-triage\ndescription: the workspace copy", body="Workspace steps.")
    catalog = load_skills(ws, [str(mounted)], {})
    assert catalog.skills["alert-triage"].description == "the workspace copy"
    assert catalog.skills["alert-triage"].source == "workspace"
    assert catalog.skills["alert-triage"].body() == "Workspace steps."
    assert catalog.skills["backup-check"].source == "dir"
    assert catalog.skills["media-pipeline"].source == "bundled"


def test_missing_binaries_and_env_make_a_skill_ineligible(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write_skill(root / "skills", "a", "name: needs-bin\ndescription: d\nrequires:\n  bins: [definitely-not-a-binary-xyz]")
    write_skill(root / "skills", "b", "name: needs-env\ndescription: d\nrequires:\n  env: [VELERO_TOKEN]")
    write_skill(root / "skills", "c", 'name: nested-meta\ndescription: d\nmetadata: {"openclaw": {"requires": {"bins": ["sh"]}}}')
    catalog = load_skills(root, [], {"OTHER": "1"}, include_bundled=False)
    assert catalog.skills["needs-bin"].missing == ("bin:definitely-not-a-binary-xyz",)
    assert catalog.skills["needs-env"].missing == ("env:VELERO_TOKEN",)
    assert catalog.skills["nested-meta"].eligible
    assert [s.name for s in catalog.eligible()] == ["nested-meta"]
    assert load_skills(root, [], {"VELERO_TOKEN": "x"}, include_bundled=False).skills["needs-env"].eligible


def test_a_malformed_skill_is_reported_with_its_path_and_field(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    bad = write_skill(root / "skills", "bad", "description: no name here")
    (root / "skills" / "nofront").mkdir(parents=True)
    (root / "skills" / "nofront" / "SKILL.md").write_text("just text\n")
    catalog = load_skills(root, [], {}, include_bundled=False)
    assert catalog.skills == {}
    assert any(str(bad) in p and "name" in p for p in catalog.problems)
    assert any("front matter" in p for p in catalog.problems)


async def test_the_prompt_lists_skills_and_read_skill_returns_the_body(make_runtime: Callable[..., AgentRuntime], state_dir: Path) -> None:
    write_skill(state_dir / "workspace" / "skills", "dns", "name: dns-debug\ndescription: Debug CoreDNS lookups", body="Check {baseDir}/notes.")
    from agent_scripts import play, tool_reply

    rt = make_runtime(play(tool_reply("read_skill", {"name": "dns-debug"}), text_reply("ok")))
    await rt.run(RunRequest("s", Message.user("dns is broken")))
    brain = rt.brain
    assert isinstance(brain, ScriptedBrain)
    system = brain.requests[0].system
    assert "<name>dns-debug</name><description>Debug CoreDNS lookups</description>" in system
    assert "<name>alert-triage</name>" in system
    assert "Check " not in system  # bodies are read on demand, not injected
    result = brain.requests[1].messages[-1].tool_outcomes[0].content
    assert f"Check {state_dir / 'workspace' / 'skills' / 'dns'}/notes." in result
