"""In-process fan-out of gateway events (`incident.opened`, `device.pair.requested`, ...) to
WebSocket connections and other listeners. Each subscriber has its own bounded queue so one slow
client cannot hold up the rest; a full queue drops that subscriber's oldest event."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


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

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)
