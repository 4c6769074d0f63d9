"""The whole simulated cluster: store, controllers, timers, faults and the API server, started and stopped as one."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from openclaw.sandbox.kube.controllers.base import Controller, Manager
from openclaw.sandbox.kube.controllers.cronjobs import CronJobs
from openclaw.sandbox.kube.controllers.daemonsets import DaemonSets
from openclaw.sandbox.kube.controllers.deployments import Deployments
from openclaw.sandbox.kube.controllers.housekeeping import ClaimBinder, DisruptionBudgets, EventExpiry, GarbageCollector, Namespaces, VolumeUsage
from openclaw.sandbox.kube.controllers.jobs import Jobs
from openclaw.sandbox.kube.controllers.kubelet import Kubelet
from openclaw.sandbox.kube.controllers.replicasets import ReplicaSets
from openclaw.sandbox.kube.controllers.scheduler import Scheduler
from openclaw.sandbox.kube.controllers.statefulsets import StatefulSets
from openclaw.sandbox.kube.faults import Faults
from openclaw.sandbox.kube.logbook import LogBook
from openclaw.sandbox.kube.recorder import RequestLog
from openclaw.sandbox.kube.runtime import Runtime, Timing
from openclaw.sandbox.kube.server import KubeApiServer, write_kubeconfig
from openclaw.sandbox.kube.store import KubeStore
from openclaw.sandbox.kube.timers import Timers
from openclaw.sandbox.kube.tls import ServingCert, make_serving_cert
from openclaw.sandbox.simclock import SimClock

T = TypeVar("T")
C = TypeVar("C", bound=Controller)
Seed = Callable[[KubeStore], None]


class SandboxCluster:
    """A running simulated cluster.

    ```python
    cluster = SandboxCluster(clock=SimClock(speed=10), seed=homelab.seed, kubeconfig=state_dir / "sandbox.kubeconfig")
    await cluster.start()          # in the caller's event loop; API on cluster.url
    cluster.store.list("pods", "media")
    cluster.faults.crashloop("media", "sonarr")
    await cluster.stop()
    ```
    `start_in_thread()` runs it on its own loop in a daemon thread for synchronous callers (tests running kubectl).
    """

    def __init__(self, *, clock: SimClock | None = None, seed: Seed | None = None, kubeconfig: Path | None = None, token: str | None = None, host: str = "127.0.0.1", port: int = 0, timing: Timing | None = None, bookmark_seconds: float = 60.0, serve: bool = True) -> None:
        self.clock = clock or SimClock()
        self.store = KubeStore(self.clock)
        self.timers = Timers(self.clock)
        self.faults = Faults()
        self.logs = LogBook()
        self.manager = Manager(self.store)
        self.rt = Runtime(self.clock, self.store, self.timers, self.faults, self.logs, self.manager, timing or Timing())
        self.faults.attach(self.rt)
        self.manager.controllers = [
            Scheduler(self.rt), Kubelet(self.rt), ReplicaSets(self.rt), Deployments(self.rt), StatefulSets(self.rt), DaemonSets(self.rt),
            Jobs(self.rt), CronJobs(self.rt), GarbageCollector(self.rt), Namespaces(self.rt), ClaimBinder(self.rt), DisruptionBudgets(self.rt), VolumeUsage(self.rt), EventExpiry(self.rt),
        ]
        self.token = token or secrets.token_urlsafe(24)
        self.requests = RequestLog()
        self._seed = seed
        self._host, self._port, self._bookmarks = host, port, bookmark_seconds
        self._serve = serve  # False: controllers only, no HTTP server (in-process callers and unit tests)
        self.kubeconfig_path = kubeconfig
        self.server: KubeApiServer | None = None
        self.cert: ServingCert | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self.server is None:
            raise RuntimeError("the sandbox cluster is not started")
        return self.server.url

    async def start(self) -> None:
        """Seed the store, start controllers and timers, serve the API and write the kubeconfig."""
        self.loop = asyncio.get_running_loop()
        if self._seed is not None:
            self._seed(self.store)
        self.timers.bind(self.loop)
        self.manager.start(self.loop)
        self.manager.settle()
        if not self._serve:
            return
        cert_dir = self.kubeconfig_path.parent / "sandbox-pki" if self.kubeconfig_path is not None else Path(tempfile.mkdtemp(prefix="openclaw-sandbox-pki-"))
        self.cert = make_serving_cert(cert_dir, self._host)
        self.server = KubeApiServer(self.rt, self.token, cert=self.cert, host=self._host, port=self._port, bookmark_seconds=self._bookmarks, requests=self.requests)
        await self.server.start()
        if self.kubeconfig_path is not None:
            write_kubeconfig(self.kubeconfig_path, self.server.url, self.token, self.cert.ca_pem)

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
        self.manager.stop()
        self.timers.close()

    def controller(self, kind: type[C]) -> C:
        """The running controller of this class (for reading schedules and such)."""
        return next(c for c in self.manager.controllers if isinstance(c, kind))

    def advance(self, seconds: float) -> None:
        """Jump simulated time forward; timers now due fire at once."""
        self.clock.advance(seconds)
        self.timers.kick()

    # ---- thread mode ----------------------------------------------------------------------------
    def start_in_thread(self, timeout: float = 10.0) -> SandboxCluster:
        """Run the cluster on a private loop in a daemon thread; returns once the API answers."""
        ready: Future[None] = Future()

        def main() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)

            async def run() -> None:
                try:
                    await self.start()
                except BaseException as exc:
                    ready.set_exception(exc)
                    return
                ready.set_result(None)
                self._stopped = asyncio.Event()
                await self._stopped.wait()
                await self.stop()

            loop.run_until_complete(run())
            loop.close()

        self._thread = threading.Thread(target=main, name="sandbox-cluster", daemon=True)
        self._thread.start()
        ready.result(timeout)
        return self

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` on the cluster's loop thread and return its result (thread mode)."""
        if self.loop is None:
            raise RuntimeError("the sandbox cluster is not started")

        async def invoke() -> T:
            return fn(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(invoke(), self.loop).result(10)

    def stop_thread(self, timeout: float = 10.0) -> None:
        if self.loop is not None and self._thread is not None:
            self.loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout)
