"""`openclaw skills list [--json]`: the skills the agent can use, where each comes from, and why
one is not eligible."""

from __future__ import annotations

from typing import Optional

import typer

app = typer.Typer(help="Skills (SKILL.md) the agent is told about.", no_args_is_help=True)

StateDirOpt = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw).")


@app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    eligible: bool = typer.Option(False, "--eligible", help="Only skills whose requirements are met."),
    state_dir: Optional[str] = StateDirOpt,
) -> None:
    """Every skill: workspace skills first, then skills.load.dirs, then the bundled ones."""
    import os

    from openclaw.agent.runtime import workspace_for
    from openclaw.agent.skills import load_skills
    from openclaw.cli.output import fail, print_json, print_table
    from openclaw.config import layers, paths
    from openclaw.errors import ConfigError

    sdir = paths.state_dir(state_dir)
    try:
        settings = layers.load(sdir).settings
    except ConfigError as exc:
        fail(f"Config invalid — {exc}")
    ws = workspace_for(sdir, settings)
    catalog = load_skills(ws.root, settings.skills.load.dirs, os.environ)
    skills = sorted(catalog.skills.values(), key=lambda s: s.name)
    if eligible:
        skills = [s for s in skills if s.eligible]
    if as_json:
        print_json({"skills": [s.to_json() for s in skills], "problems": catalog.problems})
        return
    print_table("Skills", ["name", "source", "eligible", "description", "path"],
                [[s.name, s.source, "yes" if s.eligible else "no: " + ", ".join(s.missing), s.description, str(s.path)] for s in skills])
    for problem in catalog.problems:
        typer.echo(f"skipped: {problem}", err=True)
