"""End-to-end fixtures shared by every e2e test."""

from __future__ import annotations

import pytest

# Keys a model provider client would pick up from the environment. With one set, a gateway started
# by any e2e test would choose a real model and escalated incidents would reach it.
PROVIDER_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL")


@pytest.fixture(autouse=True)
def no_model_provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """No e2e test ever talks to a real model provider: their keys are not visible to it."""
    for var in PROVIDER_ENV:
        monkeypatch.delenv(var, raising=False)
