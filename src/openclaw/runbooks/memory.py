"""What the runbooks already did: fixes that did not hold, and failures that keep coming back.

Read back from the policy audit log (the actions that ran) and the incident notes (one per fix),
both in the event database, so the memory survives a restart of the gateway. The decisions are
pure functions over those records; `FixMemory` only fetches them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from openclaw.config.schema import OpsSettings
from openclaw.incidents.notes import IncidentNote
from openclaw.ops.refs import ObjectRef
from openclaw.policy.audit import AuditLog, AuditRecord
from openclaw.policy.models import ActionKind

FIX_NOTE_KINDS = ("fix", "report")


class NoteReader(Protocol):
    async def list_notes(self, *, incident_id: str | None = None, kinds: tuple[str, ...] = (), limit: int = 100) -> list[IncidentNote]: ...


def did_not_hold(records: Sequence[AuditRecord], *, now: float, window_s: float) -> AuditRecord | None:
    """The newest fix among `records` (actions that ran on one object) inside the window. The
    runbook is asked again about the same object, so that fix did not hold and is not repeated."""
    return next((r for r in records if now - r.created_at <= window_s), None)


def recurrences(notes: Sequence[IncidentNote], cause: str, *, now: float, window_s: float) -> list[IncidentNote]:
    """Earlier fixes (or counted failures) of the same cause inside the window, newest first."""
    return [n for n in notes if n.data.get("cause") == cause and (n.data.get("fixed") or n.data.get("failure")) and now - n.created_at <= window_s]


def fix_note_data(alertname: str, runbook: str, cause: str | None, fixed: bool, report: dict[str, Any]) -> dict[str, Any]:
    return {"alertname": alertname, "runbook": runbook, "cause": cause, "fixed": fixed, "report": report}


@dataclass(frozen=True)
class FixMemory:
    audit: AuditLog
    notes: NoteReader
    now: Callable[[], float]
    settings: Callable[[], OpsSettings]

    def earlier_fix(self, kind: ActionKind, target: ObjectRef) -> AuditRecord | None:
        window = self.settings().fix_memory_window
        now = self.now()
        return did_not_hold(self.audit.executed_on(target.key, since=now - window, kinds=(str(kind),)), now=now, window_s=window)

    async def recurrences(self, cause: str) -> list[IncidentNote]:
        ops = self.settings()
        found = await self.notes.list_notes(kinds=FIX_NOTE_KINDS, limit=500)
        return recurrences(found, cause, now=self.now(), window_s=ops.recurrence_window)

    @property
    def recurrence_count(self) -> int:
        return self.settings().recurrence_count
