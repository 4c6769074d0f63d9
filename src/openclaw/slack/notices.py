"""Where the Slack feed hears about committed changes: one seam, so the source can change without
touching the feed. Today that is the gateway's event bus (what the Control UI receives), read by
one task; each notice is handled before the next is read.

The bus keeps at most 1000 notices per subscriber. The feed drains it in microseconds per notice
(it only writes rows), and a root message is re-rendered from the group's latest state, so a
notice dropped in a flood costs at most one thread entry, never the root's correctness.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openclaw.gateway.services import Services

log = logging.getLogger(__name__)

Listener = Callable[[str, dict[str, Any]], Awaitable[None]]

TOPICS = frozenset({"incident.opened", "incident.updated", "incident.resolved", "runbook.completed", "action.decided", "action.completed",
                    "approval.requested", "approval.resolved"})


def follow_media(services: Services, listener: Listener) -> None:
    """`media.event` is not on the bus: hear it from the event processor, after its commit."""
    from openclaw.events import events_of

    async def on_notice(notice: Any) -> None:
        if notice.topic == "media.event":
            try:
                await listener(notice.topic, notice.payload)
            except Exception:  # a media message that cannot be shown must not fail event processing
                log.exception("slack.notice_failed", extra={"topic": notice.topic})

    events_of(services).subscribe(on_notice)


async def follow(services: Services, listener: Listener) -> None:
    """Call `listener(topic, payload)` for every notice of `TOPICS`, in order, until cancelled."""
    sub = services.bus.subscribe()
    try:
        while True:
            item = await sub.get()
            if item.event not in TOPICS or not isinstance(item.payload, dict):
                continue
            try:
                await listener(item.event, item.payload)
            except Exception:  # one notice that cannot be shown must not stop the feed
                log.exception("slack.notice_failed", extra={"topic": item.event})
    finally:
        services.bus.unsubscribe(sub)
