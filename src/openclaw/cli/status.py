"""`openclaw status`: what the running gateway reports about itself (the `status` method)."""

from __future__ import annotations

from typing import Optional

import typer

from openclaw.cli.gateway_access import TimeoutOpt, TokenOpt, UrlOpt


def status(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    state_dir: Optional[str] = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw)."),
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Show the running gateway's status; exit 1 when no gateway is running (or, with --url, answering)."""
    from openclaw.cli.gateway_access import call_gateway, gateway_target, no_gateway
    from openclaw.cli.output import fail, print_json
    from openclaw.config import paths
    from openclaw.gateway import runtime

    target = gateway_target(url, token, timeout)
    sdir = paths.state_dir(state_dir)
    ok, data = call_gateway(sdir, "status", timeout=5, target=target)
    if not ok:
        if as_json:
            print_json({"running": False, "port": runtime.gateway_port(sdir)})
            raise typer.Exit(1)
        fail(f"gateway is not running: {no_gateway(sdir)}; start it with `openclaw gateway`")
    listed, clients = call_gateway(sdir, "clients.list", timeout=5, target=target)
    data["clients"] = clients.get("clients", []) if listed and isinstance(clients, dict) else []
    if as_json:
        print_json({"running": True, **data})
        return
    uptime = int(data.get("uptimeMs", 0)) // 1000
    typer.echo(f"gateway running: openclaw {data.get('version')}, up {uptime // 3600}h{uptime % 3600 // 60:02d}m{uptime % 60:02d}s")
    typer.echo(f"  listening: bind={data.get('bind')} port={data.get('port')}  ready={data.get('ready')}")
    typer.echo(f"  state dir: {data.get('stateDir')}")
    if data.get("pendingRestart"):
        typer.echo(f"  restart needed to apply: {', '.join(data['pendingRestart'])}")
    shared = [c for c in data["clients"] if c.get("auth") == "shared-token"]
    typer.echo(f"  clients: {len(data['clients'])} connected ({len(shared)} shared-token, no device)")
    for c in shared:
        where = "local" if c.get("local") else "remote"
        typer.echo(f"    shared-token client {c.get('clientId')} from {c.get('remoteIp')} ({where}), scopes: {', '.join(c.get('scopes') or []) or 'none'}")
