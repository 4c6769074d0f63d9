"""`bench/agent_hooks.py` still runs end to end: the gateway acks every agent hook, every turn ends,
the default bound refuses what is over it, and the index figures are printed for each size."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "agent_hooks.py"


def test_agent_hooks_bench_runs_and_every_turn_ends() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--events", "40", "--sizes", "10,100", "--updates", "2", "--no-write"],
                          capture_output=True, text=True, timeout=110, cwd=BENCH.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    bounded = json.loads(lines[0].removeprefix("this tree "))
    assert bounded["accepted"] == 40 and bounded["refused"] == 0 and bounded["probes"] > 0
    default = json.loads(lines[1].removeprefix("this tree, default bound "))
    assert default["accepted"] + default["refused"] == 40 and default["accepted"] >= 16  # 429s only past the bound
    assert [line.split(" sessions")[0] for line in lines[2:]] == ["10", "100"]
