"""Shared fixtures. Tests never touch the real ~/.openclaw: every test gets its own state dir."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh state dir, also exported as OPENCLAW_STATE_DIR; no seed config unless a test sets one."""
    sdir = tmp_path / "state"
    monkeypatch.setenv("OPENCLAW_STATE_DIR", str(sdir))
    monkeypatch.delenv("OPENCLAW_SEED_CONFIG", raising=False)
    monkeypatch.delenv("OPENCLAW_GATEWAY_TOKEN", raising=False)
    monkeypatch.delenv("OPENCLAW_GATEWAY_PORT", raising=False)
    return sdir
