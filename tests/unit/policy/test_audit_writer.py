"""Inside the gateway the audit log is written through the event database's single writer."""

from __future__ import annotations

from pathlib import Path

from openclaw.config.schema import OpsSettings
from openclaw.events.db import Database
from openclaw.ops.refs import ObjectRef
from openclaw.policy.audit import SCHEMA, AuditLog
from openclaw.policy.engine import PolicyEngine
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Outcome


async def test_decisions_are_written_by_the_event_writer_and_read_back_by_the_log(tmp_path: Path) -> None:
    db = Database(tmp_path / "events.db", journal_mode="DELETE")
    db.add_schema(SCHEMA)
    audit = AuditLog(tmp_path / "events.db")
    await db.open()
    try:
        engine = PolicyEngine(None, audit, lambda: OpsSettings(), write=db.run)
        before = db.commits
        request = ActionRequest(ActionKind.POD_DELETE, ObjectRef("Pod", "coredns-1", "kube-system"), Actor.runbook("crashloop"), "r")
        decision = await engine.submit(request)
        assert decision.outcome is Outcome.REFUSED
        assert db.commits > before  # the row went through the writer's transaction
        record = audit.get(decision.action_id)
        assert record is not None and record.outcome == "refused" and record.setting == "ops.policy.protectedNamespaces"
    finally:
        await db.close()
        audit.close()
