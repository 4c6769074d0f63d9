"""The one app object: every shared piece of the running gateway, passed explicitly."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry

from starlette.routing import BaseRoute

from openclaw.core.notices import NoticeStream
from openclaw.core.bus import EventBus
from openclaw.core.config_holder import ConfigHolder
from openclaw.core.methods import MethodRegistry
from openclaw.core.slots import Slot, Slots
from openclaw.logs import RedactingFilter, RingBuffer

log = logging.getLogger(__name__)

T = TypeVar("T")

# A readiness check returns None when fine, else a short reason.
ReadinessCheck = Callable[[], Awaitable[str | None]]


@dataclass
class Supervisor:
    """Runs the gateway's background engines and cancels them cleanly on shutdown."""

    tasks: dict[str, asyncio.Task[Any]] = field(default_factory=dict)

    def start(self, name: str, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(self._done)
        self.tasks[name] = task

    def _done(self, task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("engine.crashed", extra={"engine": task.get_name()}, exc_info=exc)

    async def stop(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        self.tasks.clear()


@dataclass
class Services:
    state_dir: Path
    config: ConfigHolder
    logs: RingBuffer
    redactor: RedactingFilter
    # Every committed change, in order, to in-process subscribers; the WebSocket feed (`bus`) is one.
    notices: NoticeStream = field(default_factory=NoticeStream)
    bus: EventBus = field(default_factory=EventBus)
    methods: MethodRegistry = field(default_factory=MethodRegistry)
    metrics: CollectorRegistry = field(default_factory=lambda: CollectorRegistry(auto_describe=True))
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    supervisor: Supervisor = field(default_factory=Supervisor)
    # Start-up hooks each capability adds (open stores, start engines); run in order by the lifespan.
    startup: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # HTTP routes capabilities contribute (Slack's /slack/events ...), served beside the gateway's own.
    routes: list[BaseRoute] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)
    ready: bool = False
    # Capability objects (event store, policy engine, ...), each in the typed slot its capability declares.
    slots: Slots = field(default_factory=Slots)

    def __post_init__(self) -> None:
        self.notices.subscribe(self.bus.forward)

    def get(self, slot: Slot[T]) -> T:
        """The capability in `slot`; raises `CapabilityMissing` naming it when it is not installed."""
        return self.slots.get(slot)

    def find(self, slot: Slot[T]) -> T | None:
        return self.slots.find(slot)

    def put(self, slot: Slot[T], value: T) -> None:
        self.slots.put(slot, value)
