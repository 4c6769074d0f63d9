"""The audit log: one SQLite row per requested action, written before acting and updated after.

A row holds who asked (actor), why (reason, incident), what policy decided and why (outcome,
decision, setting), what happened (result) and whether the expected state followed
(verification). Parked actions are rows with outcome `pending_approval`; an operator's answer is
written to `resolution` (by the gateway, or by the CLI straight into the file when no gateway
runs) and the engine then executes or closes them. Rate limits count executed rows in the last hour.

The writes are functions of a connection (`insert_record`, `update_record`, `resolve_record`): inside
the gateway the engine runs them through the event database's single writer (batched with ingest,
the fsync off the event loop); `AuditLog` runs them on its own connection for the CLI and tests.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from openclaw.errors import StateError
from openclaw.policy.models import ActionRequest, Outcome

SCHEMA = """
CREATE TABLE IF NOT EXISTS ops_actions (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    namespace TEXT,
    actor TEXT NOT NULL,
    incident TEXT,
    reason TEXT NOT NULL,
    params TEXT NOT NULL,
    mode TEXT NOT NULL,
    outcome TEXT NOT NULL,
    decision TEXT NOT NULL,
    setting TEXT,
    executed INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    details TEXT,
    verification TEXT,
    expires_at REAL,
    resolution TEXT,
    resolved_by TEXT,
    resolved_at REAL
);
CREATE INDEX IF NOT EXISTS ops_actions_rate ON ops_actions (kind, executed, created_at);
CREATE INDEX IF NOT EXISTS ops_actions_outcome ON ops_actions (outcome);
CREATE INDEX IF NOT EXISTS ops_actions_incident ON ops_actions (incident);
"""


T = TypeVar("T")
# What is written passes a mask first: the gateway masks its config's secrets, which a reason, a
# parameter or captured logs may quote, so no reader of the table sees them.
Mask = Callable[[Any], Any]
_MASKED = frozenset({"reason", "decision", "result", "details", "verification"})


def _unmasked(value: Any) -> Any:
    return value


_COLUMNS = (
    "id created_at updated_at kind target namespace actor incident reason params mode outcome decision setting "
    "executed result details verification expires_at resolution resolved_by resolved_at"
).split()


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: str
    created_at: float
    updated_at: float
    kind: str
    target: str
    namespace: str | None
    actor: str
    incident: str | None
    reason: str
    params: dict[str, Any]
    mode: str
    outcome: str
    decision: str
    setting: str | None
    executed: bool
    result: str | None
    details: dict[str, Any]
    verification: str | None
    expires_at: float | None
    resolution: str | None
    resolved_by: str | None
    resolved_at: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "kind": self.kind,
            "target": self.target,
            "namespace": self.namespace,
            "actor": self.actor,
            "incident": self.incident,
            "reason": self.reason,
            "params": self.params,
            "mode": self.mode,
            "outcome": self.outcome,
            "decision": self.decision,
            "setting": self.setting,
            "executed": self.executed,
            "result": self.result,
            "details": self.details,
            "verification": self.verification,
            "expiresAt": self.expires_at,
            "resolution": self.resolution,
            "resolvedBy": self.resolved_by,
            "resolvedAt": self.resolved_at,
        }


def _row(row: sqlite3.Row) -> AuditRecord:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["params"] = json.loads(data["params"])
    data["details"] = json.loads(data["details"]) if data["details"] else {}
    data["executed"] = bool(data["executed"])
    return AuditRecord(**data)


def records_for_incident(conn: sqlite3.Connection, incident_id: str) -> list[AuditRecord]:
    """The actions audited for one incident, oldest first, on any connection to the database file
    (the incident timeline reads them beside the incident's notes)."""
    sql = f"SELECT {', '.join(_COLUMNS)} FROM ops_actions WHERE incident = ? ORDER BY created_at, rowid"  # noqa: S608  # fixed column list
    return [_row(r) for r in conn.execute(sql, (incident_id,))]


def insert_record(conn: sqlite3.Connection, request: ActionRequest[Any], *, mode: str, outcome: Outcome, decision: str, setting: str | None,
                  now: float | None = None, mask: Mask = _unmasked) -> str:
    """Write the row for a new request, before anything is executed; returns its id."""
    action_id = "act_" + uuid.uuid4().hex[:16]
    ts = time.time() if now is None else now
    conn.execute(
        "INSERT INTO ops_actions (id, created_at, updated_at, kind, target, namespace, actor, incident, reason, params, mode,"
        " outcome, decision, setting) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            action_id, ts, ts, str(request.kind), request.target.key, request.namespace, str(request.actor), request.incident,
            mask(request.reason), json.dumps(mask(request.params), sort_keys=True, default=str), mode, str(outcome), mask(decision), setting,
        ),
    )  # fmt: skip
    return action_id


def update_record(conn: sqlite3.Connection, action_id: str, fields: dict[str, Any], mask: Mask = _unmasked) -> None:
    """Set columns of one row (outcome, decision, setting, executed, result, verification, expires_at, ...)."""
    unknown = set(fields) - set(_COLUMNS)
    if unknown:
        raise ValueError(f"unknown audit columns: {sorted(unknown)}")
    fields = {**{k: mask(v) if k in _MASKED else v for k, v in fields.items()}, "updated_at": time.time()}
    if "details" in fields:
        fields["details"] = json.dumps(fields["details"], sort_keys=True, default=str)
    values = [str(v) if isinstance(v, Outcome) else v for v in fields.values()]
    sets = ", ".join(f"{k} = ?" for k in fields)
    conn.execute(f"UPDATE ops_actions SET {sets} WHERE id = ?", (*values, action_id))  # noqa: S608  # column names checked above


def resolve_record(conn: sqlite3.Connection, action_id: str, *, approve: bool, by: str, now: float) -> bool:
    """Record an operator's answer to a parked action; True when it had expired instead (then it is
    marked expired and the caller refuses). Raises `StateError` when it is not pending."""
    row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM ops_actions WHERE id = ?", (action_id,)).fetchone()  # noqa: S608
    if row is None:
        raise StateError(f"no action {action_id}; see `openclaw approvals list`")
    rec = _row(row)
    if rec.outcome != Outcome.PENDING or rec.resolution is not None:
        raise StateError(f"action {action_id} is not awaiting approval (outcome {rec.outcome}, resolution {rec.resolution})")
    if rec.expires_at is not None and rec.expires_at <= now:
        conn.execute(
            "UPDATE ops_actions SET outcome = ?, decision = ?, setting = ?, updated_at = ? WHERE id = ?",
            (str(Outcome.EXPIRED), "no answer within ops.approvalTimeout", "ops.approvalTimeout", now, action_id),
        )
        return True
    conn.execute(
        "UPDATE ops_actions SET resolution = ?, resolved_by = ?, resolved_at = ?, updated_at = ? WHERE id = ?",
        ("approved" if approve else "denied", by, now, now, action_id),
    )
    return False


class AuditLog:
    """The `ops_actions` table in a SQLite file; safe to open from the gateway and the CLI at once."""

    def __init__(self, path: Path, *, mask: Mask | None = None) -> None:
        self.path = path
        self.mask: Mask = mask or _unmasked  # applied to every write, the engine's through the event writer too
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=5.0, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 5000")
            self._db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StateError(f"audit log {path}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise StateError(f"audit log {self.path}: {exc}") from exc

    # ---- writes --------------------------------------------------------------------------------

    def transact(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in one transaction on this log's own connection (the CLI's, and tests')."""
        with self._tx() as db:
            return fn(db)

    def open_record(self, request: ActionRequest[Any], *, mode: str, outcome: Outcome, decision: str, setting: str | None, now: float | None = None) -> str:
        """Write the row for a new request, before anything is executed; returns its id."""
        return self.transact(lambda db: insert_record(db, request, mode=mode, outcome=outcome, decision=decision, setting=setting, now=now, mask=self.mask))

    def update(self, action_id: str, **fields: Any) -> None:
        self.transact(lambda db: update_record(db, action_id, fields, self.mask))

    def resolve(self, action_id: str, *, approve: bool, by: str, now: float | None = None) -> AuditRecord:
        """Record an operator's answer to a parked action. Raises `StateError` when it is not pending."""
        ts = time.time() if now is None else now
        if self.transact(lambda db: resolve_record(db, action_id, approve=approve, by=by, now=ts)):
            raise StateError(f"action {action_id} expired before it was answered (ops.approvalTimeout)")
        got = self.get(action_id)
        if got is None:
            raise StateError(f"action {action_id} vanished")
        return got

    # ---- reads ---------------------------------------------------------------------------------

    def get(self, action_id: str) -> AuditRecord | None:
        rows = self._query(f"SELECT {', '.join(_COLUMNS)} FROM ops_actions WHERE id = ?", (action_id,))  # noqa: S608
        return _row(rows[0]) if rows else None

    def list(self, *, limit: int = 100, incident: str | None = None, outcome: str | None = None, since: float | None = None) -> list[AuditRecord]:
        """Newest first."""
        where: builtins.list[str] = []
        args: builtins.list[str | float] = []
        if incident is not None:
            where.append("incident = ?")
            args.append(incident)
        if outcome is not None:
            where.append("outcome = ?")
            args.append(outcome)
        if since is not None:
            where.append("created_at >= ?")
            args.append(since)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        sql = f"SELECT {', '.join(_COLUMNS)} FROM ops_actions{clause} ORDER BY created_at DESC, rowid DESC LIMIT ?"  # noqa: S608
        return [_row(r) for r in self._query(sql, (*args, limit))]

    def pending(self) -> builtins.list[AuditRecord]:
        """Parked actions, oldest first, answered or not."""
        sql = f"SELECT {', '.join(_COLUMNS)} FROM ops_actions WHERE outcome = ? ORDER BY created_at"  # noqa: S608
        return [_row(r) for r in self._query(sql, (str(Outcome.PENDING),))]

    def executed_on(self, target: str, *, since: float, kinds: tuple[str, ...] = ()) -> builtins.list[AuditRecord]:
        """Actions that ran (for real) on `target` since `since`, newest first: what a runbook already tried."""
        where = "target = ? AND outcome = ? AND created_at >= ?"
        args: builtins.list[Any] = [target, str(Outcome.APPLIED), since]
        if kinds:
            where += f" AND kind IN ({', '.join('?' for _ in kinds)})"
            args += list(kinds)
        sql = f"SELECT {', '.join(_COLUMNS)} FROM ops_actions WHERE {where} ORDER BY created_at DESC, rowid DESC"  # noqa: S608
        return [_row(r) for r in self._query(sql, tuple(args))]

    def created_per_hour(self, since: float, hours: int) -> builtins.list[dict[str, int]]:
        """Actions requested in each hour from `since`, oldest first, counted by outcome (the overview's chart)."""
        counts: builtins.list[dict[str, int]] = [{} for _ in range(hours)]
        sql = "SELECT CAST((created_at - ?) / 3600 AS INTEGER) AS h, outcome, count(*) FROM ops_actions WHERE created_at >= ? GROUP BY h, outcome"
        for hour, outcome, n in self._query(sql, (since, since)):
            if 0 <= hour < hours:
                counts[hour][str(outcome)] = int(n)
        return counts

    def last_executed(self, kind: str, target: str) -> float | None:
        """When `kind` last ran (for real or dry) on `target`; None if never."""
        rows = self._query("SELECT max(created_at) FROM ops_actions WHERE kind = ? AND executed = 1 AND target = ?", (kind, target))
        return float(rows[0][0]) if rows and rows[0][0] is not None else None

    def count_executed(self, kind: str, *, since: float, target: str | None = None, scope: str | None = None) -> int:
        """Executed actions of `kind` since then: anywhere, on one target, or on targets keyed `<scope>/...`."""
        if scope is not None:
            rows = self._query("SELECT count(*) FROM ops_actions WHERE kind = ? AND executed = 1 AND created_at >= ? AND target LIKE ? ESCAPE '\\'",
                               (kind, since, scope.replace("%", "\\%").replace("_", "\\_") + "/%"))
            return int(rows[0][0])
        if target is None:
            rows = self._query("SELECT count(*) FROM ops_actions WHERE kind = ? AND executed = 1 AND created_at >= ?", (kind, since))
        else:
            rows = self._query(
                "SELECT count(*) FROM ops_actions WHERE kind = ? AND executed = 1 AND created_at >= ? AND target = ?", (kind, since, target)
            )
        return int(rows[0][0])
