"""What every controller shares: the store, the clock and timers, faults, container logs, timing knobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from openclaw.sandbox.kube.controllers.base import Manager
from openclaw.sandbox.kube.faults import Faults
from openclaw.sandbox.kube.logbook import LogBook
from openclaw.sandbox.kube.store import KubeStore
from openclaw.sandbox.kube.timers import Timers
from openclaw.sandbox.simclock import SimClock


@dataclass
class Timing:
    """Simulated seconds the kubelet takes for each step (scaled by the clock's speed)."""

    container_start: float = 1.0
    pod_stop: float = 1.0
    crash_after: float = 5.0
    job_duration: float = 5.0
    job_retry_delay: float = 2.0
    backoff_base: float = 10.0
    backoff_max: float = 300.0


@dataclass
class Runtime:
    clock: SimClock
    store: KubeStore
    timers: Timers
    faults: Faults
    logs: LogBook
    manager: Manager
    timing: Timing = field(default_factory=Timing)
