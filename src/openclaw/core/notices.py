"""The one notice stream: every committed change (an alert, an incident, an action, an approval) as
a typed `Notice`, delivered to in-process subscribers in order, none lost, each awaited.

Publishers either `await stream.publish(notice)` (returns once every subscriber has had it: the
events processor uses this so a burst is delivered before the next batch is processed) or
`stream.post(notice)` from code that cannot await (returns at once). Both feed one FIFO, drained by
one task, so every subscriber sees every notice in the same order. A subscriber that raises is
logged and skipped; the next one still gets the notice.

Subscribers hold up the stream while they run: one that starts long work (a runbook, a model turn,
a Slack call) starts it as a task and returns. The WebSocket feed is one subscriber among others
(`core/bus.py`): it is the only lossy part, per connection, so a stuck browser cannot grow memory.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from openclaw.core.topics import Topic

log = logging.getLogger(__name__)

Listener = Callable[["Notice"], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class Notice:
    """Something that happened: a known `topic` and its JSON payload (shapes in docs/architecture.md)."""

    topic: Topic
    payload: dict[str, Any]

    def __post_init__(self) -> None:
        if not isinstance(self.topic, Topic):
            try:
                object.__setattr__(self, "topic", Topic(self.topic))
            except ValueError:
                raise ValueError(f"notice topic {self.topic!r}: expected one of openclaw.core.topics.Topic") from None


@dataclass(frozen=True, slots=True)
class _Subscriber:
    listener: Listener
    topics: frozenset[Topic] | None


class NoticeStream:
    def __init__(self) -> None:
        self._subscribers: list[_Subscriber] = []
        self._queue: deque[tuple[Notice, asyncio.Future[None] | None]] = deque()
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self.delivered = 0
        self.failed = 0

    def subscribe(self, listener: Listener, topics: Iterable[Topic | str] | None = None) -> Callable[[], None]:
        """Call `listener` (sync or async) with each notice of `topics` (all when None), in order;
        returns the function that unsubscribes."""
        sub = _Subscriber(listener, frozenset(Topic(t) for t in topics) if topics is not None else None)
        self._subscribers.append(sub)

        def unsubscribe() -> None:
            if sub in self._subscribers:
                self._subscribers.remove(sub)

        return unsubscribe

    def post(self, notice: Notice) -> None:
        """Queue `notice` for delivery and return at once (for code that cannot await)."""
        self._enqueue(notice, None)

    async def publish(self, notice: Notice) -> None:
        """Queue `notice` and return once every subscriber has had it."""
        if self._in_drain():  # published by a subscriber: it cannot wait for the delivery it is part of
            self._enqueue(notice, None)
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._enqueue(notice, done)
        await done

    async def publish_all(self, notices: Iterable[Notice]) -> None:
        for notice in notices:
            await self.publish(notice)

    async def settle(self) -> None:
        """Wait until everything queued so far has been delivered (tests, shutdown)."""
        if self._queue and not self._in_drain():
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._queue.append((_MARK, done))
            self._wake()
            await done

    async def close(self) -> None:
        """Deliver what is queued, then stop the drain task."""
        await self.settle()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    # ---- internals -----------------------------------------------------------------------------

    def _in_drain(self) -> bool:
        return self._task is not None and asyncio.current_task() is self._task

    def _enqueue(self, notice: Notice, done: asyncio.Future[None] | None) -> None:
        self._queue.append((notice, done))
        self._wake()

    def _wake(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            # A stream outlives nothing but its loop; tests run one loop per test.
            self._wakeup = asyncio.Event()
            self._task = loop.create_task(self._drain(), name="notices.drain")
        assert self._wakeup is not None
        self._wakeup.set()

    async def _drain(self) -> None:
        wakeup = self._wakeup
        assert wakeup is not None
        while True:
            while self._queue:
                notice, done = self._queue.popleft()
                if notice is not _MARK:
                    await self._deliver(notice)
                if done is not None and not done.done():
                    done.set_result(None)
            wakeup.clear()
            await wakeup.wait()

    async def _deliver(self, notice: Notice) -> None:
        for sub in list(self._subscribers):
            if sub.topics is not None and notice.topic not in sub.topics:
                continue
            try:
                result = sub.listener(notice)
                if inspect.isawaitable(result):
                    await result
            except Exception:  # one subscriber's failure must not cost the others this notice
                self.failed += 1
                log.exception("notices.subscriber_failed", extra={"topic": str(notice.topic)})
        self.delivered += 1


# A marker in the queue: `settle()` resolves when the drain task reaches it.
_MARK = Notice(Topic.HEARTBEAT, {})
