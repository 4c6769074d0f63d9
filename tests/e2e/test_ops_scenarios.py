"""The shipped cluster scenarios, end to end: the whole sandbox homelab (cluster, media apps, alert
source) delivers its webhooks to an embedded gateway; runbooks act through policy alone. Each ends
in the state the scenario calls fixed (or escalated, where a person is needed), with no forbidden
action in the audit log."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from ops_lab import SpecChanges

from openclaw.config import store as config_store
from openclaw.gateway.embedded import run_embedded
from openclaw.incidents import incidents_of
from openclaw.policy.capability import policy_of
from openclaw.runbooks.capability import runbooks_of
from openclaw.sandbox.runtime import Sandbox, SandboxOptions
from openclaw.sandbox.scenario import ScenarioRun, load

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
CLUSTER_SCENARIOS = [
    "01-sonarr-crashloop-restart-fixes",
    "02-radarr-crashloop-restart-does-not-fix",
    "03-backup-job-fails",
    "04-worker-node-not-ready",
    "05-jellyfin-config-pvc-full",
    "11-coredns-target-down",
    "12-qbittorrent-unready-restart-fixes",
]
SPEED = 300.0
TOKEN = "scenario-hook-token-0123456789abcdef"


@pytest.mark.parametrize("name", CLUSTER_SCENARIOS)
async def test_cluster_scenario_is_handled_by_its_runbook(state_dir: Path, name: str) -> None:
    scenario = load(SCENARIOS / f"{name}.yaml")
    kubeconfig = state_dir / "sandbox" / "kubeconfig"
    sandbox = Sandbox(SandboxOptions(speed=SPEED, kubeconfig=kubeconfig))
    await sandbox.start()
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    config_store.set_value(state_dir, "ops", {"kube": {"kubeconfig": str(kubeconfig)}, "verifyTimeout": 5, "verifyStableFor": 1})
    try:
        async with run_embedded(state_dir) as gw:
            sandbox.send_webhooks_to(f"{gw.http_url}/hooks", TOKEN)
            engine, runner = policy_of(gw.services), runbooks_of(gw.services)
            while engine.backends.kube is None:
                await asyncio.sleep(0.01)
            run = ScenarioRun(scenario, sandbox)
            run.install()
            seen = SpecChanges(sandbox.cluster)
            deadline_sim = scenario.outcome.within + max((f.at for f in scenario.faults), default=0)
            wall_deadline = time.monotonic() + deadline_sim / SPEED + 60

            async def escalated() -> bool:
                return any(e["routedTo"] in ("operator", "agent") for e in await runner.escalations.list())

            async def incidents_resolved() -> bool:
                found = [i for i in await incidents_of(gw.services).list() if i.kind == "alerts"]
                return bool(found) and all(i.status == "resolved" for i in found)

            while True:
                report = run.outcome()
                injected = len(run.injected) == len(scenario.faults)
                if injected and (await escalated() if scenario.outcome.escalate else report.ok and await incidents_resolved()):
                    break
                assert time.monotonic() < wall_deadline, f"{name}: not fixed in time: {report.problems}; actions {[a.to_json() for a in engine.audit.list()]}"
                await asyncio.sleep(0.1)
            await runner.idle()
            actions = [a.to_json() for a in engine.audit.list(limit=1000)]
            assert run.violations(actions) == []
            executed = [a for a in actions if a["executed"]]
            assert all(a["namespace"] not in ("kube-system", "argocd", "openclaw") for a in executed)
            allowed = {a["target"] for a in executed} | {f"Job/{a['namespace']}/{j}" for a in executed for j in a["details"].get("jobs", [])}
            assert seen.changed <= allowed, f"changes no action explains: {seen.changed - allowed}"
            if not scenario.outcome.escalate:
                assert executed, f"{name}: fixed without any action?"
                assert all(a["verification"] == "passed" for a in executed), executed
    finally:
        await sandbox.stop()
