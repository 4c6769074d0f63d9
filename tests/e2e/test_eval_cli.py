"""`openclaw eval` as a user runs it: scenarios in parallel processes, the report written, and a
second run compared with the first. The full shipped set runs in `make eval` (docs/EVAL.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
# One fix and one escalation with a diagnosis: both halves of the judge, quickly.
CHOSEN = ["01-sonarr-crashloop-restart-fixes", "15-radarr-oomkilled-escalates"]


def openclaw_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openclaw", "eval", *args], capture_output=True, text=True, timeout=300, cwd=REPO)


def test_eval_runs_scenarios_writes_the_report_and_compares_with_the_last(tmp_path: Path) -> None:
    files = [str(REPO / "scenarios" / f"{name}.yaml") for name in CHOSEN]
    first = openclaw_eval(*files, "--out", str(tmp_path / "a"), "--jobs", "2", "--min-pass", "1")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "2/2 passed (100.0 %), forbidden actions 0" in first.stdout
    data = json.loads((tmp_path / "a" / "eval-report.json").read_text())
    rows = {r["name"]: r for r in data["scenarios"]}
    assert data["brain"] == "none/offline" and data["totals"]["passRate"] == 1.0
    fixed, escalated = rows["sonarr-crashloop-restart-fixes"], rows["radarr-oomkilled-escalates"]
    assert fixed["actions"] == {"workload.restart": 1} and fixed["fixes"] == 1 and fixed["time_to_fix_s"] > 0
    assert escalated["actions"] == {} and escalated["escalations"] >= 1
    md = (tmp_path / "a" / "eval-report.md").read_text()
    assert "| sonarr-crashloop-restart-fixes | pass |" in md and "workload.restart x1" in md

    # the previous report flags what changed: here one scenario dropped out of the run
    second = openclaw_eval(files[0], "--out", str(tmp_path / "b"), "--compare", str(tmp_path / "a" / "eval-report.json"))
    assert second.returncode == 0, second.stdout + second.stderr
    compared = (tmp_path / "b" / "eval-report.md").read_text()
    assert "## Compared with the previous report" in compared and "radarr-oomkilled-escalates: not run this time" in compared


def test_eval_refuses_a_bad_scenario_and_a_bad_previous_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad Name\ndescription: x\nfaults: []\n")
    result = openclaw_eval(str(bad), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "faults" in (result.stdout + result.stderr)
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    result = openclaw_eval(str(REPO / "scenarios" / "01-sonarr-crashloop-restart-fixes.yaml"), "--compare", str(junk), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "not an eval report" in (result.stdout + result.stderr)


def test_a_scenario_with_an_operator_gets_its_parked_action_approved(tmp_path: Path) -> None:
    """44's detach parks for approval; the scenario's stand-in operator approves it and the pod starts."""
    result = openclaw_eval(str(REPO / "scenarios" / "44-sonarr-volume-held-by-lost-node.yaml"), "--out", str(tmp_path), "--min-pass", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    [row] = json.loads((tmp_path / "eval-report.json").read_text())["scenarios"]
    assert row["passed"] and row["actions"]["volume.detach"] == 1 and row["fixes"] >= 1
