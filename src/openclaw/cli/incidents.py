"""`openclaw incidents list|show`: read the event database directly (read-only), so they work
with or without a running gateway, inside the pod through `kubectl exec`."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import typer

app = typer.Typer(help="Incidents: alerts correlated by cause.", no_args_is_help=True)


def _when(ts: float | None) -> str:
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def _open(state_dir: Optional[str]):  # type: ignore[no-untyped-def]  # sqlite3.Connection, imported lazily
    from openclaw.cli.output import fail
    from openclaw.config import paths
    from openclaw.errors import StateError
    from openclaw.events.db import DB_FILE_NAME, connect_readonly

    path = paths.state_dir(state_dir) / DB_FILE_NAME
    try:
        return connect_readonly(path)
    except StateError as exc:
        fail(str(exc))


@app.command("list")
def list_incidents(
    status: Optional[str] = typer.Option(None, "--status", help="firing | resolved"),
    limit: int = typer.Option(100, "--limit", min=1, max=10000, help="Most recent N."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    state_dir: Optional[str] = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw)."),
) -> None:
    """List incidents, newest first."""
    import sqlite3

    from openclaw.cli.output import fail, print_json, print_table
    from openclaw.incidents import store
    from openclaw.incidents.models import INCIDENT_STATUSES

    if status is not None and status not in INCIDENT_STATUSES:
        fail(f"--status: expected one of {', '.join(INCIDENT_STATUSES)}, got {status!r}", code=2)
    conn = _open(state_dir)
    try:
        found = store.list_incidents(conn, status=status, limit=limit)
    except sqlite3.Error as exc:
        fail(f"cannot read incidents: {exc}")
    finally:
        conn.close()
    if as_json:
        print_json({"incidents": [i.to_json(with_alerts=False) for i in found]})
        return
    if not found:
        typer.echo("no incidents" + (f" with status {status}" if status else ""))
        return
    rows = [[i.id, i.status, i.severity, i.title, f"{i.firing_count}/{i.alert_count}", _when(i.opened_at), _when(i.resolved_at)] for i in found]
    print_table(None, ["ID", "STATUS", "SEVERITY", "TITLE", "FIRING/ALERTS", "OPENED", "RESOLVED"], rows)


@app.command("show")
def show_incident(
    incident_id: str = typer.Argument(..., help="Incident id, e.g. inc-12."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    state_dir: Optional[str] = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw)."),
) -> None:
    """Show one incident with its alerts, its notes (escalations, findings) and the actions taken for it."""
    import sqlite3

    from openclaw.cli.output import fail, print_json, print_table
    from openclaw.incidents import notes, store

    conn = _open(state_dir)
    try:
        incident = store.get_incident(conn, incident_id)
        history = notes.timeline(conn, incident_id) if incident is not None else {"notes": [], "actions": []}
    except sqlite3.Error as exc:
        fail(f"cannot read incidents: {exc}")
    finally:
        conn.close()
    if incident is None:
        fail(f"no incident {incident_id!r}; list them with `openclaw incidents list`")
    if as_json:
        print_json({**incident.to_json(), **history})
        return
    typer.echo(f"{incident.id}  {incident.status}  {incident.severity}  {incident.title}")
    typer.echo(f"  opened {_when(incident.opened_at)}" + (f", resolved {_when(incident.resolved_at)}" if incident.resolved_at else ""))
    typer.echo(f"  causes: {', '.join(incident.causes) or '-'}")
    if incident.alerts:
        rows = [
            [a.alertname, a.status, a.severity, a.labels.get("namespace", ""), a.fingerprint, a.notifications, a.annotations.get("summary", "")]
            for a in incident.alerts
        ]
        print_table("alerts", ["ALERT", "STATUS", "SEVERITY", "NAMESPACE", "FINGERPRINT", "SEEN", "SUMMARY"], rows)
    if history["notes"]:
        rows = [[_when(n["createdAt"]), n["kind"], n["author"], n["summary"]] for n in history["notes"]]
        print_table("notes", ["WHEN", "KIND", "AUTHOR", "SUMMARY"], rows)
    if history["actions"]:
        rows = [[_when(a["createdAt"]), a["kind"], a["target"], a["actor"], a["outcome"], a["verification"] or "", a["reason"]] for a in history["actions"]]
        print_table("actions", ["WHEN", "ACTION", "TARGET", "ACTOR", "OUTCOME", "VERIFIED", "REASON"], rows)
