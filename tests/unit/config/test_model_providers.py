"""A provider entry named like a built-in provider keeps its wire format; doctor and config
validate flag an entry whose `api` does not match the provider or the host it names."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from openclaw.agent.brains import select_brain
from openclaw.agent.brains.anthropic import AnthropicBrain
from openclaw.cli.main import app
from openclaw.config import layers, store


def test_setting_only_the_base_url_of_anthropic_keeps_the_anthropic_wire_format(state_dir: Path) -> None:
    store.set_value(state_dir, "models.providers.anthropic.baseUrl", "http://llm-proxy.lan:8080")
    settings = layers.load(state_dir).settings
    assert settings.models.providers["anthropic"].api == "anthropic-messages"
    store.set_value(state_dir, "agents.defaults.model.primary", "anthropic/claude-sonnet-4-5")
    brain = select_brain(layers.load(state_dir).settings, {"ANTHROPIC_API_KEY": "sk-ant-test"})
    assert isinstance(brain, AnthropicBrain) and str(brain.client.base_url).startswith("http://llm-proxy.lan:8080")
    assert json.loads((state_dir / "openclaw.json").read_text())["models"] == {
        "providers": {"anthropic": {"baseUrl": "http://llm-proxy.lan:8080"}}
    }  # the inherited format is not written to the file


def test_other_provider_ids_still_default_to_openai_completions(state_dir: Path) -> None:
    store.set_value(state_dir, "models.providers.vllm.baseUrl", "http://vllm.lan:8000/v1")
    assert layers.load(state_dir).settings.models.providers["vllm"].api == "openai-completions"


def test_config_validate_and_doctor_flag_a_mismatched_api(state_dir: Path) -> None:
    store.set_value(state_dir, "models.providers.anthropic", {"baseUrl": "https://api.anthropic.com", "api": "openai-completions"})
    store.set_value(state_dir, "models.providers.claude", {"baseUrl": "https://api.anthropic.com/v1"})
    runner = CliRunner()
    validate = runner.invoke(app, ["config", "validate", "--json"])
    assert validate.exit_code == 0, validate.output
    warnings = json.loads(validate.stdout)["warnings"]
    assert any("models.providers.anthropic.api is 'openai-completions'" in w and "anthropic-messages" in w for w in warnings), warnings
    assert any("models.providers.claude.api" in w and "baseUrl https://api.anthropic.com/v1" in w for w in warnings), warnings
    doctor = runner.invoke(app, ["doctor", "--json"])
    flagged = [c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "model providers"]
    assert [c["status"] for c in flagged] == ["warn", "warn"], flagged
    assert "openclaw config set models.providers.anthropic.api anthropic-messages" in flagged[0]["detail"]


def test_a_matching_api_is_not_flagged(state_dir: Path) -> None:
    store.set_value(state_dir, "models.providers.anthropic.baseUrl", "http://llm-proxy.lan:8080")
    doctor = CliRunner().invoke(app, ["doctor", "--json"])
    assert [c["status"] for c in json.loads(doctor.stdout)["checks"] if c["name"] == "model providers"] == ["ok"]
