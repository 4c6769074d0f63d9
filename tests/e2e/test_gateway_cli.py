"""The gateway as a subprocess (`openclaw gateway --port P`) driven by the real CLI and a WebSocket client."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from openclaw.gateway.client import GatewayClient, GatewayError
from polling import wait_for
from openclaw.gateway.device_identity import DeviceIdentity

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OPENCLAW = [sys.executable, "-m", "openclaw"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*OPENCLAW, *args], env=env, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"openclaw {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result




@dataclass
class Gateway:
    proc: subprocess.Popen[str]
    port: int
    state: Path
    env: dict[str, str]

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def token(self) -> str:
        return str(json.loads((self.state / "openclaw.json").read_text())["gateway"]["auth"]["token"])

    log: Path

    def output(self) -> str:
        self.stop()
        return self.log.read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_gateway(env: dict[str, str], *extra: str) -> Gateway:
    port = free_port()
    state = Path(env["OPENCLAW_STATE_DIR"])
    log = state.parent / f"gateway-{port}.log"
    with log.open("w") as sink:  # a file, not a pipe: a chatty gateway can never block on a full pipe
        proc = subprocess.Popen([*OPENCLAW, "gateway", "--port", str(port), *extra], env=env, stdout=sink, stderr=subprocess.STDOUT, text=True)
    gw = Gateway(proc, port, state, env, log)

    def ready() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"gateway exited {proc.returncode}: {gw.output()}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(ready)
    except BaseException:
        gw.stop()  # never leave a half-started gateway running past the test
        raise
    return gw


@pytest.fixture
def env(state_dir: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
    e["OPENCLAW_STATE_DIR"] = str(state_dir)
    return e


@pytest.fixture
def gateway(env: dict[str, str]) -> Iterator[Gateway]:
    gw = start_gateway(env)
    yield gw
    gw.stop()


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def handshake_error(client: GatewayClient) -> GatewayError:
    await client.open()
    try:
        await client.handshake()
    except GatewayError as exc:
        return exc
    finally:
        await client.close()
    raise AssertionError("handshake unexpectedly succeeded")


def test_first_boot_generates_a_private_token_and_second_boot_keeps_it(env: dict[str, str], state_dir: Path) -> None:
    first = start_gateway(env)
    out = first.output()
    state_file = state_dir / "openclaw.json"
    token = json.loads(state_file.read_text())["gateway"]["auth"]["token"]
    assert len(token) >= 43 and all(c.isalnum() or c in "-_" for c in token)
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    assert token not in out  # never logged in full
    grep = subprocess.run(["grep", "-A1", '"token"', str(state_file)], capture_output=True, text=True, check=True)
    assert token in grep.stdout
    second = start_gateway(env)
    second.stop()
    assert json.loads(state_file.read_text())["gateway"]["auth"]["token"] == token


def test_seed_bind_alias_is_normalized_with_a_warning_and_a_source(env: dict[str, str], tmp_path: Path) -> None:
    seed = tmp_path / "config.json5"
    seed.write_text('{ gateway: { bind: "0.0.0.0", controlUi: { allowedOrigins: ["https://openclaw.homelab.local"] } } }')
    env = {**env, "OPENCLAW_SEED_CONFIG": str(seed)}
    got = cli("config", "get", "gateway.bind", "--source", env=env)
    assert got.stdout.strip() == "lan  (source: seed)"
    # Run on loopback for the test (network: loopback only); the warning still names the stored value.
    gw = start_gateway(env, "--bind", "loopback")
    out = gw.output()
    assert "0.0.0.0" in out and "lan" in out and "config.normalized" in out


@pytest.mark.parametrize("running", [True, False], ids=["through-the-gateway", "on-the-files"])
def test_devices_are_named_at_approval_and_renamed_from_the_cli(env: dict[str, str], running: bool) -> None:
    identity = DeviceIdentity.generate()
    gw = start_gateway(env)
    try:
        client = GatewayClient(gw.ws_url, token=gw.token(), identity=identity, client_id="test", client_mode="test", headers={"X-Forwarded-For": "10.0.0.6"})
        request_id = run(handshake_error(client)).details["requestId"]
        if not running:
            gw.stop()
        approved = cli("devices", "approve", request_id, "--name", "hall tablet", env=env)
        assert approved.stdout.strip() == f"Approved {identity.device_id} as hall tablet"
        renamed = cli("devices", "rename", identity.device_id, "Anna's laptop", env=env)
        assert renamed.stdout.strip() == f"Renamed {identity.device_id} to Anna's laptop"
        listing = json.loads(cli("devices", "list", "--json", env=env).stdout)
        assert [d.get("name") for d in listing["paired"] if d["deviceId"] == identity.device_id] == ["Anna's laptop"]
        assert "Anna's laptop" in cli("devices", "list", env=env).stdout
        bad = cli("devices", "rename", identity.device_id, "x" * 65, env=env, check=False)
        assert bad.returncode != 0 and "name: at most 64 characters" in bad.stderr
        unknown = cli("devices", "rename", "f" * 64, "desk", env=env, check=False)
        assert unknown.returncode != 0 and "unknown deviceId" in unknown.stderr
        assert json.loads(cli("devices", "list", "--json", env=env).stdout)["paired"][-1]["name"] == "Anna's laptop"
    finally:
        gw.stop()


def test_remote_device_pairs_through_the_cli(gateway: Gateway) -> None:
    identity = DeviceIdentity.generate()

    def client(token: str | None = None) -> GatewayClient:
        return GatewayClient(gateway.ws_url, token=token or gateway.token(), identity=identity, client_id="test", client_mode="test", headers={"X-Forwarded-For": "10.0.0.5"})

    err = run(handshake_error(client()))
    assert err.code == "NOT_PAIRED"
    request_id = err.details["requestId"]
    listing = json.loads(cli("devices", "list", "--json", env=gateway.env).stdout)
    assert [r["requestId"] for r in listing["pending"]] == [request_id]
    assert listing["pending"][0]["remoteIp"] == "127.0.0.1" and listing["pending"][0]["deviceId"] == identity.device_id
    approved = cli("devices", "approve", request_id, env=gateway.env)
    assert approved.stdout.strip() == f"Approved {identity.device_id}"

    async def reconnect() -> str | None:
        async with client() as c:
            return c.device_token

    device_token = run(reconnect())
    assert device_token and len(device_token) >= 40
    table = cli("devices", "list", env=gateway.env).stdout
    assert identity.device_id in table and "Paired" in table

    # Revoking from the CLI closes the live connection and sends the device back to pairing.
    async def revoked() -> tuple[int | None, GatewayError]:
        async with client() as c:
            await asyncio.to_thread(cli, "devices", "revoke", "--device", identity.device_id, env=gateway.env)
            code, _ = await c.wait_closed(10)
        return code, await handshake_error(client())

    code, again = run(revoked())
    assert code == 1008 and again.code == "NOT_PAIRED"


def test_config_set_origins_applies_to_the_running_gateway(gateway: Gateway) -> None:
    def attempt(origin: str) -> GatewayError:
        return run(handshake_error(GatewayClient(gateway.ws_url, token=gateway.token(), identity=DeviceIdentity.generate(), client_id="openclaw-control-ui", client_mode="ui", origin=origin)))

    assert attempt("https://openclaw.homelab.local").code == "FORBIDDEN"
    cli("config", "set", "gateway.controlUi.allowedOrigins", '["https://openclaw.homelab.local"]', env=gateway.env)
    state = json.loads((gateway.state / "openclaw.json").read_text())
    assert state["gateway"]["controlUi"]["allowedOrigins"] == ["https://openclaw.homelab.local"]
    # Accepted (it passes the origin check and reaches pairing) as soon as the gateway re-reads the file.
    wait_for(lambda: attempt("https://openclaw.homelab.local").code == "NOT_PAIRED", timeout=5)
    evil = attempt("https://evil.example")
    assert evil.code == "FORBIDDEN" and evil.message.startswith("origin not allowed")

    moved = cli("config", "set", "gateway.port", "18790", env=gateway.env)
    assert "restart" in moved.stdout.lower()
    status = wait_for(lambda: (s := json.loads(cli("status", "--json", env=gateway.env).stdout)) and "gateway.port" in s["pendingRestart"] and s, timeout=5)
    assert status["running"] is True


def test_twenty_bad_tokens_from_one_ip_get_429_while_the_loopback_cli_works(env: dict[str, str], state_dir: Path) -> None:
    cli("config", "set", "gateway.trustedProxies", '["127.0.0.1/32"]', env=env)
    gw = start_gateway(env)
    try:
        outcomes = []
        for _ in range(20):
            client = GatewayClient(gw.ws_url, token="wrong-token", identity=DeviceIdentity.generate(), client_id="test", client_mode="test", headers={"X-Forwarded-For": "203.0.113.9"})
            try:
                err = run(handshake_error(client))
                outcomes.append(err.details.get("code"))
            except Exception as exc:  # the upgrade itself refused
                import websockets

                assert isinstance(exc, websockets.InvalidStatus)
                assert exc.response.status_code == 429
                assert int(exc.response.headers["Retry-After"]) > 0
                assert json.loads(exc.response.body)["error"]["retryAfterMs"] > 0
                outcomes.append(429)
        assert outcomes[:10] == ["AUTH_TOKEN_MISMATCH"] * 10
        assert outcomes[10:] == [429] * 10
        status = cli("status", "--json", env=gw.env)
        assert json.loads(status.stdout)["running"] is True
        assert cli("devices", "list", "--json", env=gw.env).returncode == 0
    finally:
        gw.stop()


def test_devices_cli_edits_the_store_when_no_gateway_runs(env: dict[str, str], state_dir: Path) -> None:
    from openclaw.gateway.pairing import PairingStore

    identity = DeviceIdentity.generate()
    request, _ = PairingStore(state_dir).request({"deviceId": identity.device_id, "publicKey": identity.public_key_b64url, "scopes": ["operator.read"]})
    listing = json.loads(cli("devices", "list", "--json", env=env).stdout)
    assert listing["pending"][0]["requestId"] == request["requestId"]
    assert cli("devices", "approve", request["requestId"], env=env).stdout.strip() == f"Approved {identity.device_id}"
    paired = json.loads((state_dir / "devices" / "paired.json").read_text())
    assert identity.device_id in paired
    assert stat.S_IMODE((state_dir / "devices" / "paired.json").stat().st_mode) == 0o600
    missing = cli("devices", "approve", "no-such-request", env=env, check=False)
    assert missing.returncode == 1 and "unknown requestId" in missing.stderr


def test_status_and_dashboard_and_doctor(gateway: Gateway, env: dict[str, str], state_dir: Path) -> None:
    status = cli("status", env=env)
    assert "gateway running" in status.stdout
    url = cli("dashboard", env=env).stdout.strip()
    assert url == f"http://127.0.0.1:{gateway.port}/#token={gateway.token()}"
    doctor = cli("doctor", env=env, check=False)
    assert f"gateway answering on 127.0.0.1:{gateway.port}" in doctor.stdout
    gateway.stop()
    down = cli("status", env=env, check=False)
    assert down.returncode == 1 and "not running" in down.stderr


def test_doctor_explains_problems(env: dict[str, str], state_dir: Path) -> None:
    cli("config", "set", "hooks.token", "shared-secret-value-that-is-long-enough-1234", env=env)
    cli("config", "set", "gateway.auth.token", "shared-secret-value-that-is-long-enough-1234", env=env)
    (state_dir / "openclaw.json").chmod(0o644)
    report = json.loads(cli("doctor", "--json", env=env, check=False).stdout)
    failing = {c["name"] for c in report["checks"] if c["status"] == "fail"}
    assert report["ok"] is False and failing == {"state file modes", "hooks token"}
    (state_dir / "openclaw.json").write_text('{"gateway": {"bind": "sideways"}}')
    bad = cli("doctor", env=env, check=False)
    assert bad.returncode == 1 and "Config invalid" in bad.stdout and "gateway.bind" in bad.stdout
    refused = subprocess.run([*OPENCLAW, "gateway", "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1 and "Config invalid" in refused.stderr and "gateway.bind" in refused.stderr


def test_cli_rotate_replaces_the_device_token_with_or_without_a_gateway(gateway: Gateway) -> None:
    identity = DeviceIdentity.generate()

    def client(token: str) -> GatewayClient:
        return GatewayClient(gateway.ws_url, token=token, identity=identity, client_id="test", client_mode="test", headers={"X-Forwarded-For": "10.0.0.6"})

    request_id = run(handshake_error(client(gateway.token()))).details["requestId"]
    cli("devices", "approve", request_id, env=gateway.env)

    async def device_token() -> str | None:
        async with client(gateway.token()) as c:
            return c.device_token

    old = run(device_token())
    assert old
    rotated = json.loads(cli("devices", "rotate", "--device", identity.device_id, "--json", env=gateway.env).stdout)
    assert rotated["deviceId"] == identity.device_id and rotated["token"] != old
    refused = run(handshake_error(client(old)))
    assert refused.code == "UNAUTHORIZED"
    assert run(device_token()) == rotated["token"]

    gateway.stop()  # no gateway: the CLI edits the store under its lock
    offline = json.loads(cli("devices", "rotate", "--device", identity.device_id, "--json", env=gateway.env).stdout)
    assert offline["token"] not in (old, rotated["token"])
    paired = json.loads((gateway.state / "devices" / "paired.json").read_text())
    assert paired[identity.device_id]["tokens"]["operator"]["token"] == offline["token"]
    bad = cli("devices", "rotate", "--device", "no-such-device", env=gateway.env, check=False)
    assert bad.returncode == 1 and "no-such-device" in (bad.stdout + bad.stderr)


def test_a_state_dir_without_a_gateway_never_talks_to_another_state_dirs_gateway(gateway: Gateway, tmp_path: Path) -> None:
    """This state dir's configured port is where another state dir's gateway listens (as the
    default port is when `make run` runs): the CLI says there is no gateway for this state dir and
    works on its own files, instead of reaching that gateway and reporting a token mismatch."""
    other = tmp_path / "other-state"
    env = {**gateway.env, "OPENCLAW_STATE_DIR": str(other)}
    cli("config", "set", "gateway.port", str(gateway.port), env=env)
    down = cli("status", env=env, check=False)
    assert down.returncode == 1 and "no gateway for this state dir" in down.stderr and "mismatch" not in down.stderr, down.stderr
    listing = cli("devices", "list", "--json", env=env)
    assert json.loads(listing.stdout)["pending"] == [] and "mismatch" not in listing.stderr
    identity = DeviceIdentity.generate()
    from openclaw.gateway.pairing import PairingStore

    request, _ = PairingStore(other).request({"deviceId": identity.device_id, "publicKey": identity.public_key_b64url, "scopes": ["operator.read"]})
    assert cli("devices", "approve", request["requestId"], env=env).stdout.strip() == f"Approved {identity.device_id}"
    assert identity.device_id in json.loads((other / "devices" / "paired.json").read_text())
    theirs = gateway.state / "devices" / "paired.json"
    assert not theirs.exists() or identity.device_id not in theirs.read_text()
    report = json.loads(cli("doctor", "--json", env=env, check=False).stdout)
    port = next(c for c in report["checks"] if c["name"] == "gateway port")
    assert port["status"] == "warn" and "no gateway for this state dir" in port["detail"] and "another state dir's gateway" in port["detail"]
    assert "gateway running" in cli("status", env=gateway.env).stdout  # the other state dir still reaches its own
