"""`openclaw devices list|approve|rename|reject|revoke|rotate`: device pairing from the command line.

With a gateway running, the CLI goes through it on loopback (a local client, never asked to
pair), so live connections and events follow at once. With none running, it edits
`<state>/devices/*.json` directly under the same file lock the gateway uses. With `--url` it talks
to that gateway only (see `gateway_access`), as a device that gateway must have paired.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional

import typer

from openclaw.cli.gateway_access import TimeoutOpt, TokenOpt, UrlOpt

app = typer.Typer(help="List, approve, reject and revoke paired devices (browsers, CLIs).", no_args_is_help=True)

StateDirOpt = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw).")
JsonOpt = typer.Option(False, "--json", help="Print JSON.")


def _state(state_dir: Optional[str]) -> Path:
    from openclaw.config import paths

    return paths.state_dir(state_dir)


def _direct(fn_name: str, *args: Any) -> Any:
    """Run a PairingStore operation on the files (no gateway running)."""
    from openclaw.cli.output import fail
    from openclaw.errors import StateError
    from openclaw.gateway.pairing import PairingError, PairingStore

    store = PairingStore(*args[:1])
    try:
        return getattr(store, fn_name)(*args[1:])
    except PairingError as exc:
        fail(exc.message)
    except StateError as exc:
        fail(str(exc))


def _age(ts: Any) -> str:
    if not isinstance(ts, (int, float)):
        return ""
    secs = max(0, int(time.time() - ts / 1000))
    return f"{secs}s" if secs < 120 else f"{secs // 60}m" if secs < 7200 else f"{secs // 3600}h"


def _short(device_id: str) -> str:
    return device_id[:16] + "…" if len(device_id) > 17 else device_id


@app.command("list")
def list_(
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Pending pairing requests and paired devices."""
    from openclaw.cli.gateway_access import call_gateway, gateway_target
    from openclaw.cli.output import print_json, print_table

    target = gateway_target(url, token, timeout)
    sdir = _state(state_dir)
    ok, data = call_gateway(sdir, "device.pair.list", target=target)
    if not ok:
        data = _direct("listing", sdir)
    if as_json:
        print_json(data)
        return
    if not data["pending"] and not data["paired"]:
        typer.echo("No device pairing entries.")
        return
    if data["pending"]:
        rows = [
            [r["requestId"], _short(r["deviceId"]), r.get("role", ""), r.get("remoteIp", ""), _age(r.get("ts")), "repair" if r.get("isRepair") else ""]
            for r in data["pending"]
        ]
        print_table("Pending", ["Request", "Device", "Role", "IP", "Age", "Flags"], rows)
        typer.echo("Approve with: openclaw devices approve <Request>")
    if data["paired"]:
        rows = []
        for d in data["paired"]:
            tokens = ", ".join(f"{role}{' (revoked)' if t.get('revokedAtMs') else ''}" for role, t in (d.get("tokens") or {}).items())
            client = d.get("clientId") or ""
            rows.append([d["deviceId"], d.get("name") or "", client, ", ".join(d.get("roles") or []), ", ".join(d.get("scopes") or []), tokens, d.get("remoteIp", "")])
        print_table("Paired", ["Device", "Name", "Client", "Roles", "Scopes", "Tokens", "IP"], rows)
        typer.echo("Name one with: openclaw devices rename <Device> <name>")


@app.command("approve")
def approve(
    request_id: str = typer.Argument(..., help="The requestId shown by `openclaw devices list` or the Control UI."),
    name: Optional[str] = typer.Option(None, "--name", help="A name for the device, shown instead of its id (e.g. \"Anna's laptop\")."),
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Approve a pending pairing request."""
    from openclaw.cli.gateway_access import call_gateway, gateway_target
    from openclaw.cli.output import print_json
    from openclaw.gateway.pairing import redacted_device

    target = gateway_target(url, token, timeout)
    sdir = _state(state_dir)
    params = {"requestId": request_id, **({"name": name} if name is not None else {})}
    ok, data = call_gateway(sdir, "device.pair.approve", params, target=target)
    if not ok:
        data = {"requestId": request_id, "device": redacted_device(_direct("approve", sdir, request_id, name))}
    if as_json:
        print_json(data)
    else:
        named = data["device"].get("name")
        typer.echo(f"Approved {data['device']['deviceId']}" + (f" as {named}" if named else ""))


@app.command("rename")
def rename(
    device_id: str = typer.Argument(..., help="Device id (from `openclaw devices list`)."),
    name: str = typer.Argument(..., help="The name shown instead of the id in the Control UI, chat and lists."),
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Name a paired device."""
    from openclaw.cli.gateway_access import call_gateway, gateway_target
    from openclaw.cli.output import print_json

    target = gateway_target(url, token, timeout)
    sdir = _state(state_dir)
    ok, data = call_gateway(sdir, "device.rename", {"deviceId": device_id, "name": name}, target=target)
    if not ok:
        device = _direct("rename", sdir, device_id, name)
        data = {"deviceId": device_id, "name": device["name"]}
    if as_json:
        print_json(data)
    else:
        typer.echo(f"Renamed {device_id} to {data['name']}")


@app.command("reject")
def reject(
    request_id: str = typer.Argument(..., help="The requestId to refuse."),
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Reject a pending pairing request."""
    from openclaw.cli.gateway_access import call_gateway, gateway_target
    from openclaw.cli.output import print_json

    target = gateway_target(url, token, timeout)
    sdir = _state(state_dir)
    ok, data = call_gateway(sdir, "device.pair.reject", {"requestId": request_id}, target=target)
    if not ok:
        req = _direct("reject", sdir, request_id)
        data = {"requestId": request_id, "deviceId": req["deviceId"]}
    if as_json:
        print_json(data)
    else:
        typer.echo(f"Rejected {data['deviceId']}")


@app.command("revoke")
def revoke(
    device: str = typer.Option(..., "--device", help="Device id (from `openclaw devices list`)."),
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Unpair a device: its tokens stop working, its open connections close, it must pair again."""
    from openclaw.cli.gateway_access import call_gateway, gateway_target
    from openclaw.cli.output import print_json

    target = gateway_target(url, token, timeout)
    sdir = _state(state_dir)
    ok, data = call_gateway(sdir, "device.pair.remove", {"deviceId": device}, target=target)
    if not ok:
        _direct("remove", sdir, device)
        data = {"deviceId": device, "removed": True, "closedConnections": 0}
    if as_json:
        print_json(data)
    else:
        typer.echo(f"Revoked {device} (it must pair again to connect)")


@app.command("rotate")
def rotate(
    device: str = typer.Option(..., "--device", help="Device id (from `openclaw devices list`)."),
    role: str = typer.Option("operator", "--role", help="operator | node"),
    scope: Optional[list[str]] = typer.Option(None, "--scope", help="Scopes of the new token (repeat); default: the device's."),
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Issue a new device token for ROLE: the old one stops working at once; the device gets the new
    one in hello-ok the next time it connects with the gateway token."""
    from openclaw.cli.gateway_access import call_gateway, gateway_target
    from openclaw.cli.output import fail, print_json

    if role not in ("operator", "node"):
        fail(f"--role {role!r}: expected operator or node")
    target = gateway_target(url, token, timeout)
    sdir = _state(state_dir)
    params: dict[str, Any] = {"deviceId": device, "role": role}
    if scope:
        params["scopes"] = scope
    ok, data = call_gateway(sdir, "device.token.rotate", params, target=target)
    if not ok:
        data = {"deviceId": device, **_direct("rotate_token", sdir, device, role, scope or None)}
    if as_json:
        print_json(data)
    else:
        typer.echo(f"Rotated the {role} token of {device}; connections using the old one were closed")
