"""Start-up refusals of the webhook settings, and the capability wiring of a prepared gateway."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

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


@pytest.mark.parametrize("value", ["/hooks", "/hooks/", "/api/hooks", "/web-hooks_v2"])
def test_a_hooks_path_is_a_prefix_without_trailing_slash(value: str) -> None:
    settings = Settings.model_validate({"hooks": {"path": value}})
    assert settings.hooks.path == value.rstrip("/")
    check_hook_settings(settings)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("hooks", "does not start with '/'"),
        ("/", "'/' would put webhooks over the Control UI"),
        ("/a b", "segment 'a b'"),
        ("/hooks/../metrics", "segment '..'"),
        ("/hooks?x=1", "segment 'hooks?x=1'"),
        ("//hooks", "segment ''"),
        ("/metrics", "collides with the gateway's own /metrics"),
        ("/healthz/hooks", "collides with the gateway's own /healthz"),
    ],
)
def test_a_hooks_path_that_cannot_be_served_is_refused_naming_the_field(value: str, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings.model_validate({"hooks": {"path": value}})
    error = info.value.errors()[0]
    assert error["loc"] == ("hooks", "path")
    assert reason in error["msg"] and "expected a URL path prefix" in error["msg"]


@pytest.mark.parametrize(
    ("hooks_path", "base_path"),
    [("/openclaw", "/openclaw/"), ("/openclaw", "/openclaw/ui"), ("/openclaw/ui", "/openclaw"), ("/openclaw/ui/js", "/openclaw"), ("/ui", "/")],
)
def test_a_hooks_path_over_the_control_ui_is_refused_naming_both_keys(hooks_path: str, base_path: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings.model_validate({"hooks": {"path": hooks_path}, "gateway": {"controlUi": {"basePath": base_path}}})
    error = info.value.errors()[0]
    assert error["loc"] == ("hooks",)
    assert "hooks.path" in error["msg"] and "gateway.controlUi.basePath" in error["msg"]


@pytest.mark.parametrize(("hooks_path", "base_path"), [("/openclaw/hooks", "/openclaw"), ("/hooks", "/openclaw"), ("/uix", "/"), ("/api/ui", "/")])
def test_a_hooks_path_beside_the_control_ui_is_accepted(hooks_path: str, base_path: str) -> None:
    settings = Settings.model_validate({"hooks": {"path": hooks_path}, "gateway": {"controlUi": {"basePath": base_path}}})
    assert settings.hooks.path == hooks_path
