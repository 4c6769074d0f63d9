"""Shared fixtures. Tests never touch the real ~/.openclaw: every test gets its own state dir."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Keys a model provider client would pick up from the environment. With one set, a gateway started
# by any test (in-process or a subprocess, which inherits this environment) would choose a real
# model. They are dropped once, before any fixture runs, so no test can ever reach a real provider.
PROVIDER_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL")
for _var in PROVIDER_ENV:
    os.environ.pop(_var, None)


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh state dir, also exported as OPENCLAW_STATE_DIR; no seed config unless a test sets one."""
    sdir = tmp_path / "state"
    monkeypatch.setenv("OPENCLAW_STATE_DIR", str(sdir))
    monkeypatch.delenv("OPENCLAW_SEED_CONFIG", raising=False)
    monkeypatch.delenv("OPENCLAW_GATEWAY_TOKEN", raising=False)
    monkeypatch.delenv("OPENCLAW_GATEWAY_PORT", raising=False)
    return sdir


def _children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry.name))
    return out


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_suite() -> Iterator[None]:
    """A test that fails between starting a gateway subprocess and stopping it must not leave it
    running after the run (it would hold ports and files, and CI output, open)."""
    yield
    import signal

    for pid in _children_of(os.getpid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
