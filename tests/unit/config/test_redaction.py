"""Redaction derived from the schema: what the types say, what key names say where the schema is
silent, and error messages that never quote a secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from openclaw.config import layers
from openclaw.config.redaction import REDACTED, is_secret_path, redact, secret_paths, secret_values
from openclaw.config.schema import Settings
from openclaw.config.secrecy import NotSecret, Secret, name_says_secret
from openclaw.errors import ConfigError


def undecided_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Fields of the schema (sub-models included) whose name sounds like a secret and whose type
    can hold text but says neither `Secret` nor `NotSecret`."""
    from openclaw.config.redaction import _field_type, _item, _may_hold_text, _model

    out: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{info.alias or name}"
        child = _model(info.annotation) or _model(_item(info.annotation)[0])
        if child is not None:
            out += undecided_fields(child, path + ".")
        elif name_says_secret(info.alias or name) and _may_hold_text(info.annotation) and _field_type(info)[1] is None and _item(info.annotation)[1] is None:
            out.append(path)
    return out


def test_every_schema_field_named_like_a_secret_says_whether_it_is_one() -> None:
    """A new `fooToken: str` field must be typed `Secret` (or `NotSecret`, saying why), so the
    schema stays the one place that decides."""
    assert undecided_fields(Settings) == []

    class Careless(BaseModel):
        bot_token: str | None = None
        max_tokens: int = 1
        webhook_secret: Secret | None = None
        session_key: NotSecret = "hook:x"

    assert undecided_fields(Careless) == ["bot_token"]


def test_the_schema_types_decide_and_names_decide_where_the_schema_is_silent() -> None:
    tree = {
        "gateway": {"auth": {"token": "gw-token", "mode": "token"}, "port": 18789},
        "hooks": {"token": "hook-token", "mappings": [{"match": {"path": "gitea"}, "sessionKey": "hook:gitea"}]},
        "env": {"OPENAI_API_KEY": "sk-1", "TZ": "UTC", "EMPTY": ""},
        "models": {"providers": {"keystone": {"apiKey": "pk", "baseUrl": "http://x"}}},
        "channels": {"slack": {"botToken": "xoxb", "signingSecret": "sig", "channel": "#ops", "tokens": ["a", "b"], "maxTokens": 5}},
        "meta": {"db_password": "pw", "owner": "ops"},
    }
    shown = redact(tree)
    assert shown["gateway"]["auth"] == {"token": REDACTED, "mode": "token"}
    assert shown["hooks"]["token"] == REDACTED
    assert shown["hooks"]["mappings"][0]["sessionKey"] == "hook:gitea"  # typed NotSecret: a name
    assert shown["env"] == {"OPENAI_API_KEY": REDACTED, "TZ": REDACTED, "EMPTY": ""}  # every env value; unset stays unset
    # A provider named "keystone" is a map entry typed as a model: its fields decide, not its name.
    assert shown["models"]["providers"]["keystone"] == {"apiKey": REDACTED, "baseUrl": "http://x"}
    assert shown["channels"]["slack"] == {"botToken": REDACTED, "signingSecret": REDACTED, "channel": "#ops", "tokens": [REDACTED, REDACTED], "maxTokens": 5}
    assert shown["meta"] == {"db_password": REDACTED, "owner": "ops"}
    assert tree["env"]["OPENAI_API_KEY"] == "sk-1"  # the input is left alone
    assert set(secret_values(tree)) == {"gw-token", "hook-token", "sk-1", "UTC", "pk", "xoxb", "sig", "a", "b", "pw"}
    assert "env.OPENAI_API_KEY" in secret_paths(tree) and "channels.slack.tokens[1]" in secret_paths(tree)


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        (("gateway", "auth", "token"), True),
        (("gateway", "auth", "token", "str"), True),  # a union member pydantic names in the location
        (("env", "ANY_NAME"), True),
        (("env",), True),  # a scalar where the map of secrets belongs
        (("models", "providers", "x", "apiKey"), True),
        (("media", "radarr", "apiKey"), True),
        (("hooks", "mappings", 4, "sessionKey"), False),
        (("gateway", "port"), False),
        (("agents", "defaults", "maxTokens"), False),
    ],
)
def test_is_secret_path(path: tuple[Any, ...], secret: bool) -> None:
    assert is_secret_path(path) is secret


@pytest.mark.parametrize(
    ("state", "path"),
    [
        ({"env": "sk-live-pasted-in-the-wrong-place"}, "env"),
        ({"env": {"OPENAI_API_KEY": ["sk-live-pasted-in-the-wrong-place"]}}, "env.OPENAI_API_KEY"),
        ({"gateway": {"auth": {"token": {"x": "sk-live-pasted-in-the-wrong-place"}}}}, "gateway.auth.token"),
        ({"models": {"providers": {"p": {"apiKey": ["sk-live-pasted-in-the-wrong-place"]}}}}, "models.providers.p.apiKey"),
    ],
)
def test_a_validation_error_names_the_secret_path_but_never_its_value(tmp_path: Path, state: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigError) as info:
        layers.load(tmp_path, seed_path=None, env={}, state_override=state)
    assert "sk-live" not in str(info.value)
    assert any(path in p and "<redacted>" in p for p in info.value.problems), info.value.problems


def test_a_non_secret_value_is_still_quoted_in_its_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        layers.load(tmp_path, seed_path=None, env={}, state_override={"gateway": {"port": "eighty"}})
    assert "'eighty'" in str(info.value)
