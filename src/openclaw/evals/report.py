"""The eval report: `eval-report.json` (every row, totals) and `eval-report.md` (the same for a
person), with the comparison against a previous report's JSON when one is given."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openclaw.evals.one import ScenarioEval

FORMAT = 1


@dataclass
class EvalReport:
    rows: list[ScenarioEval]
    speed: float
    brain: str
    generated_at: float = field(default_factory=time.time)

    @property
    def totals(self) -> dict[str, Any]:
        rows = self.rows
        fixed = [r.time_to_fix_s for r in rows if r.time_to_fix_s is not None]
        actions: dict[str, int] = {}
        for r in rows:
            for kind, n in r.actions.items():
                actions[kind] = actions.get(kind, 0) + n
        return {
            "scenarios": len(rows), "passed": sum(r.passed for r in rows),
            "passRate": round(sum(r.passed for r in rows) / len(rows), 4) if rows else 0.0,
            "forbidden": sum(r.forbidden for r in rows), "actions": actions,
            "escalations": sum(r.escalations for r in rows), "reports": sum(r.reports for r in rows), "fixes": sum(r.fixes for r in rows),
            "modelRuns": sum(r.model_runs for r in rows), "tokens": sum(r.tokens for r in rows), "costUsd": round(sum(r.cost_usd for r in rows), 6),
            "medianTimeToFixS": sorted(fixed)[len(fixed) // 2] if fixed else None, "wallS": round(sum(r.wall_s for r in rows), 1),
        }

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "generatedAt": self.generated_at, "brain": self.brain, "speed": self.speed,
                "totals": self.totals, "scenarios": [r.to_json() for r in self.rows]}


def load(path: Path) -> dict[str, Any]:
    """A previous report's JSON; raises ValueError naming the file when it is not one."""
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable eval report ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), list) or "totals" not in data:
        raise ValueError(f"{path}: not an eval report (expected the JSON `openclaw eval` writes, with totals and scenarios)")
    return data


def compare(report: EvalReport, previous: dict[str, Any]) -> list[str]:
    """Lines saying what changed since `previous`: pass rate, tokens, cost, and each scenario that flipped."""
    before = {str(r.get("name")): r for r in previous["scenarios"]}
    now, then = report.totals, previous["totals"]
    lines = [f"pass rate {then.get('passRate', 0) * 100:.1f}% -> {now['passRate'] * 100:.1f}% "
             f"({then.get('passed', 0)}/{then.get('scenarios', 0)} -> {now['passed']}/{now['scenarios']}); brain {previous.get('brain')} -> {report.brain}",
             f"tokens {then.get('tokens', 0)} -> {now['tokens']}, cost ${then.get('costUsd', 0):.4f} -> ${now['costUsd']:.4f}, "
             f"forbidden actions {then.get('forbidden', 0)} -> {now['forbidden']}"]
    for row in report.rows:
        old = before.get(row.name)
        if old is None:
            lines.append(f"{row.name}: new ({'passed' if row.passed else 'failed'})")
        elif bool(old.get("passed")) != row.passed:
            lines.append(f"{row.name}: {'now passes' if row.passed else 'now FAILS: ' + '; '.join(row.problems[:2])}")
    lines += [f"{name}: not run this time" for name in before if name not in {r.name for r in report.rows}]
    return lines


def markdown(report: EvalReport, comparison: list[str] | None = None) -> str:
    t = report.totals
    out = [
        "# openclaw eval", "",
        f"Brain: `{report.brain}`; speed x{report.speed:g}; {t['passed']}/{t['scenarios']} passed ({t['passRate'] * 100:.1f} %); "
        f"forbidden actions: {t['forbidden']}; escalations {t['escalations']}, reports {t['reports']}, fixes {t['fixes']}; "
        f"model runs {t['modelRuns']}, tokens {t['tokens']}, cost ${t['costUsd']:.4f}; median time to fix "
        + (f"{t['medianTimeToFixS'] / 60:.1f} simulated min" if t["medianTimeToFixS"] is not None else "n/a") + ".", "",
        "| scenario | verdict | time to fix | actions | escalations | reports | model runs | tokens | cost |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in report.rows:
        acts = ", ".join(f"{k} x{n}" for k, n in sorted(r.actions.items())) or "none"
        ttf = f"{r.time_to_fix_s / 60:.1f} min" if r.time_to_fix_s is not None else "-"
        out.append(f"| {r.name} | {'pass' if r.passed else '**FAIL**'} | {ttf} | {acts} | {r.escalations} | {r.reports} | {r.model_runs} | {r.tokens} | ${r.cost_usd:.4f} |")
    failed = [r for r in report.rows if not r.passed]
    if failed:
        out += ["", "## Not passed", ""]
        out += [f"- **{r.name}**: " + "; ".join(r.problems[:5]) for r in failed]
    if comparison:
        out += ["", "## Compared with the previous report", ""] + [f"- {line}" for line in comparison]
    return "\n".join(out) + "\n"


def write(report: EvalReport, folder: Path, previous: dict[str, Any] | None = None) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    comparison = compare(report, previous) if previous is not None else None
    data = report.to_json()
    if comparison is not None:
        data["comparison"] = comparison
    json_path, md_path = folder / "eval-report.json", folder / "eval-report.md"
    json_path.write_text(json.dumps(data, indent=2) + "\n")
    md_path.write_text(markdown(report, comparison))
    return md_path, json_path
