"""Tool schemas come from the typed functions; the descriptions the model reads are snapshot-tested
so a change to one is a deliberate change."""

from __future__ import annotations

import json
from pathlib import Path

from openclaw.agent.results import TRUNCATION_MARKER, ToolResult, render
from openclaw.agent.toolsets import build_toolbox

SNAPSHOT = Path(__file__).parent / "data" / "tool_specs.json"
ALL = {"policy": object(), "events": object(), "incidents": object(), "media": object()}


def current() -> dict[str, object]:
    box, _ = build_toolbox(ALL, 8000)
    return {s.name: {"description": s.description, "parameters": s.parameters} for s in box.specs()}


def test_tool_specs_match_the_snapshot() -> None:
    # To accept a deliberate change, rewrite the snapshot:
    #   python -c "import sys,json; sys.path.insert(0,'tests/unit/agent'); import test_tool_schemas as t; \
    #   t.SNAPSHOT.write_text(json.dumps(t.current(), indent=1, sort_keys=True) + '\\n')"
    assert json.loads(SNAPSHOT.read_text()) == json.loads(json.dumps(current()))


def test_mutating_tools_are_exactly_the_policy_actions() -> None:
    box, _ = build_toolbox(ALL, 8000)
    assert sorted(t.name for t in box.tools.values() if t.mutating) == [
        "approve_request", "cleanup_jobs", "cordon_node", "delete_pod", "drain_node", "fix_media_item", "label_node", "reannounce_download",
        "recheck_download", "refresh_library", "refresh_media", "remove_from_queue", "restart_workload", "retry_download", "retry_request", "scale_workload",
        "scan_downloads", "search_media", "taint_node", "uncordon_node", "untaint_node"]
    for tool in box.tools.values():
        # fix_media_item runs the media runbook's ladder, whose rungs carry the stuck reason as theirs.
        if tool.mutating and tool.name != "fix_media_item":
            assert "reason" in tool.spec().parameters["required"]


def test_toolsets_without_their_capability_are_reported_not_offered() -> None:
    box, statuses = build_toolbox({}, 8000)
    assert sorted(box.tools) == ["read_memory", "read_skill", "write_memory"]
    off = {s.name: s.reason for s in statuses if not s.enabled}
    assert off == {"actions": "needs policy (not running)", "cluster": "needs policy (not running)",
                   "media": "needs media, policy (not running)", "records": "needs events (not running)"}


def test_output_over_budget_is_cut_with_a_visible_marker_and_a_hint() -> None:
    text, recorded = render(ToolResult.ok({"log": "line\n" * 5000}), 1000)
    assert len(text) <= 1000 and TRUNCATION_MARKER in text and "narrower query" in text
    assert recorded.truncated
    small, same = render(ToolResult.ok({"a": 1}), 1000)
    assert json.loads(small) == {"status": "success", "data": {"a": 1}} and not same.truncated
