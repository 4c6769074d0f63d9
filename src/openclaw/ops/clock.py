"""The clock the gateway measures its waits on: wall time, or the sandbox's simulated time.

Verification deadlines and the runbooks' follow-up polls read it, so under `--speed 600` a
2-minute verify timeout is 2 simulated minutes, as the scenario's faults and alerts are.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

from openclaw.core.slots import Slot


class Clock(Protocol):
    def seconds(self) -> float:
        """Monotonic seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock."""
        ...

    def wall(self, seconds: float) -> float:
        """Wall seconds that `seconds` of this clock take."""
        ...


class WallClock:
    def seconds(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))

    def wall(self, seconds: float) -> float:
        return seconds


WALL_CLOCK = WallClock()  # stateless, so one shared instance is no global state

# Where a capability that owns time (the embedded sandbox) offers its clock to the others.
CLOCK: Slot[Clock] = Slot("clock", "no clock was offered")


class OfferedClock:
    """The clock `offered()` gives at the moment it is read, else wall time: the sandbox offers its
    clock after the other capabilities are installed."""

    def __init__(self, offered: Callable[[], Clock | None]) -> None:
        self._offered = offered

    def _current(self) -> Clock:
        return self._offered() or WALL_CLOCK

    def seconds(self) -> float:
        return self._current().seconds()

    async def sleep(self, seconds: float) -> None:
        await self._current().sleep(seconds)

    def wall(self, seconds: float) -> float:
        return self._current().wall(seconds)
