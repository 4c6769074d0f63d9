"""One scenario, end to end, in this process: a fresh state dir, the sandbox homelab, an embedded
gateway wired to it (webhooks, kubeconfig, the simulated clock), the scenario played and judged.

Run by the eval runner as `python -m openclaw.evals.one SCENARIO --speed S [--config JSON]`, which
prints one JSON object (the `ScenarioEval`) on stdout, so scenarios run in parallel processes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HOOKS_TOKEN = "eval-hooks-token-0123456789abcdef"
# Simulated seconds run fast: a sandbox sharing a busy CPU falls behind its clock, so a rollout that
# takes 5 simulated seconds on an idle machine can take 100 on a loaded one. Verification gets ten
# simulated minutes (2 wall seconds at x300) unless the given config says otherwise.
DEFAULTS: dict[str, Any] = {"ops.verifyTimeout": 600}


@dataclass
class ScenarioEval:
    """What one scenario's run came to; the report's row."""

    name: str
    file: str
    passed: bool
    problems: list[str] = field(default_factory=list)
    time_to_fix_s: float | None = None  # simulated seconds from the first fault to the verdict
    wall_s: float = 0.0
    actions: dict[str, int] = field(default_factory=dict)  # executed actions per kind
    forbidden: int = 0
    escalations: int = 0
    reports: int = 0
    fixes: int = 0
    model_runs: int = 0  # agent turns that left a finding
    tokens: int = 0
    cost_usd: float = 0.0
    error: str | None = None
    brain: str = "offline"  # the agent's model, as the gateway installed it

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScenarioEval:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


async def run_scenario(path: Path, *, speed: float, config: dict[str, Any] | None = None) -> ScenarioEval:
    from openclaw.agent.capability import AGENT
    from openclaw.config import store as config_store
    from openclaw.evals.operator import stand_in
    from openclaw.gateway.embedded import run_embedded
    from openclaw.incidents import incidents_of
    from openclaw.media.capability import MEDIA_ENDPOINTS
    from openclaw.ops.clock import CLOCK
    from openclaw.sandbox.embedded import media_endpoints
    from openclaw.policy.capability import policy_of
    from openclaw.runbooks.capability import runbooks_of
    from openclaw.sandbox import scenario as scenarios
    from openclaw.sandbox.runtime import Sandbox, SandboxOptions

    started = time.monotonic()
    loaded = scenarios.load(path)
    with tempfile.TemporaryDirectory(prefix="openclaw-eval-") as tmp:
        state = Path(tmp)
        kubeconfig = state / "sandbox" / "kubeconfig"
        sandbox = Sandbox(SandboxOptions(speed=speed, kubeconfig=kubeconfig))
        await sandbox.start()
        try:
            config_store.set_value(state, "hooks.token", HOOKS_TOKEN)
            config_store.set_value(state, "ops.kube.kubeconfig", str(kubeconfig))
            for key, value in {**DEFAULTS, **(config or {})}.items():
                config_store.set_value(state, key, value)
            # The media apps are offered before the gateway starts: its media capability builds its clients then.
            async with run_embedded(state, install=[lambda services: services.put(MEDIA_ENDPOINTS, media_endpoints(sandbox))]) as gw:
                services = gw.services
                services.put(CLOCK, sandbox.clock)  # verification in simulated seconds
                sandbox.send_webhooks_to(f"{gw.http_url}/hooks", HOOKS_TOKEN)
                engine, incidents = policy_of(services), incidents_of(services)
                while engine.backends.kube is None and time.monotonic() - started < 30:
                    await asyncio.sleep(0.02)
                await scenarios.settle(sandbox)
                run = scenarios.ScenarioRun(loaded, sandbox)
                run.install()
                operator = asyncio.create_task(stand_in(engine, loaded.operator.approves), name="eval.operator")

                def actions() -> list[dict[str, Any]]:
                    return [a.to_json() for a in engine.audit.list(limit=1000)]

                async def incident_list() -> list[dict[str, Any]]:
                    found = [await incidents.get(i.id) for i in await incidents.list(limit=500)]  # with their alerts
                    return [i.to_json() for i in found if i is not None]

                async def note_list() -> list[dict[str, Any]]:
                    return [n.to_json() for n in await incidents.list_notes(limit=1000)]

                try:
                    result = await scenarios.judge(run, actions, incidents=incident_list, notes=note_list)
                finally:
                    operator.cancel()
                    await asyncio.gather(operator, return_exceptions=True)
                await runbooks_of(services).stop()
                row = summarize(loaded.name, path, result, actions(), await note_list(), first_fault=min(f.at for f in loaded.faults),
                                wall_s=time.monotonic() - started)
                agent = services.find(AGENT)
                row.brain = agent.runtime.brain.model_id if agent is not None else "offline"
                return row
        finally:
            await sandbox.stop()


def summarize(name: str, path: Path, result: Any, actions: list[dict[str, Any]], notes: list[dict[str, Any]], *, first_fault: float, wall_s: float) -> ScenarioEval:
    executed = [a for a in actions if a.get("executed")]
    per_kind: dict[str, int] = {}
    for a in executed:
        per_kind[str(a["kind"])] = per_kind.get(str(a["kind"]), 0) + 1
    # Runbooks leave findings too (the media ladder's evidence): only the agent's are model runs.
    findings = [n for n in notes if n.get("kind") == "finding" and str(n.get("author", "")).startswith("agent:")]
    problems = result.expectations.problems + result.outcome.problems + result.violations
    return ScenarioEval(
        name=name, file=path.name, passed=result.ok, problems=problems,
        time_to_fix_s=round(max(0.0, result.elapsed - first_fault), 1) if result.ok else None, wall_s=round(wall_s, 1),
        actions=per_kind, forbidden=len(result.violations),
        escalations=sum(1 for n in notes if n.get("kind") == "escalation"), reports=sum(1 for n in notes if n.get("kind") == "report"),
        fixes=sum(1 for n in notes if n.get("kind") == "fix"), model_runs=len(findings),
        tokens=sum(int(((n.get("data") or {}).get("usage") or {}).get("total", 0)) for n in findings),
        cost_usd=round(sum(float((n.get("data") or {}).get("costUsd") or 0.0) for n in findings), 6),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m openclaw.evals.one")
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--speed", type=float, default=300.0)
    parser.add_argument("--config", default="{}", help="JSON object of config keys for the fresh gateway (models, agents...)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the verdict is the output; the gateway's logs would drown it
    try:
        outcome = asyncio.run(run_scenario(args.scenario, speed=args.speed, config=json.loads(args.config)))
    except Exception as exc:  # a crashed run is a failed row with its reason, never a lost one
        outcome = ScenarioEval(args.scenario.stem, args.scenario.name, False, [f"run failed: {type(exc).__name__}: {exc}"], error=type(exc).__name__)
    sys.stdout.write(json.dumps(outcome.to_json()) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
