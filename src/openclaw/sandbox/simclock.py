"""Simulated time: wall time scaled by a speed factor, so a 15-minute `for:` can pass in a second."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta


class SimClock:
    """A clock whose seconds run `speed` times faster than wall seconds.

    `advance()` jumps ahead without waiting, which is how scenarios skip quiet stretches and how
    tests step time deterministically.
    """

    def __init__(self, speed: float = 1.0, *, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.speed = speed
        self._epoch = start or datetime.now(UTC)
        self._wall0 = time.monotonic()
        self._offset = 0.0

    def seconds(self) -> float:
        """Simulated seconds since the clock started."""
        return (time.monotonic() - self._wall0) * self.speed + self._offset

    def now(self) -> datetime:
        return self._epoch + timedelta(seconds=self.seconds())

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def wall(self, sim_seconds: float) -> float:
        """Wall seconds that `sim_seconds` of simulated time take."""
        return sim_seconds / self.speed

    async def sleep(self, sim_seconds: float) -> None:
        await asyncio.sleep(max(sim_seconds / self.speed, 0.0))


def iso(moment: datetime) -> str:
    """RFC 3339 with milliseconds and a Z, as the .NET and Go apps write it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
