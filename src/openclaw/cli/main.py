"""`openclaw` entry point: one Typer app, one module per verb group."""

from __future__ import annotations

from typing import Optional

import typer

from openclaw import __version__
from openclaw.cli import actions as actions_cli
from openclaw.cli import approvals as approvals_cli
from openclaw.cli import config as config_cli
from openclaw.cli import dashboard as dashboard_cli
from openclaw.cli import devices as devices_cli
from openclaw.cli import doctor as doctor_cli
from openclaw.cli import status as status_cli
from openclaw.cli import init as init_cli
from openclaw.cli import incidents as incidents_cli

app = typer.Typer(
    name="openclaw",
    help="openclaw: an AI operations agent for homelab Kubernetes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(config_cli.app, name="config")
app.add_typer(actions_cli.app, name="actions")
app.add_typer(approvals_cli.app, name="approvals")
app.add_typer(devices_cli.app, name="devices")
app.command("doctor")(doctor_cli.doctor)
app.command("status")(status_cli.status)
app.command("dashboard")(dashboard_cli.dashboard)
app.add_typer(init_cli.app, name="init")
app.add_typer(incidents_cli.app, name="incidents")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"openclaw {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Optional[bool] = typer.Option(None, "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """openclaw: an AI operations agent for homelab Kubernetes."""


@app.command()
def gateway(
    port: Optional[int] = typer.Option(None, "--port", help="Port (default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789)."),
    bind: Optional[str] = typer.Option(None, "--bind", help="loopback | lan | custom | auto (overrides gateway.bind for this run)."),
    state_dir: Optional[str] = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw)."),
) -> None:
    """Run the gateway: HTTP, WebSocket, webhooks and the engines, in one process."""
    from openclaw.cli.output import fail
    from openclaw.config import paths
    from openclaw.errors import ConfigError
    from openclaw.gateway import server

    try:
        plan = server.prepare(paths.state_dir(state_dir), port=port, bind=bind)
    except ConfigError as exc:
        fail(f"Config invalid — {exc}\nRun: openclaw doctor", code=1)
    sfile = plan.services.config.snapshot.state_path
    url_host = "127.0.0.1" if plan.host in ("0.0.0.0", "::") else plan.host
    typer.echo(f"openclaw gateway listening on http://{url_host}:{plan.port}/  (Control UI)")
    typer.echo(f"gateway token: {'generated and ' if plan.token_created else ''}stored in {sfile}  (grep -A1 '\"token\"' {sfile})")
    typer.echo("open the Control UI with the token filled in: openclaw dashboard")
    server.serve(plan)


def run() -> None:
    app()
