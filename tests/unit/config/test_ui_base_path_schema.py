"""`gateway.controlUi.basePath`: what the schema accepts, how it is normalised, how a refusal
reads, and that a change is reported as needing a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from openclaw.config import layers, store
from openclaw.config.schema import ControlUiSettings
from openclaw.errors import ConfigError
from openclaw.core.config_holder import ConfigHolder, needs_restart

FIELD = "gateway.controlUi.basePath"


@pytest.mark.parametrize(
    ("given", "stored"),
    [("/", "/"), ("/openclaw", "/openclaw"), ("/openclaw/", "/openclaw"), ("/apps/open-claw_2.0~x/", "/apps/open-claw_2.0~x"), ("/hooksy", "/hooksy"), ("/ui", "/ui")],
)
def test_accepted_paths_are_kept_without_a_trailing_slash(given: str, stored: str) -> None:
    assert ControlUiSettings(basePath=given).base_path == stored


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("openclaw", "does not start with '/'"),
        ("", "does not start with '/'"),
        (" /openclaw", "does not start with '/'"),
        ("/open claw", "segment 'open claw'"),
        ("/openclaw\t", "segment 'openclaw\\t'"),
        ("/openclaw?x=1", "segment 'openclaw?x=1'"),
        ("/openclaw#top", "segment 'openclaw#top'"),
        ("/a/../b", "segment '..'"),
        ("/a/./b", "segment '.'"),
        ("/a//b", "segment ''"),
        ("/open%20claw", "segment 'open%20claw'"),
    ],
)
def test_malformed_paths_are_refused_saying_what_was_expected(given: str, said: str) -> None:
    with pytest.raises(ValidationError) as err:
        ControlUiSettings(basePath=given)
    message = str(err.value)
    assert "basePath" in message and said in message
    assert "expected '/' or a URL path such as /openclaw" in message


@pytest.mark.parametrize(
    ("given", "reserved"),
    [("/hooks", "/hooks"), ("/hooks/", "/hooks"), ("/hooks/ui", "/hooks"), ("/healthz", "/healthz"), ("/health", "/health"), ("/readyz", "/readyz"), ("/ready/x", "/ready"), ("/metrics", "/metrics"), ("/ws", "/ws"), ("/ws/ui", "/ws")],
)
def test_paths_on_or_under_the_gateways_own_are_refused(given: str, reserved: str) -> None:
    with pytest.raises(ValidationError) as err:
        ControlUiSettings(basePath=given)
    assert f"collides with the gateway's own {reserved}:" in str(err.value)


def test_a_refused_value_names_the_dotted_key_and_keeps_the_accepted_one(state_dir: Path) -> None:
    store.set_value(state_dir, FIELD, "/openclaw/")
    with pytest.raises(ConfigError) as err:
        store.set_value(state_dir, FIELD, "/metrics")
    assert f"{FIELD}:" in str(err.value) and "/metrics" in str(err.value)
    assert layers.load(state_dir).settings.gateway.control_ui.base_path == "/openclaw"


def test_a_base_path_change_is_reported_as_needing_a_restart(state_dir: Path) -> None:
    assert needs_restart([FIELD]) == [FIELD]
    holder = ConfigHolder(layers.load(state_dir), seed_path=None)
    store.set_value(state_dir, FIELD, "/openclaw")
    assert FIELD in holder.reload()
    assert holder.pending_restart == [FIELD]
    # Its neighbours still apply live.
    store.set_value(state_dir, "gateway.controlUi.allowedOrigins", ["https://home.lan"])
    assert "gateway.controlUi.allowedOrigins" in holder.reload()
    assert holder.pending_restart == [FIELD]


def test_the_reserved_paths_cover_everything_the_gateway_serves_at_the_root() -> None:
    from starlette.routing import Route, WebSocketRoute

    from openclaw.config.schema import CONTROL_UI_RESERVED_PATHS, HooksSettings
    from openclaw.gateway.app import routes

    own = {r.path for r in routes() if isinstance(r, (Route, WebSocketRoute))} - {"/"}
    assert own and own <= set(CONTROL_UI_RESERVED_PATHS)
    assert HooksSettings().path in CONTROL_UI_RESERVED_PATHS


def test_with_reload_off_no_change_applies_until_a_restart(state_dir: Path) -> None:
    store.set_value(state_dir, "gateway.reload.mode", "off")
    holder = ConfigHolder(layers.load(state_dir), seed_path=None)
    seen: list[object] = []
    holder.on_change(lambda old, new: seen.append(new))
    store.set_value(state_dir, "gateway.controlUi.allowedOrigins", ["https://home.lan"])
    assert holder.reload() == ["gateway.controlUi.allowedOrigins"]
    assert holder.settings.gateway.control_ui.allowed_origins == []  # the running config is kept
    assert holder.pending_restart == ["gateway.controlUi.allowedOrigins"] and seen == []
    holder.refresh()  # the file's new mtime was taken: no reload loop
    assert seen == []
