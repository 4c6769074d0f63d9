"""Start-up refusals of the webhook settings, and the capability wiring of a prepared gateway."""

from __future__ import annotations

from pathlib import Path

import pytest

from openclaw.config import store as config_store
from openclaw.config.schema import Settings
from openclaw.errors import ConfigError
from openclaw.events import events_of
from openclaw.events.capability import check_hook_settings
from openclaw.gateway import server
from openclaw.incidents import incidents_of


def test_the_hook_token_must_differ_from_the_gateway_token() -> None:
    same = Settings.model_validate({"gateway": {"auth": {"token": "x" * 40}}, "hooks": {"token": "x" * 40}})
    with pytest.raises(ConfigError) as info:
        check_hook_settings(same)
    assert "hooks.token" in str(info.value) and "gateway.auth.token" in str(info.value)
    check_hook_settings(Settings.model_validate({"gateway": {"auth": {"token": "x" * 40}}, "hooks": {"token": "y" * 40}}))


def test_another_hooks_path_is_refused_rather_than_ignored() -> None:
    with pytest.raises(ConfigError, match="hooks.path"):
        check_hook_settings(Settings.model_validate({"hooks": {"path": "/webhooks"}}))


def test_prepare_refuses_equal_tokens(state_dir: Path) -> None:
    config_store.set_value(state_dir, "gateway.auth.token", "s" * 43)
    config_store.set_value(state_dir, "hooks.token", "s" * 43)
    with pytest.raises(ConfigError, match="hooks.token"):
        server.prepare(state_dir)


def test_prepare_installs_events_and_incidents_with_their_methods(state_dir: Path) -> None:
    plan = server.prepare(state_dir)
    services = plan.services
    assert events_of(services).db.path == state_dir / "events.db"
    assert incidents_of(services).events is events_of(services)
    assert {"incidents.list", "incidents.get"} <= set(services.methods.names())
    assert "events" in services.readiness
