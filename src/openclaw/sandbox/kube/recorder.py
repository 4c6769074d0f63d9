"""A bounded record of the requests the API server answered, so tests can assert what a client did."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RecordedRequest:
    """One answered request: verb, path, query string, body media type, status code, when, and whether it was a dry run."""

    method: str
    path: str
    query: str
    content_type: str
    status: int
    user_agent: str
    at: datetime
    dry_run: bool = False

    @property
    def is_mutation(self) -> bool:
        """A write that was meant to change something (dry runs are not)."""
        return self.method in ("POST", "PUT", "PATCH", "DELETE") and not self.dry_run


class RequestLog:
    """The last `size` requests, oldest first."""

    def __init__(self, size: int = 5000) -> None:
        self._items: deque[RecordedRequest] = deque(maxlen=size)

    def add(self, item: RecordedRequest) -> None:
        self._items.append(item)

    def find(self, *, method: str | None = None, path: str | None = None, mutations_only: bool = False) -> list[RecordedRequest]:
        """Requests with this method and whose path contains `path`."""
        return [r for r in self._items if (method is None or r.method == method) and (path is None or path in r.path) and (not mutations_only or r.is_mutation)]

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
