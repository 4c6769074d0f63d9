"""One open watch: a filtered queue of change events fed by the store."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openclaw.sandbox.kube.resources import ResourceType
from openclaw.sandbox.kube.selectors import Requirement, labels_match

if TYPE_CHECKING:
    from openclaw.sandbox.kube.store import Change, KubeStore


@dataclass(frozen=True)
class WatchEvent:
    """What a watch yields: `type` is ADDED, MODIFIED, DELETED (or BOOKMARK/ERROR from the server)."""

    type: str
    object: dict[str, Any]


class Watcher:
    """Receives the store's changes for one type, filtered by namespace and selectors.

    An object that stops matching a selector arrives as DELETED and one that starts matching as
    ADDED, as the apiserver's watch cache does."""

    def __init__(self, store: KubeStore, rtype: ResourceType, namespace: str | None, labels: list[Requirement], fields: Callable[[dict[str, Any]], bool]) -> None:
        self._store = store
        self.rtype = rtype
        self.namespace = namespace
        self._labels = labels
        self._fields = fields
        self.queue: asyncio.Queue[WatchEvent | None] = asyncio.Queue()
        self.closed = False

    def _matches(self, obj: dict[str, Any] | None) -> bool:
        if obj is None:
            return False
        if self.namespace and obj["metadata"].get("namespace") != self.namespace:
            return False
        return labels_match(self._labels, obj["metadata"].get("labels")) and self._fields(obj)

    def push(self, type_: str, obj: dict[str, Any]) -> None:
        if not self.closed:
            self.queue.put_nowait(WatchEvent(type_, obj))

    def offer(self, change: Change) -> None:
        now, before = self._matches(change.obj), self._matches(change.old)
        if change.type == "DELETED":
            if before or now:
                self.push("DELETED", change.obj)
        elif change.type == "ADDED":
            if now:
                self.push("ADDED", change.obj)
        elif now and before:
            self.push("MODIFIED", change.obj)
        elif now:
            self.push("ADDED", change.obj)
        elif before:
            gone = copy.deepcopy(change.obj)
            self.push("DELETED", gone)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)
            self._store._unwatch(self)

    async def next(self, timeout: float | None = None) -> WatchEvent | None:
        """The next event, or None when closed or when `timeout` wall seconds pass with nothing."""
        if self.closed and self.queue.empty():
            return None
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def __aiter__(self) -> AsyncIterator[WatchEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[WatchEvent]:
        while True:
            event = await self.queue.get()
            if event is None:
                return
            yield event
