"""The upstream OpenClaw CLI (npm `openclaw`, on Node 24) against this gateway, as a user of that
project would point it here: `--url` and `--token`, no device identity."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forwarding_proxy import ForwardingProxy
from openclaw.gateway.client import GatewayClient
from openclaw.gateway.device_identity import DeviceIdentity
from test_gateway_cli import Gateway, cli, gateway, env  # noqa: F401  # fixtures
from upstream_clients import UpstreamClients, upstream_clients

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def upstream() -> UpstreamClients:
    return upstream_clients()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "upstream-home"
    path.mkdir()
    return path


def call_json(result: Any) -> Any:
    """`openclaw gateway call` prints a title line, then the payload as JSON."""
    assert result.returncode == 0, f"upstream CLI exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout[result.stdout.index("{") :])


def test_gateway_call_health_and_status(upstream: UpstreamClients, gateway: Gateway, home: Path) -> None:
    url = f"ws://127.0.0.1:{gateway.port}"
    health = call_json(upstream.cli("gateway", "call", "health", "--url", url, "--token", gateway.token(), home=home))
    assert health["ok"] is True and health["status"] == "live"
    status = call_json(upstream.cli("gateway", "call", "status", "--url", url, "--token", gateway.token(), home=home))
    assert status["ready"] is True and status["stateDir"] == str(gateway.state)
    log = gateway.log.read_text()
    assert '"msg": "ws.shared_token_client"' in log and '"client": "cli"' in log


def test_gateway_status_probe_reads_through_rpc(upstream: UpstreamClients, gateway: Gateway, home: Path) -> None:
    url = f"ws://127.0.0.1:{gateway.port}"
    result = upstream.cli("gateway", "status", "--url", url, "--token", gateway.token(), "--require-rpc", "--json", home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    rpc = json.loads(result.stdout)["rpc"]
    assert rpc["ok"] is True and rpc["url"] == url and rpc["auth"]["scopes"] == ["operator.read"]


def test_devices_list_shows_this_gateways_pairing(upstream: UpstreamClients, gateway: Gateway, home: Path) -> None:
    identity = DeviceIdentity.generate()
    remote = GatewayClient(gateway.ws_url, token=gateway.token(), identity=identity, client_id="test", client_mode="test", headers={"X-Forwarded-For": "10.0.0.7"})

    async def ask() -> str:
        await remote.open()
        try:
            await remote.handshake()
        except Exception as exc:
            return str(getattr(exc, "details", {}).get("requestId"))
        finally:
            await remote.close()
        raise AssertionError("a remote device was paired without approval")

    request_id = asyncio.run(ask())
    args = ("devices", "list", "--url", f"ws://127.0.0.1:{gateway.port}", "--token", gateway.token(), "--json")
    listing = call_json(upstream.cli(*args, home=home))
    assert [p["requestId"] for p in listing["pending"]] == [request_id]
    cli("devices", "approve", request_id, env=gateway.env)  # this project's CLI approves it
    paired = call_json(upstream.cli(*args, home=home))
    assert identity.device_id in [d["deviceId"] for d in paired["paired"]] and paired["pending"] == []


def test_remote_token_only_cli_gets_no_scopes(upstream: UpstreamClients, gateway: Gateway, home: Path) -> None:
    proxy = ForwardingProxy("10.0.0.8", gateway.port)  # an ingress in front: the CLI is remote
    try:
        result = upstream.cli("gateway", "call", "health", "--url", proxy.ws_url, "--token", gateway.token(), home=home)
    finally:
        proxy.close()
    assert result.returncode != 0
    assert "missing scope: operator.read" in result.stdout + result.stderr


@pytest.fixture
def held_token_only_client(gateway: Gateway) -> Iterator[None]:
    """A shared-token client (no device) connected while the test runs."""
    connected, done = threading.Event(), threading.Event()

    async def hold() -> None:
        client = GatewayClient(gateway.ws_url, token=gateway.token(), identity=DeviceIdentity.generate(), client_id="cli", client_mode="cli", scopes=["operator.read"])
        await client.open()
        await client.handshake(overrides={"device": None})
        connected.set()
        await asyncio.to_thread(done.wait, 30)
        await client.close()

    thread = threading.Thread(target=asyncio.run, args=(hold(),), daemon=True)
    thread.start()
    assert connected.wait(15), "the shared-token client did not connect"
    yield
    done.set()
    thread.join(15)


def test_openclaw_status_shows_shared_token_clients(gateway: Gateway, held_token_only_client: None) -> None:
    out = cli("status", env=gateway.env).stdout
    assert "(1 shared-token, no device)" in out
    assert "shared-token client cli from 127.0.0.1 (local), scopes: operator.read" in out
    listed = json.loads(cli("status", "--json", env=gateway.env).stdout)["clients"]
    assert {"auth": "shared-token", "clientId": "cli", "deviceId": None}.items() <= next(c for c in listed if c["auth"] == "shared-token").items()
