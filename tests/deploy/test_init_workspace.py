"""`openclaw init` seeds the workspace from the ConfigMap without clobbering the agent's edits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openclaw.cli.main import app


def run_init(state: Path, source: Path, *extra: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["init", "--state-dir", str(state), "--workspace-source", str(source), "--json", *extra])
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "workspace-configmap"
    src.mkdir()
    (src / "AGENTS.md").write_text("# Agents v1\n")
    (src / "SOUL.md").write_text("# Soul v1\n")
    (src / "BOOTSTRAP.md").write_text("# First run\n")
    return src


def test_first_run_copies_every_file_into_the_workspace(tmp_path: Path, source: Path) -> None:
    state = tmp_path / "state"
    code, out = run_init(state, source)
    assert code == 0 and out["ok"] is True
    assert sorted(out["workspace"]["copied"]) == ["AGENTS.md", "BOOTSTRAP.md", "SOUL.md"]
    assert (state / "workspace" / "AGENTS.md").read_text() == "# Agents v1\n"
    assert (state / "workspace" / "SOUL.md").stat().st_mode & 0o777 == 0o600


def test_rerun_with_nothing_changed_reports_unchanged_and_writes_nothing(tmp_path: Path, source: Path) -> None:
    state = tmp_path / "state"
    run_init(state, source)
    manifest = state / "init" / "workspace-seeded.json"
    before = manifest.stat().st_mtime_ns
    code, out = run_init(state, source)
    assert code == 0
    assert out["workspace"]["copied"] == [] and out["workspace"]["updated"] == []
    assert sorted(out["workspace"]["unchanged"]) == ["AGENTS.md", "BOOTSTRAP.md", "SOUL.md"]
    assert manifest.stat().st_mtime_ns == before


def test_a_file_the_agent_edited_is_kept_when_the_configmap_changes(tmp_path: Path, source: Path) -> None:
    state = tmp_path / "state"
    run_init(state, source)
    (state / "workspace" / "SOUL.md").write_text("# Soul, as the agent rewrote it\n")
    (source / "SOUL.md").write_text("# Soul v2\n")
    code, out = run_init(state, source)
    assert code == 0
    assert out["workspace"]["skipped"] == ["SOUL.md"]
    assert "edited" in out["workspace"]["reasons"]["SOUL.md"]
    assert (state / "workspace" / "SOUL.md").read_text() == "# Soul, as the agent rewrote it\n"


def test_an_untouched_seeded_file_is_updated_when_the_configmap_changes(tmp_path: Path, source: Path) -> None:
    state = tmp_path / "state"
    run_init(state, source)
    (source / "AGENTS.md").write_text("# Agents v2\n")
    code, out = run_init(state, source)
    assert code == 0
    assert out["workspace"]["updated"] == ["AGENTS.md"]
    assert (state / "workspace" / "AGENTS.md").read_text() == "# Agents v2\n"


def test_an_edited_file_stays_edited_across_two_configmap_changes(tmp_path: Path, source: Path) -> None:
    state = tmp_path / "state"
    run_init(state, source)
    (state / "workspace" / "SOUL.md").write_text("mine\n")
    (source / "SOUL.md").write_text("# Soul v2\n")
    run_init(state, source)
    (source / "SOUL.md").write_text("# Soul v3\n")
    _, out = run_init(state, source)
    assert out["workspace"]["skipped"] == ["SOUL.md"]
    assert (state / "workspace" / "SOUL.md").read_text() == "mine\n"


def test_a_seeded_file_the_agent_deleted_is_not_brought_back(tmp_path: Path, source: Path) -> None:
    state = tmp_path / "state"
    run_init(state, source)
    (state / "workspace" / "BOOTSTRAP.md").unlink()  # the first-run ritual deletes it
    code, out = run_init(state, source)
    assert code == 0
    assert out["workspace"]["skipped"] == ["BOOTSTRAP.md"]
    assert not (state / "workspace" / "BOOTSTRAP.md").exists()


def test_a_file_already_in_the_workspace_but_never_seeded_is_kept(tmp_path: Path, source: Path) -> None:
    state = tmp_path / "state"
    (state / "workspace").mkdir(parents=True)
    (state / "workspace" / "AGENTS.md").write_text("written by hand before init ever ran\n")
    code, out = run_init(state, source)
    assert code == 0
    assert out["workspace"]["skipped"] == ["AGENTS.md"]
    assert (state / "workspace" / "AGENTS.md").read_text() == "written by hand before init ever ran\n"


def test_a_mounted_configmap_layout_seeds_only_the_keys(tmp_path: Path) -> None:
    """The kubelet mounts keys as symlinks into `..data`, a symlink to a timestamped dir."""
    src = tmp_path / "cm"
    stamped = src / "..2026_11_24_03_00_00.123456789"
    stamped.mkdir(parents=True)
    (stamped / "AGENTS.md").write_text("# Agents\n")
    (stamped / "USER.md").write_text("# User\n")
    os.symlink(stamped.name, src / "..data")
    for key in ("AGENTS.md", "USER.md"):
        os.symlink(f"..data/{key}", src / key)
    state = tmp_path / "state"
    code, out = run_init(state, src)
    assert code == 0
    assert sorted(out["workspace"]["copied"]) == ["AGENTS.md", "USER.md"]
    assert sorted(p.name for p in (state / "workspace").iterdir()) == ["AGENTS.md", "USER.md"]
    assert not (state / "workspace" / "AGENTS.md").is_symlink()


def test_a_missing_source_dir_is_a_clear_error_with_nonzero_exit(tmp_path: Path) -> None:
    code, out = run_init(tmp_path / "state", tmp_path / "nope")
    assert code == 1 and out["ok"] is False
    assert "is not a directory" in out["errors"][0] and "nope" in out["errors"][0]


def test_the_human_summary_names_each_file_and_its_outcome(tmp_path: Path, source: Path) -> None:
    result = CliRunner().invoke(app, ["init", "--state-dir", str(tmp_path / "s"), "--workspace-source", str(source)])
    assert result.exit_code == 0
    assert "copied    AGENTS.md" in result.stdout
    assert "3 copied, 0 updated, 0 unchanged, 0 skipped" in result.stdout


def test_the_workspace_dir_can_be_set_to_match_agents_defaults_workspace(tmp_path: Path, source: Path) -> None:
    elsewhere = tmp_path / "agent-home"
    code, out = run_init(tmp_path / "state", source, "--workspace-dir", str(elsewhere))
    assert code == 0 and out["workspace"]["workspace"] == str(elsewhere)
    assert (elsewhere / "AGENTS.md").read_text() == "# Agents v1\n"
    assert not (tmp_path / "state" / "workspace").exists()
