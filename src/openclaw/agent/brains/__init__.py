"""Model providers behind one `Brain` protocol, and the choice of which one runs."""

from __future__ import annotations

from collections.abc import Mapping

from openclaw.agent.brains.base import Brain, BrainError
from openclaw.agent.brains.fallback import FallbackBrain
from openclaw.agent.brains.offline import OFFLINE_NOTICE, OfflineBrain, is_offline
from openclaw.config.schema import BUILTIN_PROVIDER_APIS, ModelApi, ModelProvider, Settings
from openclaw.errors import ConfigError

__all__ = ["OFFLINE_NOTICE", "Brain", "BrainError", "FallbackBrain", "OfflineBrain", "is_offline", "parse_model_ref", "select_brain"]

DEFAULT_ANTHROPIC_MODEL = "anthropic/claude-sonnet-4-5"
OFFLINE_PROVIDERS = ("none", "offline")
# Providers usable without a models.providers entry: their wire format (from the schema, which
# also gives it to an entry of the same id) and key variable.
_BUILTIN: dict[str, tuple[ModelApi, str | None, str | None]] = {
    "anthropic": (BUILTIN_PROVIDER_APIS["anthropic"], None, "ANTHROPIC_API_KEY"),
    "openai": (BUILTIN_PROVIDER_APIS["openai"], None, "OPENAI_API_KEY"),
    "ollama": (BUILTIN_PROVIDER_APIS["ollama"], "http://127.0.0.1:11434/v1", None),
}


def parse_model_ref(ref: str, key: str = "agents.defaults.model.primary") -> tuple[str, str]:
    """Split `provider/model`; raises ConfigError naming `key` when malformed."""
    provider, sep, model = ref.partition("/")
    if not sep or not provider or not model:
        raise ConfigError(f"{key}: expected provider/model (e.g. anthropic/claude-sonnet-4-5), got {ref!r}")
    return provider, model


def select_brain(settings: Settings, env: Mapping[str, str]) -> Brain:
    """The configured brain: primary plus fallbacks, or offline when no model is configured."""
    model_cfg = settings.agents.defaults.model
    primary = model_cfg.primary
    if primary is None:
        primary = DEFAULT_ANTHROPIC_MODEL if env.get("ANTHROPIC_API_KEY") else "none/offline"
    refs = [(primary, "agents.defaults.model.primary")] + [
        (ref, f"agents.defaults.model.fallbacks[{i}]") for i, ref in enumerate(model_cfg.fallbacks)
    ]
    parsed = [(*parse_model_ref(ref, key), key) for ref, key in refs]  # every reference is checked, used or not
    chain: list[Brain] = []
    for provider, model, key in parsed:
        if provider in OFFLINE_PROVIDERS:
            if not chain:
                return OfflineBrain()
            continue
        chain.append(_build(settings, env, provider, model, key))
    return chain[0] if len(chain) == 1 else FallbackBrain(tuple(chain))


def _build(settings: Settings, env: Mapping[str, str], provider: str, model: str, key: str) -> Brain:
    cfg = settings.models.providers.get(provider)
    if cfg is None:
        if provider not in _BUILTIN:
            known = ", ".join(sorted({*settings.models.providers, *_BUILTIN}))
            raise ConfigError(f"{key}: provider {provider!r} is not in models.providers (known: {known}, or none for offline)")
        api, base_url, _ = _BUILTIN[provider]
        cfg = ModelProvider(api=api, base_url=base_url)
    key_var = _BUILTIN.get(provider, ("", None, None))[2]
    api_key = cfg.api_key or (env.get(key_var) if key_var else None)
    definition = next((m for m in cfg.models if m.id == model), None)
    window = settings.agents.defaults.context_window or (definition.context_window if definition else
                                                         (200_000 if cfg.api == "anthropic-messages" else 32_768))
    if cfg.api == "anthropic-messages":
        if not api_key:
            raise ConfigError(f"{key}: model {provider}/{model} needs ANTHROPIC_API_KEY or models.providers.{provider}.apiKey")
        from openclaw.agent.brains import anthropic

        return anthropic.build(provider, model, api_key=api_key, base_url=cfg.base_url, max_retries=cfg.max_retries,
                               timeout=cfg.timeout_seconds, window=window)
    if not cfg.base_url and provider != "openai":
        raise ConfigError(f"{key}: models.providers.{provider}.baseUrl is required for an OpenAI-compatible endpoint")
    from openclaw.agent.brains import openai_compat

    return openai_compat.build(provider, model, api_key=api_key, base_url=cfg.base_url, max_retries=cfg.max_retries,
                               timeout=cfg.timeout_seconds, window=window)
