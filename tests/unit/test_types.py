"""The type check the style guide asks for: `mypy --strict` over src/openclaw, as pyproject.toml configures it."""

from __future__ import annotations

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
