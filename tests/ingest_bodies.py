"""Webhook bodies for the ingest tests: fixtures wrapped into AlertManager v4 envelopes, synthesized
*arr / Seerr bodies by event type, and a builder for alert storms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
ALERT_FIXTURES = sorted((DATA / "payloads").glob("holmesgpt-alert-*.json"))
MEDIA_SOURCES = ("sonarr", "radarr", "lidarr", "readarr", "prowlarr", "seerr")
ZERO_TIME = "0001-01-01T00:00:00Z"


def fixture_alert(path: Path) -> dict[str, Any]:
    """The AlertManager alert inside a holmesgpt fixture (either of its two wrapper shapes)."""
    data = json.loads(path.read_text())
    raw = data.get("raw")
    if raw:
        return {
            "labels": raw["labels"],
            "annotations": raw["annotations"],
            "startsAt": raw["startsAt"].replace(" ", "T"),
            "generatorURL": raw.get("generatorURL", ""),
            "fingerprint": raw["fingerprint"],
        }
    return {
        "labels": data["labels"],
        "annotations": {k: v for k, v in data["annotations"].items() if k in ("summary", "description", "runbook_url")},
        "startsAt": data["starts_at"],
        "generatorURL": (data.get("video_links") or [{}])[0].get("url", ""),
        "fingerprint": data["fingerprint"],
    }


def alert(labels: dict[str, str], *, status: str = "firing", fingerprint: str | None = None, starts_at: str = "2026-11-24T01:00:00Z", annotations: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "status": status,
        "labels": labels,
        "annotations": annotations or {"summary": f"{labels.get('alertname')} test alert"},
        "startsAt": starts_at,
        "endsAt": ZERO_TIME if status == "firing" else "2026-11-24T02:00:00Z",
        "generatorURL": "http://prometheus.monitoring:9090/graph?g0.expr=up",
        "fingerprint": fingerprint,
    }


def envelope(alerts: list[dict[str, Any]], *, group_key: str | None = None, status: str | None = None, truncated: int = 0) -> dict[str, Any]:
    """A webhook v4 body as AlertManager sends it, with a newer version's extra keys."""
    firing = any(a["status"] == "firing" for a in alerts)
    first = alerts[0]["labels"] if alerts else {}
    group_labels = {"namespace": first.get("namespace", ""), "alertname": first.get("alertname", "")}
    key = group_key or "{}/{severity=~\"warning|critical\"}:" + "{" + ",".join(f'{k}="{v}"' for k, v in group_labels.items()) + "}"
    common = {k: v for k, v in first.items() if all(a["labels"].get(k) == v for a in alerts)}
    return {
        "receiver": "openclaw",
        "status": status or ("firing" if firing else "resolved"),
        "alerts": alerts,
        "groupLabels": group_labels,
        "commonLabels": common,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.monitoring:9093",
        "version": "4",
        "groupKey": key,
        "truncatedAlerts": truncated,
        "notification_reason": "new_alerts",  # a newer AlertManager's key: must be ignored
    }


def fixture_envelope(path: Path, status: str = "firing") -> dict[str, Any]:
    a = fixture_alert(path)
    a["status"] = status
    a["endsAt"] = ZERO_TIME if status == "firing" else "2026-11-24T02:00:00Z"
    return envelope([a])


def media_bodies() -> list[tuple[str, str, Path]]:
    """(source, expected event type, file) for every synthesized *arr / Seerr body."""
    out = []
    for source in MEDIA_SOURCES:
        for path in sorted((DATA / "webhooks" / source).glob("*.json")):
            out.append((source, path.stem.split("-")[0], path))
    return out


STORM_WORKLOADS = [f"app-{i:02d}" for i in range(20)]
STORM_ALERTNAMES = ["KubePodCrashLooping", "KubePodNotReady", "KubeContainerWaiting", "KubeDeploymentReplicasMismatch", "CPUThrottlingHigh"]


def storm_group_bodies(workload: str, status: str) -> list[dict[str, object]]:
    """Two AlertManager groups per workload (by severity), five fingerprints in all: joined only by the workload cause."""
    bodies = []
    for group, names in (("crit", STORM_ALERTNAMES[:3]), ("warn", STORM_ALERTNAMES[3:])):
        alerts = []
        for name in names:
            labels = {"alertname": name, "namespace": "media", "severity": "critical" if group == "crit" else "warning"}
            labels["deployment" if name == "KubeDeploymentReplicasMismatch" else "pod"] = workload if name == "KubeDeploymentReplicasMismatch" else f"{workload}-5c9d7b8f6d-kq2vx"
            if name == "KubeDeploymentReplicasMismatch":
                labels |= {"pod": "kube-state-metrics-6d8f7c5b9c-q2w4r", "container": "kube-state-metrics"}
            alerts.append(alert(labels, status=status, fingerprint=f"{workload}:{name}"))
        bodies.append(envelope(alerts, group_key=f'{{}}:{{namespace="media",severity="{group}",workload="{workload}"}}'))
    return bodies


def storm_phase(workloads: list[str], repeats: int, status: str, rng: Any) -> list[dict[str, object]]:
    bodies = [b for _ in range(repeats) for w in workloads for b in storm_group_bodies(w, status)]
    rng.shuffle(bodies)
    return bodies


class Pipeline:
    """The events, incidents and media capabilities on a real SQLite file, without the HTTP layer."""

    def __init__(self, path: Path, *, clock: Any = None, journal_mode: str = "DELETE") -> None:
        import time

        from openclaw.config.schema import Settings
        from openclaw.events.capability import Events
        from openclaw.events.db import Database
        from openclaw.incidents.capability import Incidents
        from openclaw.media.capability import Media

        self.settings = Settings()
        self.now = clock or time.time
        self.db = Database(path, journal_mode=journal_mode)
        self.events = Events(self.db, settings=lambda: self.settings, clock=lambda: self.now())
        self.incidents = Incidents(self.events)
        self.media = Media(self.events)
        self.notices: list[Any] = []
        self.events.subscribe(self.notices.append)
        self._task: Any = None

    async def __aenter__(self) -> "Pipeline":
        import asyncio

        await self.events.open()
        self._task = asyncio.create_task(self.events.processor.run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        import asyncio
        import contextlib

        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.events.close()

    async def post(self, source: str, body: dict[str, Any]) -> str:
        """What the hooks route does after auth: validate, store durably, queue; returns the event id."""
        from openclaw.events.receivers import RECEIVERS

        accepted = RECEIVERS[source](body)
        event = await self.events.ingest(accepted, json.dumps(body))
        return event.id

    async def settle(self) -> None:
        await self.events.processor.drain()
