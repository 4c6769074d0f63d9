"""An incident's timeline: notes attached to it, and the audited actions taken for it.

A note is what someone concluded or decided about an incident: a runbook's escalation or report,
the agent's finding. Actions are not copied into notes: the policy audit log (`ops_actions`, in
the same database file) already carries an incident id per action, and the timeline reads them
from there. Functions take a connection: the event writer's or a read-only one.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal

NoteKind = Literal["escalation", "report", "finding", "fix", "comment"]
NOTE_KINDS: tuple[NoteKind, ...] = ("escalation", "report", "finding", "fix", "comment")

SCHEMA = """
CREATE TABLE IF NOT EXISTS incident_notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id TEXT,
  created_at REAL NOT NULL,
  kind TEXT NOT NULL,
  author TEXT NOT NULL,
  summary TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incident_notes_incident ON incident_notes(incident_id, id);
CREATE INDEX IF NOT EXISTS incident_notes_kind ON incident_notes(kind, id);
"""


@dataclass(frozen=True, slots=True)
class IncidentNote:
    id: int
    incident_id: str | None  # None: an escalation of an alert that belongs to no incident
    created_at: float
    kind: str
    author: str  # "runbook:crashloop", "agent:incident:inc-7", "operator:..."
    summary: str
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "incident": self.incident_id,
            "createdAt": self.created_at,
            "kind": self.kind,
            "author": self.author,
            "summary": self.summary,
            "data": self.data,
        }


def _note(row: sqlite3.Row | tuple[Any, ...]) -> IncidentNote:
    return IncidentNote(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]))


_COLUMNS = "id, incident_id, created_at, kind, author, summary, data"


def add_note(conn: sqlite3.Connection, incident_id: str | None, kind: NoteKind, author: str, summary: str, data: dict[str, Any], now: float) -> IncidentNote:
    """Store a note; the incident (when it exists) counts as updated now."""
    if kind not in NOTE_KINDS:
        raise ValueError(f"kind: expected one of {', '.join(NOTE_KINDS)}, got {kind!r}")
    text = json.dumps(data, default=str, ensure_ascii=False)
    cur = conn.execute(
        "INSERT INTO incident_notes (incident_id, created_at, kind, author, summary, data) VALUES (?, ?, ?, ?, ?, ?)",
        (incident_id, now, kind, author, summary, text),
    )
    if incident_id is not None:
        conn.execute("UPDATE incidents SET updated_at = ? WHERE id = ?", (now, incident_id))
    return IncidentNote(int(cur.lastrowid or 0), incident_id, now, kind, author, summary, json.loads(text))


def list_notes(conn: sqlite3.Connection, *, incident_id: str | None = None, kinds: tuple[str, ...] = (), newest_first: bool = False,
               limit: int = 1000) -> list[IncidentNote]:
    """Notes of one incident (or of all), oldest first unless `newest_first`."""
    sql, args = f"SELECT {_COLUMNS} FROM incident_notes WHERE 1=1", list[object]()  # noqa: S608  # fixed column list
    if incident_id is not None:
        sql += " AND incident_id = ?"
        args.append(incident_id)
    if kinds:
        sql += f" AND kind IN ({','.join('?' * len(kinds))})"
        args.extend(kinds)
    sql += f" ORDER BY id {'DESC' if newest_first else 'ASC'} LIMIT ?"
    args.append(limit)
    return [_note(r) for r in conn.execute(sql, args)]


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    # A read-only connection may open a file written before the table existed (or with no policy engine yet).
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def incident_actions(conn: sqlite3.Connection, incident_id: str) -> list[dict[str, Any]]:
    """The audited actions taken for an incident, oldest first; none when no action was ever audited here."""
    from openclaw.policy.audit import records_for_incident

    if not _has_table(conn, "ops_actions"):
        return []
    return [r.to_json() for r in records_for_incident(conn, incident_id)]


def timeline(conn: sqlite3.Connection, incident_id: str) -> dict[str, list[dict[str, Any]]]:
    """`notes` and `actions` of one incident, each oldest first, as JSON."""
    found = list_notes(conn, incident_id=incident_id) if _has_table(conn, "incident_notes") else []
    return {"notes": [n.to_json() for n in found], "actions": incident_actions(conn, incident_id)}
