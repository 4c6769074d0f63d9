"""`openclaw config get|set|unset|validate|file`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from openclaw.cli.gateway_access import TimeoutOpt, TokenOpt, UrlOpt

if TYPE_CHECKING:
    from openclaw.cli.gateway_access import GatewayTarget

app = typer.Typer(help="Read and change the persisted config (the state file).", no_args_is_help=True)

StateDirOpt = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw).")


@app.command("get")
def get(
    path: str = typer.Argument(..., help="Dotted path, e.g. gateway.bind or hooks.mappings[0]."),
    source: bool = typer.Option(False, "--source", help="Also say which layer the value came from."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    reveal: bool = typer.Option(
        False,
        "--reveal",
        help="Print secrets in clear: asks the running gateway (needs operator.admin), which audits the read in <state>/audit/config.jsonl; "
        "with no gateway running, reads the state dir and writes the same audit record.",
    ),
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Print the effective value at PATH (secrets redacted unless --reveal). Exit 1 when PATH is not set anywhere."""
    from openclaw.cli.gateway_access import gateway_target
    from openclaw.config import paths

    target = gateway_target(url, token, timeout)
    sdir = paths.state_dir(state_dir)
    if reveal:
        value, layer = _revealed(sdir, path, target)
    elif target.remote:
        value, layer = _from_gateway(sdir, path, target)
    else:
        value, layer = _from_state_dir(sdir, path)
    _print_value(path, value, layer, source=source, as_json=as_json)


def _from_state_dir(sdir: Path, path: str) -> tuple[Any, str]:
    from openclaw.cli.output import fail
    from openclaw.config import dotpath, layers
    from openclaw.errors import ConfigError

    try:
        snap = layers.load(sdir)
        value = dotpath.get(snap.redacted(), dotpath.parse(path))
    except ConfigError as exc:
        fail(str(exc))
    except KeyError:
        fail(f"Config path not found: {path}")
    return value, snap.source_of(path)


def _from_gateway(sdir: Path, path: str, target: GatewayTarget) -> tuple[Any, str]:
    """The redacted value from the gateway at --url (never the local file in its place)."""
    from openclaw.cli.gateway_access import call_gateway
    from openclaw.cli.output import fail
    from openclaw.config import dotpath
    from openclaw.errors import ConfigError

    _, got = call_gateway(sdir, "config.get", target=target)
    try:
        segments = dotpath.parse(path)
        value = dotpath.get(got["config"], segments)
    except ConfigError as exc:
        fail(str(exc))
    except KeyError:
        fail(f"Config path not found: {path}")
    # `sources` names each leaf's layer; a subtree is said to come from the highest layer in it,
    # as `source_of` says for the local file.
    prefix = dotpath.format_path(segments)
    layers_in = {layer for leaf, layer in got.get("sources", {}).items() if leaf == prefix or leaf.startswith((prefix + ".", prefix + "["))}
    return value, next((layer for layer in ("env", "state", "seed") if layer in layers_in), "default")


def _revealed(sdir: Path, path: str, target: GatewayTarget) -> tuple[Any, str]:
    """The value in clear: from the gateway (its operator.admin check and audit), else, when this
    state dir's gateway is not running, from the state dir with the same audit record written here."""
    import getpass
    import os

    from openclaw.cli.gateway_access import call_gateway
    from openclaw.cli.output import fail
    from openclaw.config import layers
    from openclaw.config.reveal import reveal
    from openclaw.errors import ConfigError

    ok, got = call_gateway(sdir, "config.reveal", {"path": path}, target=target)
    if ok:
        return got["value"], got["source"]
    try:
        shown = reveal(layers.load(sdir), path, actor={"user": getpass.getuser(), "uid": os.getuid(), "pid": os.getpid()}, via="state-dir")
    except ConfigError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"Not revealed: the audit record could not be written ({exc})")
    return shown.value, shown.source


def _print_value(path: str, value: Any, layer: str, *, source: bool, as_json: bool) -> None:
    from openclaw.cli.output import print_json

    if as_json:
        print_json({"path": path, "value": value, "source": layer} if source else value)
        return
    text = value if isinstance(value, str) else json.dumps(value)
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
    from openclaw.errors import ConfigError, StateError
    from openclaw.core.config_holder import needs_restart

    try:
        store.set_value(paths.state_dir(state_dir), path, store.parse_value(value))
    except ConfigError as exc:
        fail(f"Not written — {exc}")
    except StateError as exc:
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
    from openclaw.errors import ConfigError, StateError

    try:
        removed, _ = store.unset_value(paths.state_dir(state_dir), path)
    except ConfigError as exc:
        fail(f"Not written — {exc}")
    except StateError as exc:
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
