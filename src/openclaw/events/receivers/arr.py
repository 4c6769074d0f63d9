"""`/hooks/sonarr|radarr|lidarr|readarr|prowlarr`: *arr webhook connections."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from openclaw.errors import WebhookError
from openclaw.events.models.arr import EVENT_TYPES, NO_SUBJECT_TYPES, SUBJECT_FIELD, ArrEvent
from openclaw.events.receivers.base import Accepted, validate

log = logging.getLogger(__name__)

ARR_APPS = tuple(EVENT_TYPES)


def check_subject(app: str, event: ArrEvent) -> None:
    """Media events must name what they are about (a series, movie, artist or author)."""
    subject = SUBJECT_FIELD.get(app)
    if subject is None or event.event_type in NO_SUBJECT_TYPES or event.event_type not in EVENT_TYPES[app]:
        return
    if getattr(event, subject) is None:
        raise WebhookError(f"{subject}: required for a {app} {event.event_type} event", field=subject)


def receive_arr(app: str, data: Any) -> Accepted:
    event = validate(ArrEvent, data)
    if event.event_type not in EVENT_TYPES[app]:
        # A newer app version's event: kept as it came, so nothing the app sends is lost.
        log.warning("webhook.unknown_event_type", extra={"source": app, "eventType": event.event_type[:64]})
    if event.event_type in ("Health", "HealthRestored") and not event.message:
        raise WebhookError(f"message: required for a {app} {event.event_type} event", field="message")
    check_subject(app, event)
    return Accepted(app, event.event_type, event)


def receiver_for(app: str) -> Callable[[Any], Accepted]:
    return lambda data: receive_arr(app, data)
