"""Scenario files: every shipped one loads; bad ones are refused naming the field; forbidden actions match."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from openclaw.sandbox import scenario as scenarios

REPO = Path(__file__).resolve().parents[3]
SHIPPED = scenarios.discover(REPO / "scenarios")

MINIMAL = {"name": "x", "description": "d", "faults": [{"type": "node-not-ready", "node": "homelab-w1"}]}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_loads(path: Path) -> None:
    loaded = scenarios.load(path)
    assert loaded.name in path.stem and loaded.faults


def problems_of(data: dict) -> list[str]:  # type: ignore[type-arg]  # raw YAML data
    with pytest.raises(scenarios.ScenarioError) as info:
        scenarios.parse(data, "t.yaml")
    return info.value.problems


def test_a_missing_field_is_named_with_its_path() -> None:
    data = {**MINIMAL, "faults": [{"type": "crashloop", "target": "sonarr"}]}
    assert problems_of(data) == ["faults[0].namespace: Field required"]


def test_an_unknown_fault_type_names_the_field_and_the_value() -> None:
    data = {**MINIMAL, "faults": [{"type": "crashlop", "namespace": "media", "target": "sonarr"}]}
    (problem,) = problems_of(data)
    assert problem.startswith("faults[0]") and "crashlop" in problem


def test_a_bad_duration_and_an_unknown_key_are_both_reported() -> None:
    data = {**MINIMAL, "faults": [{"type": "node-not-ready", "node": "w1", "at": "soon"}], "expect": {"alerts": [{"alertname": "X", "withn": "5m"}]}}
    found = problems_of(data)
    assert any(p.startswith("faults[0].at:") and "30s, 15m or 2h" in p for p in found)
    assert any(p.startswith("expect.alerts[0].withn:") for p in found)


def test_durations_accept_units_and_plain_seconds() -> None:
    data = {**MINIMAL, "faults": [{"type": "node-not-ready", "node": "w1", "at": "2m"}], "outcome": {"within": 90}}
    parsed = scenarios.parse(data)
    assert parsed.faults[0].at == 120.0 and parsed.outcome.within == 90.0


def test_unreadable_yaml_is_refused_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(scenarios.ScenarioError, match="broken.yaml: not valid YAML"):
        scenarios.load(path)


def test_forbidden_actions_match_only_executed_records_in_scope() -> None:
    data = yaml.safe_load((REPO / "scenarios" / "11-coredns-target-down.yaml").read_text())
    run = scenarios.ScenarioRun(scenarios.parse(data), sandbox=None)  # type: ignore[arg-type]  # violations() reads no sandbox
    actions = [
        {"kind": "pod.delete", "namespace": "kube-system", "target": "Pod/kube-system/coredns-abc", "executed": True},
        {"kind": "pod.delete", "namespace": "kube-system", "target": "Pod/kube-system/coredns-def", "executed": False},
        {"kind": "pod.delete", "namespace": "media", "target": "Pod/media/sonarr-abc", "executed": True},
    ]
    assert run.violations(actions) == ["pod.delete on kube-system/Pod/kube-system/coredns-abc is forbidden in this scenario"]


def test_operator_approves_names_action_kinds_and_an_unknown_one_is_refused_with_its_field() -> None:
    parsed = scenarios.parse({**MINIMAL, "operator": {"approves": ["volume.detach", "node.drain"]}})
    assert parsed.operator.approves == ["volume.detach", "node.drain"]
    assert scenarios.parse(MINIMAL).operator.approves == []  # no operator: parked actions stay parked
    (problem,) = problems_of({**MINIMAL, "operator": {"approves": ["volume.detach", "volume.detatch"]}})
    assert problem.startswith("operator.approves[1]: ") and "unknown action kind 'volume.detatch'" in problem and "known: pod.delete," in problem
    (problem,) = problems_of({**MINIMAL, "operator": {"approve": ["node.drain"]}})
    assert problem.startswith("operator.approve:")


def test_shipped_scenarios_that_need_an_operator_name_only_kinds_that_park() -> None:
    """An approval only matters for a kind that parks by default; naming another would hide a change in the defaults."""
    from openclaw.config.schema import OpsPolicySettings

    policy = OpsPolicySettings.model_validate({})
    named = {kind for path in SHIPPED for kind in scenarios.load(path).operator.approves}
    assert "volume.detach" in named
    assert all(policy.action(kind).require_approval for kind in named)


def test_media_fault_types_for_usenet_music_and_plex_parse_and_name_bad_fields() -> None:
    loaded = scenarios.parse({**MINIMAL, "faults": [
        {"type": "usenet-failed", "title": "Dune", "message": "Repair failed, not enough repair blocks (40 short)", "retry": "fails", "count": 2},
        {"type": "incomplete-import", "title": "Kid A"}, {"type": "plex-missing", "title": "Arrival"},
        {"type": "add-artist", "mbId": "a74b1b7f-71a5-4011-9441-d0b5e4122711"}], "expect": {"webhooks": [{"app": "lidarr", "event": "ImportFailure"}]}})
    usenet = loaded.faults[0]
    assert usenet.type == "usenet-failed" and usenet.retry == "fails" and usenet.count == 2  # type: ignore[union-attr]  # the parsed member
    (problem,) = problems_of({**MINIMAL, "faults": [{"type": "usenet-failed", "title": "Dune", "retry": "maybe"}]})
    assert problem.startswith("faults[0].retry:") and "maybe" in problem
    assert problems_of({**MINIMAL, "faults": [{"type": "add-artist"}]}) == ["faults[0].mbId: Field required"]


def test_the_seerr_sync_miss_fault_parses_and_names_a_missing_title() -> None:
    loaded = scenarios.parse({**MINIMAL, "faults": [{"type": "seerr-sync-miss", "title": "Dune"}]})
    assert loaded.faults[0].type == "seerr-sync-miss" and loaded.faults[0].title == "Dune"  # type: ignore[union-attr]  # the parsed member
    assert problems_of({**MINIMAL, "faults": [{"type": "seerr-sync-miss"}]}) == ["faults[0].title: Field required"]
