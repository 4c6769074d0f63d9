"""`openclaw` entry point: one Typer app, one module per verb group."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

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
from openclaw.cli import media as media_cli
from openclaw.cli import agent as agent_cli
from openclaw.cli import cron as cron_cli
from openclaw.cli import skills as skills_cli
from openclaw.cli import sandbox as sandbox_cli
from openclaw.cli import eval as eval_cli

if TYPE_CHECKING:
    from openclaw.gateway.server import StartPlan

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
app.command("init")(init_cli.init)
app.add_typer(incidents_cli.app, name="incidents")
app.add_typer(media_cli.app, name="media")
app.command("agent")(agent_cli.agent)
app.add_typer(skills_cli.app, name="skills")
app.add_typer(cron_cli.app, name="cron")
app.command("sandbox")(sandbox_cli.sandbox)
app.command("eval")(eval_cli.eval_command)


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
    sandbox: bool = typer.Option(False, "--sandbox", help="Also run the embedded sandbox homelab and use it (what `make run` does)."),
    speed: float = typer.Option(1.0, "--speed", min=0.001, help="With --sandbox: simulated seconds per wall second."),
    scenario: Optional[str] = typer.Option(None, "--scenario", help="With --sandbox: a scenario YAML to play."),
) -> None:
    """Run the gateway: HTTP, WebSocket, webhooks and the engines, in one process."""
    import gc

    # Start-up builds hundreds of thousands of objects that live as long as the process (modules,
    # models, schemas): collecting while they are built only rescans them (~10 % of the start).
    # The app's lifespan freezes them and turns collection back on once the gateway is started.
    gc.disable()
    from openclaw.cli.output import fail
    from openclaw.config import paths, statedir
    from openclaw.errors import ConfigError, StateError
    from openclaw.gateway import server

    try:
        # First: a read-only or foreign-owned volume is named as such, not by whatever write meets it.
        statedir.ensure_writable(paths.state_dir(state_dir))
        if sandbox:
            from openclaw.sandbox.embedded import ensure_hooks_token

            ensure_hooks_token(paths.ensure_private_dir(paths.state_dir(state_dir)))
        plan = server.prepare(paths.state_dir(state_dir), port=port, bind=bind)
    except ConfigError as exc:
        fail(f"Config invalid — {exc}" + ("\nRun: openclaw doctor" if exc.problems else " (run: openclaw doctor)"), code=1)
    except StateError as exc:
        fail(f"Cannot start — {exc}", code=1)
    except OSError as exc:
        fail(f"Cannot start — {statedir.describe(exc)}", code=1)
    sfile = plan.services.config.snapshot.state_path
    url_host = "127.0.0.1" if plan.host in ("0.0.0.0", "::") else plan.host
    if sandbox:
        from pathlib import Path

        from openclaw.sandbox.embedded import attach
        from openclaw.sandbox.scenario import ScenarioError

        try:
            box = attach(plan.services, gateway_url=f"http://{url_host}:{plan.port}", speed=speed,
                         scenario=Path(scenario) if scenario else None, announce=typer.echo)
        except ScenarioError as exc:
            fail(str(exc), code=2)
        typer.echo(f"sandbox homelab: kubeconfig {box.kubeconfig}  (kubectl --kubeconfig {box.kubeconfig} get pods -A)")
    typer.echo(f"openclaw gateway listening on http://{url_host}:{plan.port}/  (Control UI)")
    typer.echo(f"gateway token: {'generated and ' if plan.token_created else ''}stored in {sfile}  (grep -A1 '\"token\"' {sfile})")
    typer.echo("open the Control UI with the token filled in: openclaw dashboard")
    if sandbox:
        _announce_dashboard(plan, url_host)
    server.serve(plan)


def _announce_dashboard(plan: StartPlan, url_host: str) -> None:
    """Print the Control UI URL once /readyz answers 200: with the token filled in on a terminal,
    without it when stdout is a file or a pipe (a log must never hold the token)."""
    import sys

    from openclaw.cli.dashboard import dashboard_url
    from openclaw.cli.ready_announce import announce_when_ready

    services = plan.services
    settings = services.config.settings
    base = settings.gateway.control_ui.base_path.rstrip("/") + "/"
    if sys.stdout.isatty():
        url = dashboard_url(url_host, plan.port, base, settings.gateway.auth.token or "")
        line = f"ready: open the Control UI at {url}"
    else:
        line = f"ready: open the Control UI at http://{url_host}:{plan.port}{base}  (with the token filled in: openclaw dashboard)"
    probe = f"http://{url_host}:{plan.port}/readyz"

    async def start() -> None:
        services.supervisor.start("dashboard.announce", announce_when_ready(probe, line, typer.echo))

    services.startup.append(start)


def run() -> None:
    app()
