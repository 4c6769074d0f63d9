"""`/hooks/alertmanager`: AlertManager webhook v4."""

from __future__ import annotations

from typing import Any

from openclaw.events.models.alertmanager import AlertmanagerNotification
from openclaw.events.receivers.base import Accepted, validate

SOURCE = "alertmanager"


def receive_alertmanager(data: Any) -> Accepted:
    """A notification is stored as one event whose type is the group's status (firing|resolved)."""
    note = validate(AlertmanagerNotification, data)
    return Accepted(SOURCE, note.status, note)
