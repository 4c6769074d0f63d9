"""Webhook bodies refused as too large, one row per hook, kept beside the events.

A 413 stores no event, and AlertManager does not retry a 4xx, so a storm over the limit would
leave no trace but a log line. The row says which hook, how often, the last size seen and the
limit and setting in force, so `openclaw doctor` can name the setting to raise.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS hook_refusals (
  hook TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  last_at REAL NOT NULL,
  last_size INTEGER,
  limit_bytes INTEGER NOT NULL,
  setting TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class TooLarge:
    """Bodies of `hook` refused for their size: `last_size` is None when a chunked body was cut off."""

    hook: str
    count: int
    last_at: float
    last_size: int | None
    limit_bytes: int
    setting: str


def record_too_large(conn: sqlite3.Connection, hook: str, *, at: float, size: int | None, limit: int, setting: str) -> None:
    conn.execute(
        "INSERT INTO hook_refusals (hook, count, last_at, last_size, limit_bytes, setting) VALUES (?, 1, ?, ?, ?, ?) "
        "ON CONFLICT(hook) DO UPDATE SET count = count + 1, last_at = excluded.last_at, last_size = excluded.last_size, "
        "limit_bytes = excluded.limit_bytes, setting = excluded.setting",
        (hook, at, size, limit, setting),
    )


def too_large(conn: sqlite3.Connection) -> list[TooLarge]:
    """Every hook that refused a body as too large, most recent first (none on a database without the table)."""
    try:
        rows = conn.execute("SELECT hook, count, last_at, last_size, limit_bytes, setting FROM hook_refusals ORDER BY last_at DESC").fetchall()
    except sqlite3.OperationalError:  # a database from before the table existed, opened read-only
        return []
    return [TooLarge(*row) for row in rows]
