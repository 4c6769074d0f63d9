"""A runbook that fails on a resolved alert is a report to the operator, never a lost task exception."""

from __future__ import annotations

import socket
from pathlib import Path

import yaml

from ingest_bodies import Pipeline
from openclaw.config.schema import OpsSettings
from openclaw.ops.client import KubeClient
from openclaw.policy.actions import Backends
from openclaw.policy.audit import AuditLog
from openclaw.policy.engine import PolicyEngine
from openclaw.runbooks.catalog import builtin
from openclaw.runbooks.escalation import Escalations
from openclaw.runbooks.memory import FixMemory
from openclaw.runbooks.models import AlertContext, Status
from openclaw.runbooks.runner import Runner


def unreachable_kubeconfig(tmp_path: Path) -> Path:
    with socket.socket() as s:  # a port nothing listens on once the socket closes
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "gone",
        "clusters": [{"name": "gone", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "u"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
    }))
    return path


async def test_a_failing_resolved_alert_runbook_is_reported_to_the_operator(tmp_path: Path) -> None:
    kube = KubeClient.connect(unreachable_kubeconfig(tmp_path), timeout_s=2)
    audit = AuditLog(tmp_path / "events.db")
    published: list[tuple[str, dict[str, object]]] = []
    try:
        async with Pipeline(tmp_path / "events.db") as p:
            engine = PolicyEngine(Backends(kube=kube), audit, lambda: OpsSettings())
            memory = FixMemory(audit, p.incidents, engine.now, OpsSettings)
            runner = Runner(builtin(), engine, Escalations(p.incidents), memory, p.incidents, lambda e, payload: published.append((e, payload)))
            alert = AlertContext("KubeNodeNotReady", "resolved", {"node": "homelab-w2"}, {}, "fp-1", None)
            report = await runner.handle(alert)
            assert report is not None and report.status is Status.REPORTED
            assert report.summary.startswith("runbook KubeNodeNotReady:resolved failed: KubeRequestError")
            assert [e for e, _ in published] == ["runbook.completed"]
            [note] = await p.incidents.list_notes(kinds=("report",))
            assert note.summary == report.summary
    finally:
        audit.close()
        await kube.aclose()
