"""Container logs: the current and previous instance of each container, with timestamps."""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import datetime

from openclaw.sandbox.kube.meta import micro_timestamp

MAX_LINES = 2000


class LogBook:
    """Log lines per (pod uid, container); `restart()` moves the current log to `previous`."""

    def __init__(self) -> None:
        self._current: dict[tuple[str, str], deque[tuple[datetime, str]]] = {}
        self._previous: dict[tuple[str, str], deque[tuple[datetime, str]]] = {}
        self._written: dict[tuple[str, str], int] = {}
        self._waiters: dict[tuple[str, str], list[asyncio.Future[None]]] = {}

    def write(self, pod_uid: str, container: str, moment: datetime, line: str) -> None:
        key = (pod_uid, container)
        self._current.setdefault(key, deque(maxlen=MAX_LINES)).append((moment, line))
        self._written[key] = self._written.get(key, 0) + 1
        self._wake(key)

    def restart(self, pod_uid: str, container: str) -> None:
        key = (pod_uid, container)
        self._previous[key] = self._current.pop(key, deque(maxlen=MAX_LINES))
        self._written[key] = 0
        self._wake(key)

    def _wake(self, key: tuple[str, str]) -> None:
        for waiter in self._waiters.pop(key, []):
            if not waiter.done():
                waiter.set_result(None)

    def position(self, pod_uid: str, container: str) -> int:
        """How many lines the current instance has written (a cursor for `since_position`)."""
        return self._written.get((pod_uid, container), 0)

    def since_position(self, pod_uid: str, container: str, position: int) -> tuple[list[tuple[datetime, str]], int] | None:
        """Lines written after `position` and the new cursor; None when the container restarted since."""
        key = (pod_uid, container)
        total = self._written.get(key, 0)
        if total < position:
            return None
        lines = list(self._current.get(key, ()))
        fresh = lines[max(len(lines) - (total - position), 0) :]
        return fresh, total

    async def wait(self, pod_uid: str, container: str, timeout: float) -> None:
        """Return when the container writes or restarts, or after `timeout` wall seconds."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault((pod_uid, container), []).append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            waiters = self._waiters.get((pod_uid, container), [])
            if waiter in waiters:
                waiters.remove(waiter)

    def has_previous(self, pod_uid: str, container: str) -> bool:
        return (pod_uid, container) in self._previous

    def read(self, pod_uid: str, container: str, *, previous: bool = False, tail: int | None = None, since: datetime | None = None, timestamps: bool = False) -> str:
        lines = list((self._previous if previous else self._current).get((pod_uid, container), ()))
        if since is not None:
            lines = [entry for entry in lines if entry[0] >= since]
        if tail is not None and tail >= 0:
            lines = lines[-tail:] if tail else []
        return "".join((f"{micro_timestamp(m)} " if timestamps else "") + text + "\n" for m, text in lines)

    def forget(self, pod_uid: str) -> None:
        for book in (self._current, self._previous, self._written):
            for key in [k for k in book if k[0] == pod_uid]:
                book.pop(key)
        for key in [k for k in self._waiters if k[0] == pod_uid]:
            self._wake(key)
