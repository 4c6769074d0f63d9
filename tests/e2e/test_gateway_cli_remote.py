"""The CLI against a gateway elsewhere (`--url`, `--token`, `--timeout`).

The gateway runs as a subprocess on loopback. To the gateway, a CLI that dials 127.0.0.1 directly
is a local client and is paired silently, so the "laptop" CLI here dials a small reverse proxy that
adds `X-Forwarded-For`, as an ingress in front of the gateway does: the gateway then sees a remote
device, exactly as it would a laptop on the LAN. The laptop has its own state dir (its own device
identity, and none of the gateway's files).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from forwarding_proxy import ForwardingProxy
from openclaw.gateway.client import GatewayClient, GatewayError
from openclaw.gateway.device_identity import DeviceIdentity
from test_gateway_cli import Gateway, cli, free_port, run, start_gateway

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def env(state_dir: Path) -> dict[str, str]:
    """The environment on the machine where the gateway lives."""
    import os

    e = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
    e["OPENCLAW_STATE_DIR"] = str(state_dir)
    return e


@pytest.fixture
def laptop(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The environment of an operator's laptop: its own, empty state dir."""
    return {**env, "OPENCLAW_STATE_DIR": str(tmp_path / "laptop")}


@pytest.fixture
def gateway(env: dict[str, str]) -> Iterator[Gateway]:
    gw = start_gateway(env)
    yield gw
    gw.stop()


@pytest.fixture
def proxy(gateway: Gateway) -> Iterator[ForwardingProxy]:
    p = ForwardingProxy("10.0.0.7", gateway.port)
    yield p
    p.close()


def laptop_device_id(laptop: dict[str, str]) -> str:
    return str(json.loads((Path(laptop["OPENCLAW_STATE_DIR"]) / "identity" / "device.json").read_text())["deviceId"])


def devices_by_id(listing: dict[str, list[dict[str, object]]]) -> dict[str, object]:
    """A device listing without the fields each connection refreshes (last seen, address)."""
    return {
        "pending": sorted(str(r["requestId"]) for r in listing["pending"]),
        "paired": {str(d["deviceId"]): (d.get("clientId"), d.get("roles"), d.get("scopes")) for d in listing["paired"]},
    }


def test_remote_cli_gets_a_pairing_request_then_works_once_approved(gateway: Gateway, proxy: ForwardingProxy, laptop: dict[str, str]) -> None:
    first = cli("devices", "list", "--url", proxy.ws_url, "--token", gateway.token(), env=laptop, check=False)
    assert first.returncode == 1 and "Traceback" not in first.stderr
    pending = json.loads(cli("devices", "list", "--json", env=gateway.env).stdout)["pending"]
    assert [p["deviceId"] for p in pending] == [laptop_device_id(laptop)]
    request_id = pending[0]["requestId"]
    assert f"Pairing request: {request_id}" in first.stderr
    assert f"openclaw devices approve {request_id}" in first.stderr and "Control UI" in first.stderr
    assert f"the gateway at {proxy.ws_url}/ has not paired this device" in first.stderr

    cli("devices", "approve", request_id, env=gateway.env)
    # The token from OPENCLAW_GATEWAY_TOKEN, and an http:// URL taken as ws://.
    with_env_token = {**laptop, "OPENCLAW_GATEWAY_TOKEN": gateway.token()}
    remote = json.loads(cli("devices", "list", "--json", "--url", f"http://127.0.0.1:{proxy.port}", env=with_env_token).stdout)
    local = json.loads(cli("devices", "list", "--json", env=gateway.env).stdout)
    assert devices_by_id(remote) == devices_by_id(local)
    paired = {d["deviceId"]: d for d in remote["paired"]}
    assert paired[laptop_device_id(laptop)]["remoteIp"] == "127.0.0.1"  # through the proxy: not a local client

    status = json.loads(cli("status", "--json", "--url", proxy.ws_url, "--timeout", "5", env=with_env_token).stdout)
    assert status["running"] is True and status["stateDir"] == str(gateway.state)
    assert json.loads(cli("approvals", "list", "--json", "--url", proxy.ws_url, env=with_env_token).stdout) == {"approvals": []}
    missing = cli("cron", "run", "no-such-job", "--url", proxy.ws_url, env=with_env_token, check=False)
    assert missing.returncode == 1 and "no cron job no-such-job" in missing.stderr
    # An agent turn runs on that gateway: its session transcript is written there, not on the laptop.
    turn = json.loads(cli("agent", "--message", "/status", "--json", "--url", proxy.ws_url, env=with_env_token).stdout)
    assert turn["state"] == "final" and "no gateway running" not in turn.get("text", "")
    assert any(gateway.state.glob("agents/**/*.jsonl")), "the turn's transcript is on the gateway"

    # Everything came from the gateway: the laptop holds its identity and nothing else.
    laptop_state = Path(laptop["OPENCLAW_STATE_DIR"])
    assert sorted(p.name for p in laptop_state.iterdir()) == ["identity"]


def test_remote_cli_with_a_wrong_token_is_told_so(gateway: Gateway, proxy: ForwardingProxy, laptop: dict[str, str]) -> None:
    wrong = cli("devices", "list", "--url", proxy.ws_url, "--token", "not-the-gateway-token", env=laptop, check=False)
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr, wrong.stderr
    assert f"the gateway at {proxy.ws_url}/ refused the token (gateway token mismatch)" in wrong.stderr and "--token" in wrong.stderr, wrong.stderr

    # A state dir holding the right token is never a fallback for --url: the token must be given.
    cli("config", "set", "gateway.auth.token", gateway.token(), env=laptop)
    no_token = cli("devices", "list", "--url", proxy.ws_url, env=laptop, check=False)
    assert no_token.returncode == 2 and no_token.stderr.startswith("--token: required with --url"), (no_token.returncode, no_token.stderr)
    listing = json.loads(cli("devices", "list", "--json", env=gateway.env).stdout)
    assert listing["pending"] == [], listing


def test_remote_cli_locked_out_after_failed_tokens_says_when_to_retry(env: dict[str, str], laptop: dict[str, str]) -> None:
    cli("config", "set", "gateway.trustedProxies", '["127.0.0.1/32"]', env=env)
    gw = start_gateway(env)
    proxy = ForwardingProxy("203.0.113.20", gw.port)
    try:
        for _ in range(10):
            client = GatewayClient(f"{proxy.ws_url}/", token="wrong", identity=DeviceIdentity.generate(), client_id="test", client_mode="test")

            async def attempt(c: GatewayClient = client) -> str:
                await c.open()
                try:
                    await c.handshake()
                except GatewayError as exc:
                    return str(exc.details.get("code"))
                finally:
                    await c.close()
                return "accepted"

            assert run(attempt()) == "AUTH_TOKEN_MISMATCH"
        locked = cli("devices", "list", "--url", proxy.ws_url, "--token", gw.token(), env=laptop, check=False)
        assert locked.returncode == 1 and "Traceback" not in locked.stderr
        assert f"the gateway at {proxy.ws_url}/ has locked this address out after too many failed token attempts; retry in" in locked.stderr
        # The gateway's own CLI on loopback is never locked out.
        assert json.loads(cli("status", "--json", env=env).stdout)["running"] is True
    finally:
        proxy.close()
        gw.stop()


def test_unreachable_url_fails_naming_it_and_leaves_local_files_alone(env: dict[str, str], state_dir: Path) -> None:
    from openclaw.gateway.pairing import PairingStore

    request, _ = PairingStore(state_dir).request({"deviceId": DeviceIdentity.generate().device_id, "publicKey": DeviceIdentity.generate().public_key_b64url})
    devices = state_dir / "devices"
    before = {p.name: p.read_bytes() for p in devices.iterdir()}
    dead = f"ws://127.0.0.1:{free_port()}"
    for args in (["devices", "approve", request["requestId"]], ["devices", "list"], ["approvals", "approve", "a-1"], ["status", "--json"], ["agent", "-m", "hi"]):
        out = cli(*args, "--url", dead, "--token", "t", env=env, check=False)
        assert out.returncode == 1 and "Traceback" not in out.stderr, args
        assert out.stderr.startswith(f"could not connect to the gateway at {dead}/"), (args, out.stderr)
        assert out.stdout == ""
    assert {p.name: p.read_bytes() for p in devices.iterdir()} == before
    assert not (state_dir / "events.db").exists()  # approvals never fell back to the local audit table

    # Without --url the same command still falls back to the state dir (no gateway is running).
    assert cli("devices", "approve", request["requestId"], env=env).returncode == 0


def test_a_gateway_that_never_answers_times_out_after_timeout(env: dict[str, str]) -> None:
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections (backlog), never speaks
    try:
        url = f"ws://127.0.0.1:{silent.getsockname()[1]}"
        out = cli("status", "--url", url, "--token", "t", "--timeout", "0.5", env=env, check=False)
        assert out.returncode == 1 and out.stderr.startswith(f"could not connect to the gateway at {url}/")
        assert "timed out" in out.stderr
    finally:
        silent.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "ftp://gateway.lan:18789"], "--url: expected ws://host:port or wss://host:port"),
        (["--url", "gateway.lan:18789"], "--url: expected ws://host:port or wss://host:port"),
        (["--url", "ws://gateway.lan:99999"], "--url: expected ws://host:port or wss://host:port"),
        (["--url", "wss://user:secret@gateway.lan"], "--url: expected ws://host:port or wss://host:port (http:// and https:// are taken as ws:// and wss://) without user:password@"),
        (["--url", "wss://gateway.lan"], "--token: required with --url"),
        (["--timeout", "0"], "--timeout: expected a number of seconds above 0, got 0"),
        (["--timeout", "-3"], "--timeout: expected a number of seconds above 0, got -3"),
    ],
)
def test_bad_flag_values_are_named(env: dict[str, str], args: list[str], message: str) -> None:
    out = cli("devices", "list", *args, env=env, check=False)
    assert out.returncode == 2 and out.stderr.startswith(message), out.stderr
