"""The type check the style guide asks for: `mypy --strict` over src/openclaw, as pyproject.toml configures it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(360)
def test_mypy_strict_passes_on_src() -> None:
    # Run from the repo root so mypy reads [tool.mypy] from pyproject.toml (files, plugins, overrides);
    # the incremental cache is the default .mypy_cache there, shared with a developer's own runs.
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-color-output"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 0, f"mypy --strict found problems:\n{report}"


@pytest.mark.slow
@pytest.mark.timeout(360)
def test_mypy_flags_a_runbook_or_agent_tool_that_calls_a_write_method(tmp_path: Path) -> None:
    # Runbooks and the agent get a KubeReader: a write is a type error before it is a runtime refusal.
    offender = tmp_path / "offending_runbook.py"
    offender.write_text(
        "from openclaw.agent.capabilities import kube_of\n"
        "from openclaw.core.slots import Slots\n"
        "from openclaw.ops.refs import ObjectRef\n"
        "from openclaw.runbooks.registry import RunContext\n\n\n"
        "async def restart_by_hand(ctx: RunContext) -> None:\n"
        "    await ctx.client.delete(ObjectRef('Pod', 'web-1', 'media'), approval=None, action='pod.delete')\n\n\n"
        "async def tool(caps: Slots) -> None:\n"
        "    await kube_of(caps).patch(ObjectRef('Node', 'w1'), {}, approval=None, action='node.cordon')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-color-output", "--follow-imports=silent", str(offender)],
        cwd=REPO, capture_output=True, text=True, timeout=300, env={**os.environ, "MYPYPATH": str(REPO / "src")},
    )
    report = proc.stdout + proc.stderr
    assert proc.returncode == 1, report
    assert '"KubeReader" has no attribute "delete"' in report, report
    assert '"KubeReader" has no attribute "patch"' in report, report
