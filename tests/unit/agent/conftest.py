"""Agent unit-test fixtures: a scripted brain, a runtime on a fresh state dir, and the guard that
keeps every test away from real model providers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openclaw.core.slots import Slots
from openclaw.agent.brains.scripted import Script, ScriptedBrain
from openclaw.agent.runtime import AgentRuntime
from openclaw.config.schema import Settings


@pytest.fixture(autouse=True)
def no_model_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    for var in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("test guard: unit tests open no sockets (no real model requests)")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def settings_holder() -> dict[str, Settings]:
    return {"settings": Settings()}


@pytest.fixture
def make_runtime(state_dir: Path, settings_holder: dict[str, Settings]) -> Callable[..., AgentRuntime]:
    def make(script: Script, *, capabilities: Slots | None = None, window: int = 200_000, **overrides: Any) -> AgentRuntime:
        if overrides:
            settings_holder["settings"] = Settings.model_validate(overrides)
        brain = ScriptedBrain(script, window=window)
        return AgentRuntime(state_dir, lambda: settings_holder["settings"], brain, env={}, capabilities=capabilities or Slots())

    return make
