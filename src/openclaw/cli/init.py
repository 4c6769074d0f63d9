"""`openclaw init`: what the pod's init container runs before the gateway starts.

Installs the pinned tools (kubectl, kubeconform) into the tools dir, then seeds the workspace from
the mounted workspace ConfigMap without clobbering what the agent has edited since. Exits non-zero
when anything failed, after doing (and reporting) everything it could.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

def init(
    state_dir: Optional[str] = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw)."),
    workspace_source: Optional[Path] = typer.Option(
        None, "--workspace-source", envvar="OPENCLAW_WORKSPACE_SOURCE", help="Dir holding the workspace files (the mounted ConfigMap)."
    ),
    workspace_dir: Optional[Path] = typer.Option(
        None, "--workspace-dir", envvar="OPENCLAW_WORKSPACE_DIR", help="Workspace to seed (default: <state>/workspace; match agents.defaults.workspace)."
    ),
    tools_manifest: Optional[Path] = typer.Option(
        None, "--tools-manifest", envvar="OPENCLAW_TOOLS_MANIFEST", help="YAML/JSON list of tools: name, url, sha256, mode, archive, member."
    ),
    tools_dir: Optional[Path] = typer.Option(
        None, "--tools-dir", envvar="OPENCLAW_TOOLS_DIR", help="Where tools are installed (default: <state>/tools)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Install pinned tools and seed <state>/workspace/ from the workspace source."""
    from openclaw.cli.output import print_json
    from openclaw.config import paths
    from openclaw.errors import OpenClawError
    from openclaw.init import ToolInstallError, ToolOutcome, install_tools, load_manifest, manifest_path, seed_workspace

    sdir = paths.state_dir(state_dir)
    summary: dict[str, Any] = {"ok": True, "stateDir": str(sdir), "tools": None, "workspace": None, "errors": []}

    if tools_manifest is not None:
        target = tools_dir or sdir / "tools"
        try:
            results = install_tools(load_manifest(tools_manifest), target)
        except ToolInstallError as exc:
            summary["errors"].append(str(exc))
        except OSError as exc:
            summary["errors"].append(f"tools dir {target}: {exc.strerror or exc}")
        else:
            summary["tools"] = {"dir": str(target), "results": [r.as_dict() for r in results]}
            summary["errors"] += [r.detail for r in results if r.outcome is ToolOutcome.FAILED]

    if workspace_source is not None:
        try:
            paths.ensure_private_dir(sdir)
            report = seed_workspace(workspace_source, workspace_dir or sdir / "workspace", manifest_path(sdir))
        except (OpenClawError, OSError) as exc:
            summary["errors"].append(f"workspace: {exc}")
        else:
            summary["workspace"] = report.as_dict()

    summary["ok"] = not summary["errors"]
    if as_json:
        print_json(summary)
    else:
        _print_summary(summary)
    if not summary["ok"]:
        raise typer.Exit(1)


def _print_summary(summary: dict[str, Any]) -> None:
    tools = summary["tools"]
    if tools is None:
        typer.echo("tools: no tools manifest given (--tools-manifest / OPENCLAW_TOOLS_MANIFEST); nothing installed")
    else:
        typer.echo(f"tools ({tools['dir']}):")
        for r in tools["results"]:
            line = f"  {r['outcome']:<9} {r['name']}"
            if r["outcome"] == "installed":
                line += f"  from {r['detail']}"
            typer.echo(line)
    ws = summary["workspace"]
    if ws is None:
        typer.echo("workspace: no source given (--workspace-source / OPENCLAW_WORKSPACE_SOURCE); nothing seeded")
    else:
        typer.echo(f"workspace ({ws['source']} -> {ws['workspace']}):")
        for outcome in ("copied", "updated", "unchanged", "skipped"):
            for path in ws[outcome]:
                reason = ws["reasons"].get(path)
                typer.echo(f"  {outcome:<9} {path}" + (f"  ({reason})" if reason else ""))
        counts = ", ".join(f"{len(ws[o])} {o}" for o in ("copied", "updated", "unchanged", "skipped"))
        typer.echo(f"  {counts}")
    for err in summary["errors"]:
        typer.echo(f"error: {err}", err=True)
