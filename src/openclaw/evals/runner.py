"""Runs many scenarios, each in its own process (a sandbox and a gateway per scenario), as many at
once as asked; a process that dies or hangs is a failed row with its reason, never a lost one."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openclaw.evals.one import ScenarioEval
from openclaw.sandbox import scenario as scenarios

STARTUP_ALLOWANCE_S = 120.0  # wall seconds beyond the scenario's own simulated time, for start-up and a busy machine


def wall_limit(path: Path, speed: float) -> float:
    loaded = scenarios.load(path)
    return (max(f.at for f in loaded.faults) + loaded.outcome.within) / speed + STARTUP_ALLOWANCE_S


async def run_one_process(path: Path, *, speed: float, config: dict[str, Any]) -> ScenarioEval:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "openclaw.evals.one", str(path), "--speed", str(speed), "--config", json.dumps(config),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=wall_limit(path, speed))
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return ScenarioEval(path.stem, path.name, False, [f"no verdict within {wall_limit(path, speed):.0f} wall seconds"], error="timeout")
    lines = [line for line in out.decode(errors="replace").splitlines() if line.startswith("{")]
    if not lines:
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        return ScenarioEval(path.stem, path.name, False, [f"the run exited {proc.returncode} without a verdict: {' | '.join(tail)[:400]}"], error="crashed")
    return ScenarioEval.from_json(json.loads(lines[-1]))


async def run_all(paths: list[Path], *, speed: float, jobs: int, config: dict[str, Any] | None = None,
                  on_done: Callable[[ScenarioEval], None] | None = None) -> list[ScenarioEval]:
    """Every scenario's row, in the order of `paths`."""
    gate = asyncio.Semaphore(max(1, jobs))

    async def one(path: Path) -> ScenarioEval:
        async with gate:
            row = await run_one_process(path, speed=speed, config=config or {})
        if on_done is not None:
            on_done(row)
        return row

    return list(await asyncio.gather(*(one(p) for p in paths)))
