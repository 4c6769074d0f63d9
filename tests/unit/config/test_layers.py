from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from openclaw.config import dotpath, layers, store
from openclaw.errors import ConfigError, ConfigPathError


def write_seed(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    seed = tmp_path / "config.json5"
    seed.write_text(text)
    monkeypatch.setenv("OPENCLAW_SEED_CONFIG", str(seed))
    return seed


def test_state_file_wins_over_seed_and_sources_are_named(state_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_seed(tmp_path, "{gateway: {port: 19000, bind: 'lan'}, // comment\n hooks: {token: 'h'},}", monkeypatch)
    store.set_value(state_dir, "gateway.port", 19001)
    snap = layers.load(state_dir)
    assert snap.settings.gateway.port == 19001
    assert snap.settings.gateway.bind == "lan"
    assert snap.source_of("gateway.port") == "state"
    assert snap.source_of("gateway.bind") == "seed"
    assert snap.source_of("gateway.customBindHost") == "default"


def test_raw_bind_host_is_normalized_with_a_warning_naming_the_stored_value(state_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed = write_seed(tmp_path, '{"gateway": {"bind": "0.0.0.0"}}', monkeypatch)
    snap = layers.load(state_dir)
    assert snap.settings.gateway.bind == "lan"
    assert len(snap.warnings) == 1
    assert "'0.0.0.0'" in snap.warnings[0] and str(seed) in snap.warnings[0]
    store.set_value(state_dir, "gateway.bind", "localhost")
    assert layers.load(state_dir).settings.gateway.bind == "loopback"


def test_unknown_key_and_wrong_type_name_file_path_and_expectation(state_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed = write_seed(tmp_path, "{gateway: {prot: 1, port: 'abc'}}", monkeypatch)
    with pytest.raises(ConfigError) as info:
        layers.load(state_dir)
    text = str(info.value)
    assert f"{seed}: gateway.prot: unknown key" in text
    assert f"{seed}: gateway.port:" in text and "integer" in text


def test_invalid_set_writes_nothing(state_dir: Path) -> None:
    store.set_value(state_dir, "gateway.port", 19002)
    before = (state_dir / "openclaw.json").read_text()
    with pytest.raises(ConfigError):
        store.set_value(state_dir, "gateway.bind", "everywhere")
    assert (state_dir / "openclaw.json").read_text() == before


def test_env_reference_resolves_at_load_and_stays_unresolved_on_disk(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKS_TOKEN", "s3cret-value-123")
    store.set_value(state_dir, "hooks.token", "${HOOKS_TOKEN}")
    store.set_value(state_dir, "gateway.port", 19003)
    assert layers.load(state_dir).settings.hooks.token == "s3cret-value-123"
    on_disk = (state_dir / "openclaw.json").read_text()
    assert "${HOOKS_TOKEN}" in on_disk and "s3cret-value-123" not in on_disk


def test_missing_env_variable_is_an_error_naming_it(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (state_dir).mkdir(parents=True)
    (state_dir / "openclaw.json").write_text('{"hooks": {"token": "${NOPE_NOT_SET}"}}')
    monkeypatch.delenv("NOPE_NOT_SET", raising=False)
    with pytest.raises(ConfigError) as info:
        layers.load(state_dir)
    assert "NOPE_NOT_SET" in str(info.value) and "hooks.token" in str(info.value)


def test_state_file_is_pretty_json_mode_0600_and_token_is_generated_once(state_dir: Path) -> None:
    snap, created = store.ensure_gateway_token(state_dir)
    assert created
    token = snap.settings.gateway.auth.token
    assert token and len(token) >= 43
    path = state_dir / "openclaw.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(state_dir).st_mode) == 0o700
    lines = path.read_text().splitlines()
    assert any('"token"' in line and token in line for line in lines)
    snap2, created2 = store.ensure_gateway_token(state_dir)
    assert not created2 and snap2.settings.gateway.auth.token == token
    assert json.loads(path.read_text())["gateway"]["auth"]["token"] == token


def test_env_token_overrides_and_is_reported_as_env(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store.set_value(state_dir, "gateway.auth.token", "x" * 43)
    monkeypatch.setenv("OPENCLAW_GATEWAY_TOKEN", "y" * 43)
    snap = layers.load(state_dir)
    assert snap.settings.gateway.auth.token == "y" * 43
    assert snap.source_of("gateway.auth.token") == "env"


@pytest.mark.parametrize(
    ("path", "segments"),
    [("gateway.port", ["gateway", "port"]), ("hooks.mappings[0].match.path", ["hooks", "mappings", 0, "match", "path"]), (r"env.a\.b", ["env", "a.b"])],
)
def test_dotted_and_bracket_paths(path: str, segments: list[object]) -> None:
    assert dotpath.parse(path) == segments
    assert dotpath.format_path(dotpath.parse(path)) == path


@pytest.mark.parametrize("bad", ["", "a..b", "a[", "a[x]"])
def test_malformed_paths_are_refused(bad: str) -> None:
    with pytest.raises(ConfigPathError):
        dotpath.parse(bad)


def test_unset_prunes_empty_parents_and_reports_absence(state_dir: Path) -> None:
    store.set_value(state_dir, "gateway.controlUi.allowedOrigins", ["https://a.example"])
    removed, _ = store.unset_value(state_dir, "gateway.controlUi.allowedOrigins")
    assert removed
    assert "controlUi" not in json.loads((state_dir / "openclaw.json").read_text()).get("gateway", {})
    assert store.unset_value(state_dir, "gateway.controlUi.allowedOrigins") == (False, None)


def test_nesting_up_to_the_limit_parses_and_one_level_more_is_refused_naming_where(tmp_path: Path) -> None:
    path = tmp_path / "openclaw.json"
    # The top-level object counts as one level; `notes` holds the rest.
    path.write_text('{"notes": ' + "[" * (layers.MAX_DEPTH - 1) + "]" * (layers.MAX_DEPTH - 1) + "}")
    assert layers.nesting(layers.read_layer(path))[0] == layers.MAX_DEPTH
    path.write_text('{"notes": {"a": ' + "[" * (layers.MAX_DEPTH - 1) + "]" * (layers.MAX_DEPTH - 1) + "}}")
    with pytest.raises(ConfigError, match=rf"nested more than {layers.MAX_DEPTH} levels deep \(at notes\.a(\[0\])+\)"):
        layers.read_layer(path)


def test_a_file_that_is_not_utf8_is_refused_naming_line_column_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "openclaw.json"
    path.write_bytes(b'{\n  "gateway": {"bind": "l\xe9n"}\n}\n')
    with pytest.raises(ConfigError, match=r"is not UTF-8: byte 0xe9 at line 2, column 25"):
        layers.read_layer(path)


def test_the_gateway_token_is_written_first_whatever_was_set_before(state_dir: Path) -> None:
    """`grep -A1 '"token"' openclaw.json` must show the gateway token first (a set hooks.token used to lead)."""
    store.set_value(state_dir, "hooks.token", "h" * 43)
    store.set_value(state_dir, "gateway.port", 18790)
    store.ensure_gateway_token(state_dir)
    text = (state_dir / "openclaw.json").read_text()
    assert list(json.loads(text)) == ["gateway", "hooks"] and list(json.loads(text)["gateway"]) == ["auth", "port"]
    token_lines = [line for line in text.splitlines() if '"token"' in line]
    assert len(token_lines) == 2 and "h" * 43 in token_lines[1]


def test_an_existing_state_file_in_the_old_order_is_rewritten_once(state_dir: Path) -> None:
    state_dir.mkdir(mode=0o700)
    path = state_dir / "openclaw.json"
    path.write_text(json.dumps({"hooks": {"token": "h" * 43}, "gateway": {"port": 18790, "auth": {"token": "g" * 43}}}))
    _, created = store.ensure_gateway_token(state_dir)
    assert not created
    tree = json.loads(path.read_text())
    assert list(tree) == ["gateway", "hooks"] and list(tree["gateway"]) == ["auth", "port"] and tree["gateway"]["port"] == 18790
    assert store.reorder_state_file(state_dir) is False  # already in order: left alone
