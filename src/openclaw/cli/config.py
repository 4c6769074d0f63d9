"""`openclaw config get|set|unset|validate|file`."""

from __future__ import annotations

from typing import Optional

import typer

app = typer.Typer(help="Read and change the persisted config (the state file).", no_args_is_help=True)

StateDirOpt = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw).")


@app.command("get")
def get(
    path: str = typer.Argument(..., help="Dotted path, e.g. gateway.bind or hooks.mappings[0]."),
    source: bool = typer.Option(False, "--source", help="Also say which layer the value came from."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    state_dir: Optional[str] = StateDirOpt,
) -> None:
    """Print the effective value at PATH (secrets redacted). Exit 1 when PATH is not set anywhere."""
    from openclaw.cli.output import fail, print_json
    from openclaw.config import dotpath, layers, paths
    from openclaw.errors import ConfigError

    try:
        snap = layers.load(paths.state_dir(state_dir))
        segs = dotpath.parse(path)
        value = dotpath.get(snap.redacted(), segs)
    except ConfigError as exc:
        fail(str(exc))
    except KeyError:
        fail(f"Config path not found: {path}")
    layer = snap.source_of(path)
    if as_json:
        print_json({"path": path, "value": value, "source": layer} if source else value)
        return
    text = value if isinstance(value, str) else __import__("json").dumps(value)
    typer.echo(f"{text}  (source: {layer})" if source else text)


@app.command("set")
def set_(
    path: str = typer.Argument(..., help="Dotted path."),
    value: str = typer.Argument(..., help="Value, parsed as JSON5; otherwise kept as a string."),
    state_dir: Optional[str] = StateDirOpt,
) -> None:
    """Validate and write PATH=VALUE to the state file; a running gateway picks it up."""
    from openclaw.cli.output import fail
    from openclaw.config import paths, store
    from openclaw.errors import ConfigError
    from openclaw.gateway.config_holder import needs_restart

    try:
        store.set_value(paths.state_dir(state_dir), path, store.parse_value(value))
    except ConfigError as exc:
        fail(f"Not written — {exc}")
    if needs_restart([path]):
        typer.echo(f"Updated {path}. Restart the gateway to apply it: the gateway reads it only at start-up.")
    else:
        typer.echo(f"Updated {path}. A running gateway applies it without a restart.")


@app.command("unset")
def unset(path: str = typer.Argument(...), state_dir: Optional[str] = StateDirOpt) -> None:
    """Remove PATH from the state file (exit 1 when it is not there)."""
    from openclaw.cli.output import fail
    from openclaw.config import paths, store
    from openclaw.errors import ConfigError

    try:
        removed, _ = store.unset_value(paths.state_dir(state_dir), path)
    except ConfigError as exc:
        fail(f"Not written — {exc}")
    if not removed:
        fail(f"Config path not found in the state file: {path}")
    typer.echo(f"Removed {path}.")


@app.command("validate")
def validate(state_dir: Optional[str] = StateDirOpt, as_json: bool = typer.Option(False, "--json")) -> None:
    """Check every layer against the schema; exit 1 with each problem when invalid."""
    from openclaw.cli.output import fail, print_json
    from openclaw.config import layers, paths
    from openclaw.errors import ConfigError

    try:
        snap = layers.load(paths.state_dir(state_dir))
    except ConfigError as exc:
        if as_json:
            print_json({"valid": False, "problems": exc.problems or [exc.summary]})
            raise typer.Exit(1)
        fail(f"Config invalid — {exc}")
    from openclaw.config.schema import provider_api_problems

    warnings = snap.warnings + provider_api_problems(snap.settings.models)
    if as_json:
        print_json({"valid": True, "warnings": warnings})
        return
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    typer.echo("Config valid.")


@app.command("file")
def file(state_dir: Optional[str] = StateDirOpt) -> None:
    """Print the path of the state file (and the seed file, when one is set)."""
    from openclaw.config import paths

    typer.echo(str(paths.state_file(paths.state_dir(state_dir))))
    seed = paths.seed_file()
    if seed:
        typer.echo(f"seed (read-only): {seed}")
