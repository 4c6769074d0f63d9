"""One escalation per cause and incident: the second "no safe action" for the same workload is not
attached again, while another cause, or an incident of its own, still is (real SQLite notes)."""

from __future__ import annotations

from pathlib import Path

from ingest_bodies import Pipeline, alert, envelope
from openclaw.runbooks.escalation import Escalations
from openclaw.runbooks.models import AlertContext, Report, Status


def context(incident: str, pod: str) -> AlertContext:
    return AlertContext("KubePodNotReady", "firing", {"alertname": "KubePodNotReady", "namespace": "media", "pod": pod}, {}, f"fp-{pod}", incident)


async def test_a_cause_is_escalated_once_per_incident(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        await p.post("alertmanager", envelope([alert({"alertname": "KubePodNotReady", "namespace": "media", "pod": "sonarr-0"}, fingerprint="fp-1")]))
        await p.settle()
        [incident] = await p.incidents.list()
        escalations = Escalations(p.incidents)
        first = await escalations.escalate(context(incident.id, "sonarr-0"), Report("pod-not-ready", Status.ESCALATED, "sonarr-0: no safe action", cause="Deployment/media/sonarr"))
        again = await escalations.escalate(context(incident.id, "sonarr-1"), Report("pod-not-ready", Status.ESCALATED, "sonarr-1: no safe action", cause="Deployment/media/sonarr"))
        other = await escalations.escalate(context(incident.id, "radarr-0"), Report("pod-not-ready", Status.ESCALATED, "radarr-0: no safe action", cause="Deployment/media/radarr"))
        elsewhere = await escalations.escalate(context("inc-other", "sonarr-2"), Report("pod-not-ready", Status.ESCALATED, "sonarr-2", cause="Deployment/media/sonarr"))
        notes = await p.incidents.list_notes(incident_id=incident.id)
    assert first is not None and again is None and other is not None and elsewhere is not None
    assert sorted(n.summary for n in notes) == ["radarr-0: no safe action", "sonarr-0: no safe action"]
    assert {n.data["cause"] for n in notes} == {"Deployment/media/sonarr", "Deployment/media/radarr"}
