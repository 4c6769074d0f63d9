"""config.get / config.set / config.patch over the real WebSocket: redaction, sources, the base-hash guard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openclaw.config import store
from openclaw.gateway.embedded import run_embedded

pytestmark = pytest.mark.e2e


async def test_config_get_redacts_secrets_and_names_each_value_s_layer(state_dir: Path) -> None:
    async with run_embedded(state_dir) as gw:
        async with gw.client() as c:
            got = await c.call("config.get")
    assert got["config"]["gateway"]["auth"]["token"] == "__OPENCLAW_REDACTED__"
    assert gw.token not in json.dumps(got)
    assert got["sources"]["gateway.auth.token"] == "state"
    assert got["sources"]["gateway.port"] == "default"


async def test_config_set_applies_live_and_a_stale_base_hash_is_refused(state_dir: Path) -> None:
    async with run_embedded(state_dir) as gw:
        async with gw.client() as c:
            first = await c.call("config.get")
            done = await c.call("config.set", {"path": "gateway.controlUi.allowedOrigins", "value": ["https://openclaw.homelab.local"], "baseHash": first["hash"]})
            assert done["restartRequired"] == []
            assert gw.services.config.settings.gateway.control_ui.allowed_origins == ["https://openclaw.homelab.local"]
            with pytest.raises(Exception) as info:
                await c.call("config.set", {"path": "hooks.maxBodyBytes", "value": 4096, "baseHash": first["hash"]})
            assert "CONFLICT" in str(info.value) or "changed since" in str(info.value)


async def test_config_get_sees_an_outside_write_at_once_so_its_hash_is_accepted(state_dir: Path) -> None:
    async with run_embedded(state_dir) as gw:
        async with gw.client() as c:
            # Written by another process (the CLI) between two polls of the gateway.
            store.set_value(state_dir, "hooks.maxBodyBytes", 8192)
            fresh = await c.call("config.get")
            assert fresh["config"]["hooks"]["maxBodyBytes"] == 8192
            done = await c.call("config.patch", {"patch": {"hooks": {"maxBodyBytes": 16384}}, "baseHash": fresh["hash"]})
            assert done["ok"] is True
    assert json.loads((state_dir / "openclaw.json").read_text())["hooks"]["maxBodyBytes"] == 16384


async def test_invalid_config_set_names_the_field_and_writes_nothing(state_dir: Path) -> None:
    async with run_embedded(state_dir) as gw:
        before = (state_dir / "openclaw.json").read_text()
        async with gw.client() as c:
            got = await c.call("config.get")
            with pytest.raises(Exception) as info:
                await c.call("config.set", {"path": "gateway.bind", "value": "everywhere", "baseHash": got["hash"]})
    assert "gateway.bind" in str(info.value)
    assert any("gateway.bind" in p and "expected" in p for p in info.value.details["problems"])  # type: ignore[attr-defined]
    assert (state_dir / "openclaw.json").read_text() == before
