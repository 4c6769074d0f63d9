"""Heartbeat alerts (Watchdog, InfoInhibitor): recorded, never incidents themselves.

They prove the alerting pipeline works, so their silence is the incident: once a heartbeat has
been seen firing, no firing notification for `SILENCE_LIMIT_S` opens a `heartbeat` incident, and the
next firing notification resolves it. A resolved InfoInhibitor is normal (no info alerts left), so it
stops being expected; a resolved Watchdog is not, and its silence clock keeps running.
"""

from __future__ import annotations

import sqlite3

from openclaw.events.models.alertmanager import Alert
from openclaw.core.notices import Notice
from openclaw.incidents import store
from openclaw.incidents.notices import incident_notices

HEARTBEAT_ALERTS = frozenset({"Watchdog", "InfoInhibitor"})
# Heartbeats whose "resolved" means "nothing to inhibit", not "the pipeline is down".
OPTIONAL_HEARTBEATS = frozenset({"InfoInhibitor"})
SILENCE_LIMIT_S = 600.0


def is_heartbeat(alert: Alert) -> bool:
    return alert.name in HEARTBEAT_ALERTS


def cause(name: str) -> str:
    return f"heartbeat:{name}"


def record_heartbeat(conn: sqlite3.Connection, alert: Alert, now: float) -> list[Notice]:
    firing = alert.status == "firing"
    expected = 1 if firing or alert.name not in OPTIONAL_HEARTBEATS else 0
    conn.execute(
        "INSERT INTO heartbeats (name, status, last_firing, last_seen, expected, notifications) VALUES (?, ?, ?, ?, ?, 1) "
        "ON CONFLICT(name) DO UPDATE SET status = excluded.status, last_firing = COALESCE(excluded.last_firing, heartbeats.last_firing), "
        "last_seen = excluded.last_seen, expected = excluded.expected, notifications = heartbeats.notifications + 1",
        (alert.name, alert.status, now if firing else None, now, expected),
    )
    open_id = store.find_open_incident(conn, [cause(alert.name)])
    if open_id and (firing or not expected):
        store.resolve_incident(conn, open_id, now)
        return incident_notices(conn, {open_id: {"resolved"}})
    return []


def check_heartbeats(conn: sqlite3.Connection, now: float, limit_s: float = SILENCE_LIMIT_S) -> list[Notice]:
    """Open an incident for each expected heartbeat silent for longer than `limit_s`."""
    changes: dict[str, set[str]] = {}
    rows = conn.execute("SELECT name, last_firing FROM heartbeats WHERE expected = 1 AND last_firing IS NOT NULL AND last_firing < ?", (now - limit_s,)).fetchall()
    for name, last_firing in rows:
        if store.find_open_incident(conn, [cause(name)]):
            continue
        minutes = int((now - last_firing) // 60)
        incident_id = store.create_incident(
            conn,
            kind="heartbeat",
            title=f"{name} heartbeat missing for {minutes} min: the alerting pipeline may be down",
            severity="critical",
            namespace=None,
            group_key=None,
            causes=[cause(name)],
            now=now,
        )
        changes[incident_id] = {"opened"}
    return incident_notices(conn, changes)


def heartbeat_status(conn: sqlite3.Connection) -> list[dict[str, object]]:
    rows = conn.execute("SELECT name, status, last_firing, last_seen, expected, notifications FROM heartbeats ORDER BY name").fetchall()
    return [
        {"name": r[0], "status": r[1], "lastFiring": r[2], "lastSeen": r[3], "expected": bool(r[4]), "notifications": r[5]}
        for r in rows
    ]
