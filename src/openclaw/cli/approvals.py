"""`openclaw approvals list|approve ID|deny ID`: answer actions parked for a person's sign-off.

With a gateway running, the CLI goes through it (WebSocket, loopback, a local client), so the
approved action runs at once. With none running, the answer is written to the audit table in
`<state>/events.db` and the gateway carries it out (or lets it expire) when it next runs. With
`--url` it talks to that gateway only, and never writes the local audit table.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Optional

import typer

from openclaw.cli.gateway_access import TimeoutOpt, TokenOpt, UrlOpt

if TYPE_CHECKING:
    from openclaw.cli.gateway_access import GatewayTarget

app = typer.Typer(help="List, approve and deny cluster actions waiting for a person.", no_args_is_help=True)

StateDirOpt = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw).")
JsonOpt = typer.Option(False, "--json", help="Print JSON.")


def _expires(ts: Any) -> str:
    if not isinstance(ts, (int, float)):
        return ""
    left = int(ts - time.time())
    return "expired" if left <= 0 else f"{left}s" if left < 120 else f"{left // 60}m"


@app.command("list")
def list_(
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Actions waiting for approval."""
    from openclaw.cli.gateway_access import call_gateway, gateway_target
    from openclaw.cli.output import print_json, print_table
    from openclaw.config import paths

    target = gateway_target(url, token, timeout)
    sdir = paths.state_dir(state_dir)
    ok, data = call_gateway(sdir, "approvals.list", target=target)
    if ok:
        rows = data["approvals"]
    else:
        from openclaw.policy.audit import AuditLog
        from openclaw.policy.capability import audit_path

        audit = AuditLog(audit_path(sdir))
        rows = [r.to_json() for r in audit.pending() if r.resolution is None]
        audit.close()
    if as_json:
        print_json({"approvals": rows})
        return
    if not rows:
        typer.echo("No actions waiting for approval.")
        return
    from openclaw.gateway.pairing import PairingStore, name_devices

    names = PairingStore(sdir).names()
    print_table(
        "Waiting for approval",
        ["id", "kind", "target", "actor", "incident", "reason", "expires in"],
        [[r["id"], r["kind"], r["target"], name_devices(r["actor"], names), r["incident"], r["reason"], _expires(r["expiresAt"])] for r in rows],
    )
    typer.echo("Approve with: openclaw approvals approve <id>   Deny with: openclaw approvals deny <id>")


def _answer(action_id: str, approve: bool, state_dir: Optional[str], as_json: bool, target: GatewayTarget) -> None:
    import getpass

    from openclaw.cli.gateway_access import call_gateway
    from openclaw.cli.output import fail, print_json
    from openclaw.config import paths
    from openclaw.errors import StateError

    sdir = paths.state_dir(state_dir)
    ok, data = call_gateway(sdir, "approvals.approve" if approve else "approvals.deny", {"id": action_id}, target=target)
    if ok:
        action = data["action"]
        via = "gateway"
    else:
        from openclaw.policy.audit import AuditLog
        from openclaw.policy.capability import audit_path

        audit = AuditLog(audit_path(sdir))
        try:
            action = audit.resolve(action_id, approve=approve, by=f"operator:{getpass.getuser()}").to_json()
        except StateError as exc:
            fail(str(exc))
        finally:
            audit.close()
        via = "store"
    if as_json:
        print_json({"action": action, "via": via})
        return
    verb = "Approved" if approve else "Denied"
    tail = "" if via == "gateway" else " (no gateway running: it acts on this answer when it next starts, unless the request has expired)"
    typer.echo(f"{verb} {action_id}: {action['kind']} on {action['target']}{tail}")


@app.command("approve")
def approve(
    action_id: str = typer.Argument(..., help="Action id from `openclaw approvals list`."),
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Approve a parked action; it runs after the rules are checked again."""
    from openclaw.cli.gateway_access import gateway_target

    _answer(action_id, True, state_dir, as_json, gateway_target(url, token, timeout))


@app.command("deny")
def deny(
    action_id: str = typer.Argument(..., help="Action id from `openclaw approvals list`."),
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Deny a parked action; it is recorded as denied and never runs."""
    from openclaw.cli.gateway_access import gateway_target

    _answer(action_id, False, state_dir, as_json, gateway_target(url, token, timeout))
