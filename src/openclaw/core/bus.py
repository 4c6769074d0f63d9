"""The WebSocket feed: fan-out of notices (`incident.opened`, `device.pair.requested`, ...) to each
connection. It is one subscriber of the notice stream (`forward`); each connection has its own
bounded queue so one slow client cannot hold up the rest, and a full queue drops that connection's
oldest event. In-process consumers subscribe to the stream itself, which loses nothing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from openclaw.core.notices import Notice


@dataclass(frozen=True, slots=True)
class BusEvent:
    event: str
    payload: Any
    scope: str = "operator.read"


@dataclass(eq=False)
class Subscription:
    queue: asyncio.Queue[BusEvent] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))
    dropped: int = 0

    async def get(self) -> BusEvent:
        return await self.queue.get()


class EventBus:
    def __init__(self) -> None:
        self._subs: set[Subscription] = set()

    def subscribe(self) -> Subscription:
        sub = Subscription()
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    def publish(self, event: str, payload: Any, scope: str = "operator.read") -> None:
        """Queue `event` for every subscriber; `scope` is what a connection needs to receive it."""
        item = BusEvent(event, payload, scope)
        for sub in list(self._subs):
            if sub.queue.full():
                sub.queue.get_nowait()
                sub.dropped += 1
            sub.queue.put_nowait(item)

    def forward(self, notice: Notice) -> None:
        """The notice stream's subscriber: topics with a WebSocket scope go to the connections."""
        scope = notice.topic.scope
        if scope is not None:
            self.publish(str(notice.topic), notice.payload, scope)

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)
