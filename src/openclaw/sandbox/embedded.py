"""The sandbox inside the gateway process (`openclaw gateway --sandbox`, what `make run` starts).

The gateway is configured to use it: the policy layer's Kubernetes client gets the sandbox's
kubeconfig, the media apps' webhook connections and AlertManager's receiver point at this gateway's
`/hooks/...` with `hooks.token`, and the apps' URLs and keys are offered to the media capability.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from openclaw.config import store as config_store
from openclaw.core.services import Services
from openclaw.core.slots import Slot
from openclaw.incidents.capability import INCIDENTS
from openclaw.media.capability import MEDIA_ENDPOINTS
from openclaw.policy.capability import KUBECONFIG, POLICY
from openclaw.ops.clock import CLOCK
from openclaw.sandbox.runtime import Sandbox, SandboxOptions

log = logging.getLogger(__name__)

SANDBOX: Slot[Sandbox] = Slot("sandbox", "the sandbox homelab is not running")


def ensure_hooks_token(state_dir: Path) -> bool:
    """Generate and persist `hooks.token` when unset (the sandbox's apps need one to deliver webhooks).
    Returns True when one was created."""
    from openclaw.config import layers

    if layers.load(state_dir).settings.hooks.token:
        return False
    config_store.set_value(state_dir, "hooks.token", secrets.token_urlsafe(32))
    return True


def kubeconfig_path(state_dir: Path) -> Path:
    return state_dir / "sandbox" / "kubeconfig"


def media_endpoints(sandbox: Sandbox) -> dict[str, dict[str, str]]:
    creds = sandbox.media.credentials
    out: dict[str, dict[str, str]] = {}
    for app, url in sandbox.media.urls.items():
        if app == "qbittorrent":
            out[app] = {"url": url, "username": creds.qbittorrent_username, "password": creds.qbittorrent_password}
        else:
            out[app] = {"url": url, "apiKey": creds.keys[app]}
    return out


def attach(services: Services, *, gateway_url: str, speed: float = 1.0, scenario: Path | None = None,
           announce: Callable[[str], None] | None = None) -> Sandbox:
    """Create the sandbox and register it to start before the other capabilities and stop after them."""
    from openclaw.sandbox import scenario as scenarios

    loaded = scenarios.load(scenario) if scenario else None
    kubeconfig = kubeconfig_path(services.state_dir)
    sandbox = Sandbox(SandboxOptions(speed=speed, kubeconfig=kubeconfig))
    services.put(SANDBOX, sandbox)
    services.put(KUBECONFIG, kubeconfig)  # read by the policy capability's cluster client
    # One clock for everything the gateway waits for: verification runs in simulated seconds.
    services.put(CLOCK, sandbox.clock)

    async def start() -> None:
        await sandbox.start()
        sandbox.send_webhooks_to(f"{gateway_url.rstrip('/')}/hooks", services.config.settings.hooks.token)
        services.put(MEDIA_ENDPOINTS, media_endpoints(sandbox))
        if loaded is not None:
            services.supervisor.start("sandbox.scenario", _play(loaded))
        if announce is not None:
            for name, url in sandbox.urls.items():
                announce(f"  {name:<12} {url}")

    async def _play(loaded: scenarios.Scenario) -> None:
        # Faults before the gateway listens would fire alerts into a closed port: start once it answers.
        if not await accepting(gateway_url, lambda: services.ready):
            log.warning("sandbox.scenario_gateway_not_ready", extra={"url": gateway_url})
        await scenarios.settle(sandbox)
        run = scenarios.ScenarioRun(loaded, sandbox)
        run.install()
        if announce is not None:
            announce(f"scenario {loaded.name}: faults scheduled on the settled homelab")
        result = await scenarios.judge(run, lambda: _audit_records(services), incidents=lambda: _incidents(services), notes=lambda: _notes(services))
        log.info("sandbox.scenario_result", extra={"scenario": result.name, "ok": result.ok, "expectations": result.expectations.problems,
                                                   "outcome": result.outcome.problems, "violations": result.violations})
        if announce is not None:
            announce(f"scenario {result.name}: {'passed' if result.ok else 'NOT passed'} after {result.elapsed:.0f} simulated seconds")
            for problem in result.expectations.problems + result.outcome.problems + result.violations:
                announce(f"  - {problem}")

    async def stop() -> None:
        await sandbox.stop()

    async def ready() -> str | None:
        return None if sandbox.media.servers else "sandbox not started"

    # First in, last out: the policy layer's cluster client reads the kubeconfig the sandbox writes.
    services.startup.insert(0, start)
    services.shutdown.insert(0, stop)
    services.readiness["sandbox"] = ready
    return sandbox


async def accepting(gateway_url: str, ready: Callable[[], bool], *, timeout_s: float = 60.0) -> bool:
    """Wait (wall seconds) until the gateway has started every capability and answers HTTP."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
        while loop.time() < deadline:
            if ready():
                try:
                    if (await client.get(f"{gateway_url.rstrip('/')}/healthz")).status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
            await asyncio.sleep(0.05)
    return False


def describe(sandbox: Sandbox) -> dict[str, Any]:
    return {"kubeconfig": str(sandbox.kubeconfig) if sandbox.kubeconfig else None, "urls": sandbox.urls,
            "media": media_endpoints(sandbox), "speed": sandbox.clock.speed}


def _audit_records(services: Services) -> list[dict[str, Any]]:
    """Executed and refused actions from the policy layer's audit log, when the gateway has one."""
    engine = services.find(POLICY)
    if engine is None:
        return []
    return [record.to_json() for record in engine.audit.list(limit=1000)]


async def _notes(services: Services) -> list[dict[str, Any]]:
    """Every incident note (escalations, reports, fixes), when the incidents capability is installed."""
    store = services.find(INCIDENTS)
    if store is None:
        return []
    return [note.to_json() for note in await store.list_notes(limit=1000)]


async def _incidents(services: Services) -> list[dict[str, Any]]:
    """The gateway's incidents (with their alerts), when the incidents capability is installed."""
    store = services.find(INCIDENTS)
    if store is None:
        return []
    found = [await store.get(incident.id) for incident in await store.list(limit=500)]  # with their alerts
    return [incident.to_json() for incident in found if incident is not None]
