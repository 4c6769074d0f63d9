"""`openclaw actions list`: the audit log of every requested cluster action."""

from __future__ import annotations

import time
from typing import Optional

import typer

app = typer.Typer(help="The audit log of cluster actions: who asked, why, what policy decided, what happened.", no_args_is_help=True)


@app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Newest N actions."),
    incident: Optional[str] = typer.Option(None, "--incident", help="Only actions for this incident id."),
    outcome: Optional[str] = typer.Option(None, "--outcome", help="Only this outcome: applied, dry_run, observed, refused, pending_approval, proposed, denied, expired, failed."),
    state_dir: Optional[str] = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw)."),
) -> None:
    """Newest first. Reads the audit table directly, with or without a running gateway."""
    from openclaw.cli.output import fail, print_json, print_table
    from openclaw.config import paths
    from openclaw.gateway.pairing import PairingStore, name_devices
    from openclaw.policy.audit import AuditLog
    from openclaw.policy.capability import audit_path
    from openclaw.policy.models import Outcome

    if outcome is not None and outcome not in {str(o) for o in Outcome}:
        fail(f"--outcome {outcome!r}: expected one of {', '.join(str(o) for o in Outcome)}")
    audit = AuditLog(audit_path(paths.state_dir(state_dir)))
    try:
        rows = [r.to_json() for r in audit.list(limit=limit, incident=incident, outcome=outcome)]
    finally:
        audit.close()
    if as_json:
        print_json({"actions": rows})
        return
    if not rows:
        typer.echo("No actions recorded.")
        return
    names = PairingStore(paths.state_dir(state_dir)).names()  # devices by the names they were given (--json keeps the ids)
    print_table(
        None,
        ["id", "when", "kind", "target", "actor", "approved by", "incident", "outcome", "why", "result", "verification"],
        [
            [r["id"], time.strftime("%m-%d %H:%M:%S", time.localtime(r["createdAt"])), r["kind"], r["target"], name_devices(r["actor"], names),
             name_devices(r["resolvedBy"] or "", names), r["incident"], r["outcome"], r["decision"], r["result"], r["verification"]]
            for r in rows
        ],
    )  # fmt: skip
