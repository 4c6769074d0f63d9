"""One scenario's report row from what the run left behind."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from openclaw.evals.one import summarize


def judged(ok: bool = True, elapsed: float = 900.0) -> Any:
    return SimpleNamespace(ok=ok, elapsed=elapsed, expectations=SimpleNamespace(problems=[]), outcome=SimpleNamespace(problems=[]), violations=[])


def note(kind: str, author: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kind": kind, "author": author, "summary": "...", "data": data or {}}


def test_only_the_agents_findings_count_as_model_runs_with_their_tokens_and_cost() -> None:
    notes = [
        note("finding", "runbook:media-ladder", {"item": "movie:tmdb:438631"}),  # a runbook's evidence, no model
        note("finding", "agent:incident:inc-3", {"usage": {"total": 1200}, "costUsd": 0.0042}),
        note("escalation", "runbook:media-ladder"),
        note("fix", "runbook:crashloop"),
    ]
    actions = [{"kind": "media.download.reannounce", "executed": True}, {"kind": "media.queue.remove", "executed": False}]
    row = summarize("stalled-download", Path("07-stalled-download.yaml"), judged(), actions, notes, first_fault=300.0, wall_s=12.0)
    assert (row.model_runs, row.tokens, row.cost_usd) == (1, 1200, 0.0042)
    assert (row.escalations, row.fixes, row.reports) == (1, 1, 0)
    assert row.actions == {"media.download.reannounce": 1} and row.time_to_fix_s == 600.0


def test_a_run_of_runbooks_only_reports_no_model_run() -> None:
    row = summarize("x", Path("x.yaml"), judged(ok=False), [], [note("finding", "runbook:media-ladder")], first_fault=0.0, wall_s=1.0)
    assert row.model_runs == 0 and row.tokens == 0 and row.time_to_fix_s is None
