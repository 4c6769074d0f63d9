"""Alerts in, incidents out.

For each alert of an AlertManager notification, in order:
- heartbeats (Watchdog, InfoInhibitor) are recorded and go no further;
- a repeat of the alert's current status (fingerprint + status) is counted as a duplicate;
- a firing alert joins the oldest firing incident that shares a cause with it (the same alert
  group, workload or node) or opens a new one;
- a resolved alert resolves its part of its incident; the incident resolves when none of its
  alerts still fires.
All of it runs inside the processing transaction of the notification's event.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import cast

from openclaw.events.models.alertmanager import Alert, AlertmanagerNotification
from openclaw.core.notices import Notice
from openclaw.core.topics import Topic
from openclaw.events.processor import Processing
from openclaw.incidents import store
from openclaw.incidents.causes import cause_keys, target_of
from openclaw.incidents.heartbeat import is_heartbeat, record_heartbeat
from openclaw.incidents.notices import incident_notices

log = logging.getLogger(__name__)


def incident_title(alert: Alert) -> str:
    target = target_of(alert.labels).describe()
    name = alert.name or "alert"
    if target:
        return f"{name}: {target}"
    summary = alert.annotations.get("summary")
    return f"{name}: {summary}" if summary else name


def alert_notice(topic: Topic, alert: Alert, incident_id: str | None, event_id: str) -> Notice:
    return Notice(
        topic,
        {
            "fingerprint": alert.key,
            "alertname": alert.name,
            "status": alert.status,
            "labels": alert.labels,
            "annotations": alert.annotations,
            "startsAt": alert.starts_at,
            "incidentId": incident_id,
            "eventId": event_id,
        },
    )


def correlate_alert(
    conn: sqlite3.Connection,
    alert: Alert,
    previous: store.AlertState | None,
    group_key: str,
    now: float,
    event_id: str,
    changes: dict[str, set[str]],
) -> Notice:
    """Apply one alert whose status differs from `previous`; record incident changes in `changes`."""
    if alert.status == "firing":
        causes = [f"group:{group_key}", *cause_keys(alert.labels)]
        incident_id = store.find_open_incident(conn, causes)
        if incident_id is None:
            incident_id = store.create_incident(
                conn,
                kind="alerts",
                title=incident_title(alert),
                severity=alert.labels.get("severity") or "warning",
                namespace=alert.labels.get("namespace"),
                group_key=group_key,
                causes=causes,
                now=now,
            )
            changes.setdefault(incident_id, set()).add("opened")
        else:
            store.add_causes(conn, incident_id, causes, now)
            changes.setdefault(incident_id, set()).add("updated")
        store.attach_alert(conn, incident_id, alert, now)
        store.set_alert_state(conn, alert, incident_id, now, event_id)
        return alert_notice(Topic.ALERT_FIRING, alert, incident_id, event_id)
    incident_id = previous.incident_id if previous else None
    store.set_alert_state(conn, alert, incident_id, now, event_id)
    if incident_id and store.incident_status(conn, incident_id) == "firing":
        still_firing = store.resolve_alert_part(conn, incident_id, alert.key, now)
        if still_firing == 0 and not store.is_held(conn, incident_id):
            store.resolve_incident(conn, incident_id, now)
            changes.setdefault(incident_id, set()).add("resolved")
        else:
            changes.setdefault(incident_id, set()).add("updated")
    return alert_notice(Topic.ALERT_RESOLVED, alert, incident_id, event_id)


def handle_alert_notification(conn: sqlite3.Connection, work: Processing) -> list[Notice]:
    """The processor's handler for `alertmanager` events."""
    note = cast(AlertmanagerNotification, work.model)
    if note.truncated_alerts:
        # AlertManager's max_alerts cut the group: those alerts never arrive, so say so once per notification.
        log.warning("alertmanager.truncated", extra={"groupKey": note.group_key[:200], "truncatedAlerts": note.truncated_alerts, "eventId": work.event.id})
    notices: list[Notice] = []
    changes: dict[str, set[str]] = {}
    alerts: list[Alert] = []
    for alert in note.alerts:
        if is_heartbeat(alert):
            notices += record_heartbeat(conn, alert, work.now)
        else:
            alerts.append(alert)
    states = store.get_alert_states(conn, [a.key for a in alerts])
    repeats: list[tuple[str, str | None]] = []
    for alert in alerts:
        previous = states.get(alert.key)
        if previous is not None and previous.status == alert.status:
            repeats.append((alert.key, previous.incident_id))  # de-duplicated: fingerprint + status
            continue
        notice = correlate_alert(conn, alert, previous, note.group_key, work.now, work.event.id, changes)
        notices.append(notice)
        # A later alert of this notification with the same fingerprint compares against this one.
        states[alert.key] = store.AlertState(alert.key, alert.status, notice.payload["incidentId"], 0)
    if repeats:
        store.touch_alerts(conn, repeats, work.now, work.event.id)
    return notices + incident_notices(conn, changes)
