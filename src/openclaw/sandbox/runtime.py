"""The whole sandbox homelab in one process: Kubernetes API, media apps and alert source on loopback ports.

```python
sandbox = Sandbox(SandboxOptions(speed=60, kubeconfig=state_dir / "sandbox" / "kubeconfig"))
await sandbox.start()
sandbox.send_webhooks_to("http://127.0.0.1:18789/hooks", hooks_token)
...
await sandbox.stop()
```
One tick loop drives the media pipeline and the alert source in simulated time; the cluster's
controllers run on their own timers against the same clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openclaw.sandbox.alerts import AlertSource, Dispatcher, Route
from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.kube.store import KubeStore
from openclaw.sandbox.media.recorder import RequestRecorder
from openclaw.sandbox.media.stack import MediaStack
from openclaw.sandbox.simclock import SimClock

log = logging.getLogger(__name__)

MEDIA_DEPENDENCIES = ("qbittorrent", "prowlarr")
DEPENDENCY_STABLE_S = 60.0  # simulated seconds a dependency must stay available to count as back
HOOK_PATHS = {"sonarr": "sonarr", "radarr": "radarr", "lidarr": "lidarr", "seerr": "seerr", "alertmanager": "alertmanager"}


# Watchdog is the gateway's dead-man's switch (silence of 10 minutes opens an incident): routed as
# a homelab routes it to a heartbeat receiver, re-sent every 5 minutes of simulated time.
WATCHDOG_ROUTE = Route({"alertname": "Watchdog"}, group_interval=60.0, repeat_interval=300.0)


@dataclass(frozen=True)
class AlertTimings:
    """AlertManager/Prometheus timing in simulated seconds (kube-prometheus-stack defaults, plus a
    Watchdog route as a dead-man's-switch receiver needs it)."""

    evaluation_interval: float = 30.0
    group_wait: float = 30.0
    group_interval: float = 300.0
    repeat_interval: float = 12 * 3600.0
    routes: tuple[Route, ...] = (WATCHDOG_ROUTE,)


@dataclass
class SandboxOptions:
    speed: float = 1.0
    kubeconfig: Path | None = None
    seed: Callable[[KubeStore], None] | None = None  # default: the homelab
    seed_media: bool = True
    alerts: AlertTimings = field(default_factory=AlertTimings)


class Sandbox:
    """Start, point at a gateway, advance and stop the simulated homelab."""

    def __init__(self, options: SandboxOptions | None = None) -> None:
        self.options = options or SandboxOptions()
        self.clock = SimClock(self.options.speed)
        seed = self.options.seed
        if seed is None:
            from openclaw.sandbox import homelab

            seed = homelab.seed
        self.cluster = SandboxCluster(clock=self.clock, seed=seed, kubeconfig=self.options.kubeconfig)
        self.media = MediaStack(self.clock, seed=self.options.seed_media)
        t = self.options.alerts
        self.alerts = AlertSource(self.cluster.store, self.clock, evaluation_interval=t.evaluation_interval,
                                  dispatcher=Dispatcher(group_wait=t.group_wait, group_interval=t.group_interval, repeat_interval=t.repeat_interval,
                                                        routes=t.routes))
        self._tasks: list[asyncio.Task[None]] = []
        self._tick_listeners: list[Callable[[], None]] = []
        self._seen_up: set[str] = set()
        self._up_since: dict[str, float] = {}

    @property
    def urls(self) -> dict[str, str]:
        return {"kubernetes": self.cluster.url, **self.media.urls}

    @property
    def received(self) -> RequestRecorder:
        """Every request the media apps received, for assertions on the calls a client made."""
        return self.media.pipeline.received

    @property
    def kubeconfig(self) -> Path | None:
        return self.cluster.kubeconfig_path

    def on_tick(self, listener: Callable[[], None]) -> None:
        """Run `listener` on every tick (scenario fault schedules hook in here)."""
        self._tick_listeners.append(listener)

    def send_webhooks_to(self, hooks_base_url: str, token: str | None) -> None:
        """Point every app's webhook connection and AlertManager's receiver at `<base>/<app>`."""
        base = hooks_base_url.rstrip("/")
        self.media.send_webhooks_to({app: f"{base}/{HOOK_PATHS[app]}" for app in ("sonarr", "radarr", "lidarr", "seerr")}, token)
        self.alerts.url, self.alerts.token = f"{base}/{HOOK_PATHS['alertmanager']}", token

    async def start(self) -> dict[str, str]:
        await self.cluster.start()
        await self.media.start()
        self._tasks = [asyncio.create_task(self._tick_loop(), name="sandbox.tick"),
                       asyncio.create_task(self.alerts.run(), name="sandbox.alerts")]
        log.info("sandbox.started", extra={"urls": self.urls, "speed": self.clock.speed})
        return self.urls

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.media.stop()
        await self.cluster.stop()

    def advance(self, seconds: float) -> None:
        """Jump simulated time; controllers' due timers fire and the next tick catches up."""
        self.cluster.advance(seconds)

    def tick(self) -> None:
        for listener in self._tick_listeners:
            listener()
        self._sync_media_dependencies()
        self.media.pipeline.tick()
        self.alerts.tick()

    def _sync_media_dependencies(self) -> None:
        """The media apps run as Deployments in the cluster: when qBittorrent's or Prowlarr's has no
        available replica, the simulated app is unreachable for Sonarr and Radarr."""
        now = self.clock.seconds()
        for name in MEDIA_DEPENDENCIES:
            dep = self.cluster.store.find("deployments", "media", name)
            if dep is None:
                continue
            if int(dep.get("status", {}).get("availableReplicas", 0) or 0) == 0:
                self._up_since.pop(name, None)
                if name in self._seen_up:  # the homelab coming up at start is not an outage
                    self.media.pipeline.set_available(name, False)
                continue
            since = self._up_since.setdefault(name, now)
            # Back only once it stayed up a while: a crash-looping pod is Running for seconds at a time.
            if now - since >= DEPENDENCY_STABLE_S:
                self._seen_up.add(name)
                self.media.pipeline.set_available(name, True)

    async def _tick_loop(self) -> None:
        # A tick every 2 simulated seconds, but never busier than 100/s nor lazier than 4/s of wall time.
        interval = min(max(2.0 / self.clock.speed, 0.01), 0.25)
        while True:
            try:
                self.tick()
            except Exception:
                log.exception("sandbox.tick_failed")
            await asyncio.sleep(interval)

    async def drain(self) -> None:
        """Wait until every queued webhook and alert notification has been posted."""
        await self.media.pipeline.sender.drain()
        await self.alerts.outbox.join()
