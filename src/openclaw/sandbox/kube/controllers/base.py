"""The controller contract and the manager that feeds store changes to controllers as work items."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from openclaw.sandbox.kube.errors import ApiError
from openclaw.sandbox.kube.store import Change, KubeStore

if TYPE_CHECKING:
    from openclaw.sandbox.kube.runtime import Runtime

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (namespace, name)


class Controller:
    """Reconciles one kind of object. `keys_for(change)` names the objects a change concerns;
    `reconcile(namespace, name)` brings one of them to its desired state (idempotent)."""

    name = "controller"

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    @property
    def store(self) -> KubeStore:
        return self.rt.store

    def keys_for(self, change: Change) -> Iterable[Key]:
        return ()

    def reconcile(self, namespace: str, name: str) -> None:
        raise RuntimeError(f"{self.name} has no reconcile")

    def enqueue(self, namespace: str, name: str) -> None:
        self.rt.manager.enqueue(self, (namespace, name))


class Manager:
    """Collects work items from store changes and runs them in batches on the loop (no polling)."""

    def __init__(self, store: KubeStore) -> None:
        self.store = store
        self.controllers: list[Controller] = []
        self._queue: dict[tuple[int, Key], Controller] = {}
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe = store.subscribe(self._on_change)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        for controller in self.controllers:
            for rtype_key in getattr(controller, "resync_kinds", ()):
                for obj in self.store.list(rtype_key):
                    self.enqueue(controller, (obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
        self._schedule()

    def stop(self) -> None:
        self._unsubscribe()
        self._loop = None

    def enqueue(self, controller: Controller, key: Key) -> None:
        self._queue[(id(controller), key)] = controller
        self._schedule()

    def _on_change(self, change: Change) -> None:
        for controller in self.controllers:
            for key in controller.keys_for(change):
                self._queue[(id(controller), key)] = controller
        self._schedule()

    def _schedule(self) -> None:
        if self._queue and not self._scheduled and self._loop is not None:
            self._scheduled = True
            self._loop.call_soon(self._run)

    def _run(self) -> None:
        self._scheduled = False
        batch = self._queue
        self._queue = {}
        for (_, key), controller in batch.items():
            try:
                controller.reconcile(*key)
            except ApiError as exc:
                # Not retried in a loop: the next change to the object queues it again.
                if exc.code != 404:
                    log.warning("sandbox.reconcile_refused", extra={"controller": controller.name, "key": "/".join(key), "error": exc.message})
            except Exception:
                log.exception("sandbox.reconcile_failed", extra={"controller": controller.name, "key": "/".join(key)})
        self._schedule()

    def settle(self) -> None:
        """Run queued work until none is left (seeding, tests)."""
        for _ in range(200):
            if not self._queue:
                return
            self._run()
