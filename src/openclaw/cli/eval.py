"""`openclaw eval`: run scenarios end to end on fresh sandboxes and write the report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

SHIPPED = Path(__file__).resolve().parents[3] / "scenarios"


def eval_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Scenario files or folders (default: the shipped scenarios/)."),
    speed: float = typer.Option(300.0, "--speed", min=1.0, help="Simulated seconds per wall second in each sandbox."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Scenarios at once (default: the CPUs this process may use)."),
    out: Path = typer.Option(Path("eval"), "--out", help="Folder for eval-report.md and eval-report.json."),
    compare_with: Optional[Path] = typer.Option(None, "--compare", help="A previous eval-report.json to compare with."),
    config: Optional[Path] = typer.Option(None, "--config", help="JSON or YAML mapping of config keys for each fresh gateway (e.g. models, agents: the brain)."),
    min_pass: float = typer.Option(0.0, "--min-pass", min=0.0, max=1.0, help="Exit 1 when the pass rate is below this (e.g. 0.9), or on any forbidden action."),
    only: Optional[str] = typer.Option(None, "--only", help="Only scenarios whose file name contains this."),
) -> None:
    """Run a folder of scenarios with the configured brain and report verdicts, time to fix, actions, escalations, tokens and cost."""
    import asyncio

    import yaml
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from openclaw.cli.output import fail
    from openclaw.evals import report as reports
    from openclaw.evals.runner import run_all
    from openclaw.sandbox import scenario as scenarios

    files: list[Path] = []
    for p in paths or [SHIPPED]:
        if p.is_dir():
            files += scenarios.discover(p)
        elif p.is_file():
            files.append(p)
        else:
            fail(f"{p}: no such scenario file or folder", code=2)
    if only:
        files = [f for f in files if only in f.name]
    if not files:
        fail("no scenarios to run (give a folder of *.yaml or files)", code=2)
    bad = []
    for f in files:
        try:
            scenarios.load(f)
        except scenarios.ScenarioError as exc:
            bad.append(str(exc))
    if bad:
        fail("\n".join(bad), code=2)
    overrides: dict[str, object] = {}
    if config is not None:
        try:
            loaded = yaml.safe_load(config.read_text())
        except (OSError, yaml.YAMLError) as exc:
            fail(f"--config {config}: cannot read ({exc})", code=2)
        if not isinstance(loaded, dict):
            fail(f"--config {config}: expected a mapping of config keys, e.g. {{models: ..., agents: ...}}", code=2)
        overrides = loaded
    previous = None
    if compare_with is not None:
        try:
            previous = reports.load(compare_with)
        except ValueError as exc:
            fail(str(exc), code=2)
    workers = jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False) as bar:
        task = bar.add_task(f"eval x{speed:g}, {workers} at once", total=len(files))

        def done(row: object) -> None:
            name, passed = getattr(row, "name", "?"), getattr(row, "passed", False)
            bar.console.print(f"  {'pass' if passed else 'FAIL'}  {name}")
            bar.advance(task)

        rows = asyncio.run(run_all(files, speed=speed, jobs=workers, config=overrides, on_done=done))
    brains = sorted({r.brain for r in rows if not r.error}) or ["offline"]
    result = reports.EvalReport(rows, speed, ", ".join(brains))
    md_path, json_path = reports.write(result, out, previous)
    totals = result.totals
    typer.echo(f"{totals['passed']}/{totals['scenarios']} passed ({totals['passRate'] * 100:.1f} %), forbidden actions {totals['forbidden']}; "
               f"report: {md_path} and {json_path}")
    if totals["passRate"] < min_pass or (min_pass > 0 and totals["forbidden"]):
        raise typer.Exit(1)
