"""Incident tables in the event database, and the queries over them.

`alerts` is the current state per fingerprint (what de-duplication compares against);
`incident_alerts` is each incident's own record of its alerts; `incident_causes` indexes the
causes (alert group, workload, node) of incidents still firing, so a new alert finds the incident
it joins with one lookup. Functions take a connection: the writer thread's or a read-only one.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from openclaw.events.models.alertmanager import Alert
from openclaw.incidents.models import Incident, IncidentAlert, IncidentStatus, severity_rank

SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT UNIQUE,
  status TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  namespace TEXT,
  group_key TEXT,
  causes TEXT NOT NULL,
  opened_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  resolved_at REAL
);
CREATE INDEX IF NOT EXISTS incidents_status ON incidents(status, seq);
CREATE TABLE IF NOT EXISTS incident_causes (
  cause TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  PRIMARY KEY (cause, incident_id)
);
CREATE TABLE IF NOT EXISTS incident_alerts (
  incident_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  alertname TEXT NOT NULL,
  status TEXT NOT NULL,
  severity TEXT,
  labels TEXT NOT NULL,
  annotations TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  first_seen REAL NOT NULL,
  last_seen REAL NOT NULL,
  resolved_at REAL,
  notifications INTEGER NOT NULL,
  PRIMARY KEY (incident_id, fingerprint)
);
CREATE TABLE IF NOT EXISTS alerts (
  fingerprint TEXT PRIMARY KEY,
  alertname TEXT NOT NULL,
  status TEXT NOT NULL,
  incident_id TEXT,
  first_seen REAL NOT NULL,
  last_seen REAL NOT NULL,
  notifications INTEGER NOT NULL,
  last_event_id TEXT
);
CREATE TABLE IF NOT EXISTS incident_holds (
  incident_id TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  since REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS heartbeats (
  name TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  last_firing REAL,
  last_seen REAL NOT NULL,
  expected INTEGER NOT NULL,
  notifications INTEGER NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class AlertState:
    fingerprint: str
    status: str
    incident_id: str | None
    notifications: int


# --- alert state ---


def get_alert_state(conn: sqlite3.Connection, fingerprint: str) -> AlertState | None:
    row = conn.execute("SELECT fingerprint, status, incident_id, notifications FROM alerts WHERE fingerprint = ?", (fingerprint,)).fetchone()
    return AlertState(row[0], row[1], row[2], row[3]) if row else None


def get_alert_states(conn: sqlite3.Connection, fingerprints: list[str]) -> dict[str, AlertState]:
    """The current state of each known fingerprint, in one query."""
    unique = list(dict.fromkeys(fingerprints))
    out: dict[str, AlertState] = {}
    for start in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
        chunk = unique[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT fingerprint, status, incident_id, notifications FROM alerts WHERE fingerprint IN ({marks})", chunk):
            out[row[0]] = AlertState(row[0], row[1], row[2], row[3])
    return out


def touch_alerts(conn: sqlite3.Connection, repeats: list[tuple[str, str | None]], now: float, event_id: str) -> None:
    """Repeats of alerts' current status (AlertManager's repeat_interval): count them, change nothing else.

    `repeats` holds (fingerprint, incident id) once per repeat.
    """
    counts: dict[tuple[str, str | None], int] = {}
    for key in repeats:
        counts[key] = counts.get(key, 0) + 1
    conn.executemany(
        "UPDATE alerts SET notifications = notifications + ?, last_seen = ?, last_event_id = ? WHERE fingerprint = ?",
        [(n, now, event_id, fp) for (fp, _), n in counts.items()],
    )
    conn.executemany(
        "UPDATE incident_alerts SET notifications = notifications + ?, last_seen = ? WHERE incident_id = ? AND fingerprint = ?",
        [(n, now, inc, fp) for (fp, inc), n in counts.items() if inc is not None],
    )


def set_alert_state(conn: sqlite3.Connection, alert: Alert, incident_id: str | None, now: float, event_id: str) -> None:
    conn.execute(
        "INSERT INTO alerts (fingerprint, alertname, status, incident_id, first_seen, last_seen, notifications, last_event_id) "
        "VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT(fingerprint) DO UPDATE SET status = excluded.status, "
        "incident_id = excluded.incident_id, last_seen = excluded.last_seen, notifications = alerts.notifications + 1, "
        "last_event_id = excluded.last_event_id",
        (alert.key, alert.name, alert.status, incident_id, now, now, event_id),
    )


def alert_notification_total(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(SUM(notifications), 0) FROM alerts").fetchone()[0])


# --- incidents ---


def find_open_incident(conn: sqlite3.Connection, causes: list[str]) -> str | None:
    """The oldest firing incident that shares any of `causes`."""
    if not causes:
        return None
    marks = ",".join("?" * len(causes))
    row = conn.execute(
        f"SELECT i.id FROM incident_causes c JOIN incidents i ON i.id = c.incident_id "
        f"WHERE c.cause IN ({marks}) AND i.status = 'firing' ORDER BY i.seq LIMIT 1",
        causes,
    ).fetchone()
    return row[0] if row else None


def create_incident(
    conn: sqlite3.Connection,
    *,
    kind: str,
    title: str,
    severity: str,
    namespace: str | None,
    group_key: str | None,
    causes: list[str],
    now: float,
) -> str:
    cur = conn.execute(
        "INSERT INTO incidents (status, kind, title, severity, namespace, group_key, causes, opened_at, updated_at) "
        "VALUES ('firing', ?, ?, ?, ?, ?, '[]', ?, ?)",
        (kind, title, severity, namespace, group_key, now, now),
    )
    incident_id = f"inc-{cur.lastrowid}"
    conn.execute("UPDATE incidents SET id = ? WHERE seq = ?", (incident_id, cur.lastrowid))
    add_causes(conn, incident_id, causes, now)
    return incident_id


def add_causes(conn: sqlite3.Connection, incident_id: str, causes: list[str], now: float) -> None:
    row = conn.execute("SELECT causes FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    known: list[str] = json.loads(row[0]) if row else []
    new = [c for c in causes if c not in known]
    conn.executemany("INSERT OR IGNORE INTO incident_causes (cause, incident_id) VALUES (?, ?)", [(c, incident_id) for c in causes])
    if new:
        conn.execute("UPDATE incidents SET causes = ?, updated_at = ? WHERE id = ?", (json.dumps(known + new), now, incident_id))


def attach_alert(conn: sqlite3.Connection, incident_id: str, alert: Alert, now: float) -> None:
    """Add a firing alert to an incident (or re-open its part there) and raise the incident's severity."""
    severity = alert.labels.get("severity")
    conn.execute(
        "INSERT INTO incident_alerts (incident_id, fingerprint, alertname, status, severity, labels, annotations, starts_at, "
        "first_seen, last_seen, resolved_at, notifications) VALUES (?, ?, ?, 'firing', ?, ?, ?, ?, ?, ?, NULL, 1) "
        "ON CONFLICT(incident_id, fingerprint) DO UPDATE SET status = 'firing', resolved_at = NULL, last_seen = excluded.last_seen, "
        "starts_at = excluded.starts_at, notifications = incident_alerts.notifications + 1",
        (incident_id, alert.key, alert.name, severity, json.dumps(alert.labels), json.dumps(alert.annotations), alert.starts_at, now, now),
    )
    current = conn.execute("SELECT severity FROM incidents WHERE id = ?", (incident_id,)).fetchone()[0]
    new_severity = severity if severity and severity_rank(severity) > severity_rank(current) else current
    conn.execute("UPDATE incidents SET updated_at = ?, severity = ? WHERE id = ?", (now, new_severity, incident_id))


def resolve_alert_part(conn: sqlite3.Connection, incident_id: str, fingerprint: str, now: float) -> int:
    """Mark one alert of an incident resolved; returns how many of its alerts still fire."""
    conn.execute(
        "UPDATE incident_alerts SET status = 'resolved', resolved_at = ?, last_seen = ?, notifications = notifications + 1 "
        "WHERE incident_id = ? AND fingerprint = ?",
        (now, now, incident_id, fingerprint),
    )
    conn.execute("UPDATE incidents SET updated_at = ? WHERE id = ?", (now, incident_id))
    return int(conn.execute("SELECT COUNT(*) FROM incident_alerts WHERE incident_id = ? AND status = 'firing'", (incident_id,)).fetchone()[0])


def resolve_incident(conn: sqlite3.Connection, incident_id: str, now: float) -> None:
    conn.execute("UPDATE incidents SET status = 'resolved', resolved_at = ?, updated_at = ? WHERE id = ?", (now, now, incident_id))
    conn.execute("DELETE FROM incident_causes WHERE incident_id = ?", (incident_id,))


def hold_incident(conn: sqlite3.Connection, incident_id: str, reason: str, now: float) -> None:
    """Keep the incident open when its alerts resolve (an alert silenced while the cause remains)."""
    conn.execute("INSERT OR REPLACE INTO incident_holds (incident_id, reason, since) VALUES (?, ?, ?)", (incident_id, reason, now))


def release_hold(conn: sqlite3.Connection, incident_id: str, now: float) -> bool:
    """Drop the hold; resolve the incident when none of its alerts fires. True when it resolved."""
    conn.execute("DELETE FROM incident_holds WHERE incident_id = ?", (incident_id,))
    firing = int(conn.execute("SELECT COUNT(*) FROM incident_alerts WHERE incident_id = ? AND status = 'firing'", (incident_id,)).fetchone()[0])
    if firing or incident_status(conn, incident_id) != "firing":
        return False
    resolve_incident(conn, incident_id, now)
    return True


def is_held(conn: sqlite3.Connection, incident_id: str) -> bool:
    return conn.execute("SELECT 1 FROM incident_holds WHERE incident_id = ?", (incident_id,)).fetchone() is not None


def incident_status(conn: sqlite3.Connection, incident_id: str) -> str | None:
    row = conn.execute("SELECT status FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    return row[0] if row else None


# --- queries ---

_SUMMARY = (
    "SELECT i.*, (SELECT COUNT(*) FROM incident_alerts a WHERE a.incident_id = i.id) AS alert_count, "
    "(SELECT COUNT(*) FROM incident_alerts a WHERE a.incident_id = i.id AND a.status = 'firing') AS firing_count FROM incidents i"
)


def _incident(row: sqlite3.Row, alerts: list[IncidentAlert] | None = None) -> Incident:
    return Incident(
        id=row["id"],
        status=row["status"],
        kind=row["kind"],
        title=row["title"],
        severity=row["severity"],
        namespace=row["namespace"],
        group_key=row["group_key"],
        causes=json.loads(row["causes"]),
        opened_at=row["opened_at"],
        updated_at=row["updated_at"],
        resolved_at=row["resolved_at"],
        alert_count=row["alert_count"],
        firing_count=row["firing_count"],
        alerts=alerts or [],
    )


def _incident_alert(row: sqlite3.Row) -> IncidentAlert:
    return IncidentAlert(
        fingerprint=row["fingerprint"],
        alertname=row["alertname"],
        status=row["status"],
        severity=row["severity"],
        labels=json.loads(row["labels"]),
        annotations=json.loads(row["annotations"]),
        starts_at=row["starts_at"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        resolved_at=row["resolved_at"],
        notifications=row["notifications"],
    )


def list_incidents(conn: sqlite3.Connection, *, status: IncidentStatus | None = None, limit: int = 200) -> list[Incident]:
    """Newest first."""
    sql, args = _SUMMARY, list[object]()
    if status:
        sql += " WHERE i.status = ?"
        args.append(status)
    sql += " ORDER BY i.seq DESC LIMIT ?"
    args.append(limit)
    conn.row_factory = sqlite3.Row
    return [_incident(r) for r in conn.execute(sql, args)]


def get_incident(conn: sqlite3.Connection, incident_id: str, *, with_alerts: bool = True) -> Incident | None:
    conn.row_factory = sqlite3.Row
    row = conn.execute(_SUMMARY + " WHERE i.id = ?", (incident_id,)).fetchone()
    if row is None:
        return None
    alerts = None
    if with_alerts:
        alerts = [_incident_alert(r) for r in conn.execute("SELECT * FROM incident_alerts WHERE incident_id = ? ORDER BY first_seen, fingerprint", (incident_id,))]
    return _incident(row, alerts)


def count_incidents(conn: sqlite3.Connection, status: IncidentStatus | None = None) -> int:
    if status:
        return int(conn.execute("SELECT COUNT(*) FROM incidents WHERE status = ?", (status,)).fetchone()[0])
    return int(conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0])



def opened_per_hour(conn: sqlite3.Connection, since: float, hours: int) -> list[int]:
    """Incidents opened in each hour from `since`, oldest first (the overview's chart)."""
    counts = [0] * hours
    rows = conn.execute("SELECT CAST((opened_at - ?) / 3600 AS INTEGER) AS h, COUNT(*) FROM incidents WHERE opened_at >= ? GROUP BY h", (since, since))
    for hour, n in rows:
        if 0 <= hour < hours:
            counts[hour] = int(n)
    return counts


def firing_by_severity(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Firing incidents counted by kind ("alerts", "heartbeat") and severity."""
    out: dict[str, dict[str, int]] = {}
    for kind, severity, n in conn.execute("SELECT kind, severity, COUNT(*) FROM incidents WHERE status = 'firing' GROUP BY kind, severity"):
        out.setdefault(str(kind), {})[str(severity)] = int(n)
    return out
