"""Callbacks due at simulated times, armed as one loop timer for the earliest (no polling)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from openclaw.sandbox.simclock import SimClock

log = logging.getLogger(__name__)


@dataclass(order=True)
class _Entry:
    due: float
    seq: int
    key: str = field(compare=False)
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Timers:
    """Runs callbacks at simulated times on the owning event loop.

    A key identifies a timer: scheduling the same key again replaces it. After `SimClock.advance()`
    call `kick()` so timers now due fire at once."""

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self._heap: list[_Entry] = []
        self._by_key: dict[str, _Entry] = {}
        self._seq = itertools.count()
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._arm()

    def after(self, sim_seconds: float, key: str, callback: Callable[[], None]) -> None:
        """Run `callback` once `sim_seconds` of simulated time have passed (replacing a timer with `key`)."""
        self.cancel(key)
        entry = _Entry(self.clock.seconds() + max(sim_seconds, 0.0), next(self._seq), key, callback)
        self._by_key[key] = entry
        heapq.heappush(self._heap, entry)
        if self._heap[0] is entry:
            self._arm()

    def cancel(self, key: str) -> None:
        entry = self._by_key.pop(key, None)
        if entry is not None:
            entry.cancelled = True

    def pending(self, key: str) -> bool:
        return key in self._by_key

    def kick(self) -> None:
        """Re-arm after the clock jumped."""
        self._arm()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._heap.clear()
        self._by_key.clear()

    def _arm(self) -> None:
        if self._loop is None:
            return
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        if self._heap:
            delay = self.clock.wall(self._heap[0].due - self.clock.seconds())
            self._handle = self._loop.call_later(max(delay, 0.0), self._fire)

    def _fire(self) -> None:
        self._handle = None
        now = self.clock.seconds()
        while self._heap and (self._heap[0].cancelled or self._heap[0].due <= now + 1e-6):
            entry = heapq.heappop(self._heap)
            if entry.cancelled:
                continue
            self._by_key.pop(entry.key, None)
            try:
                entry.callback()
            except Exception:
                log.exception("sandbox.timer_failed", extra={"timer": entry.key})
        self._arm()
