"""Which brain runs: provider/model references, the Anthropic default, offline, fallbacks, and
config errors that name the key."""

from __future__ import annotations

import pytest

from openclaw.agent.brains import FallbackBrain, OfflineBrain, select_brain
from openclaw.agent.brains.anthropic import AnthropicBrain
from openclaw.agent.brains.openai_compat import OpenAICompatBrain
from openclaw.config.schema import Settings
from openclaw.errors import ConfigError


def settings(**agents: object) -> Settings:
    return Settings.model_validate({"agents": {"defaults": agents}} if agents else {})


def test_no_model_and_no_key_is_offline() -> None:
    assert isinstance(select_brain(settings(), {}), OfflineBrain)


def test_anthropic_is_the_default_when_its_key_is_set() -> None:
    brain = select_brain(settings(), {"ANTHROPIC_API_KEY": "sk-ant-test"})
    assert isinstance(brain, AnthropicBrain) and brain.model_id == "anthropic/claude-sonnet-4-5"
    assert brain.client.api_key == "sk-ant-test" and brain.context_window == 200_000


def test_an_openai_compatible_provider_uses_its_base_url_and_model_window() -> None:
    s = Settings.model_validate({
        "models": {"providers": {"ollama": {"baseUrl": "http://ollama.media.svc:11434/v1", "models": [{"id": "qwen3:8b", "contextWindow": 40960}]}}},
        "agents": {"defaults": {"model": {"primary": "ollama/qwen3:8b", "fallbacks": ["anthropic/claude-haiku-4-5"]}}},
    })
    brain = select_brain(s, {"ANTHROPIC_API_KEY": "k"})
    assert isinstance(brain, FallbackBrain)
    first, second = brain.chain
    assert isinstance(first, OpenAICompatBrain) and str(first.client.base_url).startswith("http://ollama.media.svc:11434/v1")
    assert first.model == "qwen3:8b" and first.context_window == 40960
    assert isinstance(second, AnthropicBrain) and second.model == "claude-haiku-4-5"


@pytest.mark.parametrize(("primary", "message"), [
    ("claude-sonnet", "agents.defaults.model.primary: expected provider/model"),
    ("mystery/model-1", "provider 'mystery' is not in models.providers"),
    ("anthropic/claude-sonnet-4-5", "needs ANTHROPIC_API_KEY or models.providers.anthropic.apiKey"),
])
def test_config_problems_name_the_key(primary: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        select_brain(settings(model={"primary": primary}), {})


def test_a_bad_fallback_names_its_index() -> None:
    with pytest.raises(ConfigError, match=r"agents.defaults.model.fallbacks\[0\]"):
        select_brain(settings(model={"primary": "none/offline", "fallbacks": ["oops"]}), {})


def test_unknown_agent_keys_are_rejected_by_the_schema() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="maxStep"):
        Settings.model_validate({"agents": {"defaults": {"limits": {"maxStep": 3}}}})


def test_a_model_change_in_the_config_takes_effect_without_a_restart(state_dir: object) -> None:
    from pathlib import Path

    from openclaw.agent import agent_of
    from openclaw.config import store
    from openclaw.gateway import server

    sdir = Path(str(state_dir))
    services = server.prepare(sdir).services
    agent = agent_of(services)
    assert isinstance(agent.runtime.brain, OfflineBrain)
    store.set_value(sdir, "models.providers.vllm", {"baseUrl": "http://127.0.0.1:9/v1"})
    store.set_value(sdir, "agents.defaults.model.primary", "vllm/qwen3-32b")
    changed = services.config.reload()
    assert "agents.defaults.model.primary" in changed and services.config.pending_restart == []
    assert agent.runtime.brain.model_id == "vllm/qwen3-32b" and agent.model_problem is None
    store.set_value(sdir, "agents.defaults.model.primary", "anthropic/claude-sonnet-4-5")
    services.config.reload()
    assert isinstance(agent.runtime.brain, OfflineBrain)
    assert agent.model_problem is not None and "ANTHROPIC_API_KEY" in agent.model_problem
