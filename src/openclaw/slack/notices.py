"""Where the Slack feed hears about committed changes: the gateway's notice stream, for the topics
below. A subscriber is awaited before the stream moves on and loses nothing; the feed only writes
rows (microseconds per notice), so it never holds the stream up for Slack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from openclaw.core.notices import Notice
from openclaw.core.topics import Topic

if TYPE_CHECKING:
    from openclaw.core.services import Services

Listener = Callable[[str, dict[str, Any]], Awaitable[None]]

TOPICS = (
    Topic.INCIDENT_OPENED, Topic.INCIDENT_UPDATED, Topic.INCIDENT_RESOLVED, Topic.RUNBOOK_COMPLETED, Topic.ACTION_DECIDED,
    Topic.ACTION_COMPLETED, Topic.APPROVAL_REQUESTED, Topic.APPROVAL_RESOLVED, Topic.MEDIA_EVENT,
)


def follow(services: Services, listener: Listener) -> Callable[[], None]:
    """Call `listener(topic, payload)` for every notice of `TOPICS`, in order; returns the unsubscribe."""

    async def on_notice(notice: Notice) -> None:
        await listener(str(notice.topic), notice.payload)

    return services.notices.subscribe(on_notice, topics=TOPICS)
