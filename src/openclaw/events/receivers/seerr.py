"""`/hooks/seerr`: Overseerr / Jellyseerr webhook notifications."""

from __future__ import annotations

from typing import Any

from openclaw.events.models.seerr import SeerrNotification
from openclaw.events.receivers.base import Accepted, validate

SOURCE = "seerr"


def receive_seerr(data: Any) -> Accepted:
    note = validate(SeerrNotification, data)
    return Accepted(SOURCE, note.notification_type, note)
