"""Container logs: the current and previous instance of each container, with timestamps."""

from __future__ import annotations

from collections import deque
from datetime import datetime

from openclaw.sandbox.kube.meta import micro_timestamp

MAX_LINES = 2000


class LogBook:
    """Log lines per (pod uid, container); `restart()` moves the current log to `previous`."""

    def __init__(self) -> None:
        self._current: dict[tuple[str, str], deque[tuple[datetime, str]]] = {}
        self._previous: dict[tuple[str, str], deque[tuple[datetime, str]]] = {}

    def write(self, pod_uid: str, container: str, moment: datetime, line: str) -> None:
        self._current.setdefault((pod_uid, container), deque(maxlen=MAX_LINES)).append((moment, line))

    def restart(self, pod_uid: str, container: str) -> None:
        key = (pod_uid, container)
        self._previous[key] = self._current.pop(key, deque(maxlen=MAX_LINES))

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
        for book in (self._current, self._previous):
            for key in [k for k in book if k[0] == pod_uid]:
                book.pop(key)
