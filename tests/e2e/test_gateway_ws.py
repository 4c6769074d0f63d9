"""The WebSocket protocol against a real gateway served by uvicorn on a loopback ephemeral port."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import websockets

from openclaw.config import store
from openclaw.gateway.client import GatewayClient, GatewayError
from openclaw.gateway.device_identity import DeviceIdentity
from openclaw.gateway.embedded import EmbeddedGateway, run_embedded
from openclaw.gateway.pairing import PairingStore
from openclaw.gateway.ws.hub import hub_of

pytestmark = pytest.mark.e2e

REMOTE = {"X-Forwarded-For": "10.0.0.5"}  # from an untrusted peer: the client is not local


@pytest.fixture
async def gw(state_dir: Path) -> AsyncIterator[EmbeddedGateway]:
    async with run_embedded(state_dir) as handle:
        yield handle


def remote_client(gw: EmbeddedGateway, identity: DeviceIdentity | None = None, **kw: object) -> GatewayClient:
    kw.setdefault("headers", dict(REMOTE))
    return gw.client(identity=identity or DeviceIdentity.generate(), client_id="test", client_mode="test", **kw)  # type: ignore[arg-type]


async def refused(client: GatewayClient, **handshake: object) -> GatewayError:
    await client.open()
    try:
        with pytest.raises(GatewayError) as info:
            await client.handshake(**handshake)  # type: ignore[arg-type]
    finally:
        await client.close()
    return info.value


async def test_local_cli_is_auto_approved_and_gets_hello_ok(gw: EmbeddedGateway) -> None:
    async with gw.client() as c:
        hello = c.hello
        assert hello["type"] == "hello-ok" and hello["protocol"] in (3, 4)
        assert c.device_token and len(c.device_token) >= 40
        assert hello["policy"]["tickIntervalMs"] > 0 and hello["policy"]["maxPayload"] > 0
        assert "device.pair.list" in hello["features"]["methods"]
        status = await c.call("status")
        assert status["ready"] is True
    paired = PairingStore(gw.services.state_dir).get_paired(c.identity.device_id)
    assert paired is not None and paired["scopes"] == ["operator.admin"]


async def test_first_frame_must_be_connect(gw: EmbeddedGateway) -> None:
    async with websockets.connect(gw.ws_url) as ws:
        challenge = json.loads(await ws.recv())
        assert challenge["event"] == "connect.challenge" and challenge["payload"]["nonce"] and challenge["payload"]["ts"]
        await ws.send(json.dumps({"type": "req", "id": "1", "method": "status", "params": {}}))
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 1008 and "first request must be connect" in (ws.close_reason or "")


async def test_protocol_outside_3_to_4_is_refused_with_1002(gw: EmbeddedGateway) -> None:
    client = gw.client()
    err = await refused(client, overrides={"minProtocol": 5, "maxProtocol": 6})
    assert err.code == "INVALID_REQUEST" and err.message == "protocol mismatch"
    assert client.close_code == 1002


async def test_protocol_4_client_is_accepted(gw: EmbeddedGateway) -> None:
    client = gw.client()
    await client.open()
    hello = await client.handshake(overrides={"minProtocol": 4, "maxProtocol": 4})
    await client.close()
    assert hello["protocol"] == 4


async def test_remote_device_needs_pairing_then_connects_with_device_token(gw: EmbeddedGateway) -> None:
    identity = DeviceIdentity.generate()
    err = await refused(remote_client(gw, identity))
    assert err.code == "NOT_PAIRED" and err.message == "pairing required"
    assert err.details["code"] == "PAIRING_REQUIRED"
    request_id = err.details["requestId"]
    again = await refused(remote_client(gw, identity))
    assert again.details["requestId"] == request_id  # same request while it waits
    async with gw.client() as admin:
        listing = await admin.call("device.pair.list")
        assert [p["requestId"] for p in listing["pending"]] == [request_id]
        await admin.call("device.pair.approve", {"requestId": request_id})
    async with remote_client(gw, identity) as c:
        device_token = c.device_token
        assert device_token
    # The device token from hello-ok stands in for the gateway token on reconnect.
    async with remote_client(gw, identity, token=device_token) as c2:
        assert (await c2.call("health"))["ok"] is True


async def test_each_device_auth_failure_has_its_own_message(gw: EmbeddedGateway) -> None:
    other = DeviceIdentity.generate()
    wrong_token = await refused(gw.client(token="not-the-token"))
    assert wrong_token.code == "UNAUTHORIZED" and wrong_token.details["code"] == "AUTH_TOKEN_MISMATCH"
    assert wrong_token.message.startswith("unauthorized: gateway token mismatch")

    client = gw.client()
    await client.open()
    forged = other.sign("v3|anything")
    with pytest.raises(GatewayError) as bad_sig:
        await client.handshake(overrides={"device": {"signature": forged}})
    await client.close()
    assert bad_sig.value.details["code"] == "DEVICE_AUTH_SIGNATURE_INVALID" and bad_sig.value.message == "device signature invalid"
    assert client.close_code == 1008

    stale = await refused(gw.client(), signed_at_ms=int(time.time() * 1000) - 11 * 60 * 1000)
    assert stale.details["code"] == "DEVICE_AUTH_SIGNATURE_EXPIRED" and "expired" in stale.message

    nonce = await refused(gw.client(), overrides={"device": {"nonce": "some-other-nonce"}})
    assert nonce.details["code"] == "DEVICE_AUTH_NONCE_MISMATCH" and "nonce mismatch" in nonce.message

    wrong_id = await refused(gw.client(), overrides={"device": {"id": other.device_id}})
    assert wrong_id.details["code"] == "DEVICE_AUTH_DEVICE_ID_MISMATCH"

    missing = await refused(gw.client(token=None))
    assert missing.details["code"] == "AUTH_TOKEN_MISSING" and "token missing" in missing.message

    messages = {e.message for e in (wrong_token, bad_sig.value, stale, nonce, wrong_id, missing)}
    assert len(messages) == 6


async def test_v2_signed_payload_is_accepted(gw: EmbeddedGateway) -> None:
    async with gw.client(payload_version="v2") as c:
        assert c.hello["type"] == "hello-ok"


async def test_scopes_are_enforced_per_method(gw: EmbeddedGateway) -> None:
    async with gw.client(identity=DeviceIdentity.generate(), scopes=["operator.read"]) as reader:
        assert (await reader.call("status"))["ready"] is True
        with pytest.raises(GatewayError) as info:
            await reader.call("device.pair.list")
        assert info.value.code == "FORBIDDEN" and info.value.message == "missing scope: operator.pairing"
        with pytest.raises(GatewayError) as unknown:
            await reader.call("no.such.method")
        assert unknown.value.code == "INVALID_REQUEST"


def local_device(gw: EmbeddedGateway, identity: DeviceIdentity, scopes: list[str], **kw: object) -> GatewayClient:
    """A local non-browser client with its own key (not the state dir's CLI identity)."""
    return gw.client(identity=identity, scopes=scopes, client_id="test", client_mode="test", **kw)  # type: ignore[arg-type]


async def test_paired_device_cannot_raise_its_own_scopes_from_loopback(gw: EmbeddedGateway) -> None:
    identity = DeviceIdentity.generate()
    async with local_device(gw, identity, ["operator.read"]) as reader:  # new, within the local policy: at once
        device_token = reader.device_token
    assert device_token
    pairing = PairingStore(gw.services.state_dir)
    for token in (device_token, gw.token):  # neither its device token nor the shared token lifts it
        err = await refused(local_device(gw, identity, ["operator.admin"], token=token))
        assert err.code == "NOT_PAIRED" and err.details["code"] == "PAIRING_REQUIRED"
        assert err.details["reason"] == "scope-upgrade" and err.message.startswith("pairing required")
        assert err.details["requestedScopes"] == ["operator.admin"] and err.details["approvedScopes"] == ["operator.read"]
    assert pairing.get_paired(identity.device_id)["scopes"] == ["operator.read"]  # type: ignore[index]
    async with local_device(gw, identity, ["operator.read"], token=device_token) as again:
        with pytest.raises(GatewayError) as denied:
            await again.call("device.pair.list")
        assert denied.value.code == "FORBIDDEN"
    async with gw.client() as admin:  # the gateway's own CLI identity: still no pairing by hand
        [pending] = (await admin.call("device.pair.list"))["pending"]
        assert pending["deviceId"] == identity.device_id and pending["reason"] == "scope-upgrade" and pending["silent"] is False
        await admin.call("device.pair.approve", {"requestId": pending["requestId"]})
    async with local_device(gw, identity, ["operator.admin"], token=device_token) as upgraded:
        assert "operator.admin" in upgraded.hello["auth"]["scopes"]


async def test_local_auto_approval_covers_new_devices_within_the_policy_and_the_cli_identity(gw: EmbeddedGateway) -> None:
    beyond = await refused(local_device(gw, DeviceIdentity.generate(), ["operator.read", "operator.pairing"]))
    assert beyond.code == "NOT_PAIRED" and beyond.details["reason"] == "not-paired"
    await asyncio.to_thread(store.set_value, gw.services.state_dir, "gateway.pairing.localAutoApproveScopes", ["operator.read", "operator.pairing"])
    gw.services.config.reload()  # the policy is read per connect
    async with local_device(gw, DeviceIdentity.generate(), ["operator.pairing"]) as c:
        assert c.hello["auth"]["scopes"] == ["operator.pairing"]
    # The CLI identity paired narrowly still widens itself at once.
    async with gw.client(scopes=["operator.read"]) as cli:
        assert cli.hello["auth"]["scopes"] == ["operator.read"]
    async with gw.client(scopes=["operator.admin"]) as cli:
        assert cli.hello["auth"]["scopes"] == ["operator.admin"]
    # A remote client holding a copy of the CLI key is not local: it waits for an operator.
    copied = await refused(gw.client(headers=dict(REMOTE), scopes=["operator.admin", "operator.approvals"]))
    assert copied.code == "NOT_PAIRED" and copied.details["reason"] == "scope-upgrade"


async def token_only(client: GatewayClient) -> GatewayClient:
    """Connect as the upstream CLI does with --url and --token: no device block at all."""
    await client.open()
    try:
        await client.handshake(overrides={"device": None})
    except BaseException:
        await client.close()
        raise
    return client


async def test_token_only_operator_gets_no_scopes_unless_it_is_the_local_backend_or_cli(gw: EmbeddedGateway) -> None:
    remote = await token_only(gw.client(client_id="cli", client_mode="cli", scopes=["operator.read"], headers=dict(REMOTE)))
    try:
        assert remote.hello["auth"] == {"role": "operator", "scopes": []}  # no device: no device token
        with pytest.raises(GatewayError) as info:
            await remote.call("health")
        assert info.value.code == "FORBIDDEN" and info.value.message == "missing scope: operator.read"
    finally:
        await remote.close()
    for client_id, mode in (("cli", "cli"), ("gateway-client", "backend")):
        local = await token_only(gw.client(client_id=client_id, client_mode=mode, scopes=["operator.read"]))
        try:
            assert local.hello["auth"]["scopes"] == ["operator.read"]
            assert (await local.call("health"))["ok"] is True
            clients = (await local.call("clients.list"))["clients"]
            assert [(c["auth"], c["clientId"], c["deviceId"]) for c in clients] == [("shared-token", client_id, None)]
        finally:
            await local.close()
    other = await token_only(gw.client(client_id="test", client_mode="test", scopes=["operator.read"]))
    try:
        assert other.hello["auth"]["scopes"] == []  # local, but not one of the two upstream clients
    finally:
        await other.close()
    assert PairingStore(gw.services.state_dir).listing() == {"pending": [], "paired": []}  # nothing to pair


async def test_token_only_refusals_follow_the_upstream_gateway(gw: EmbeddedGateway) -> None:
    async def refused_without_device(client: GatewayClient) -> GatewayError:
        with pytest.raises(GatewayError) as info:
            await token_only(client)
        return info.value

    ui = await refused_without_device(gw.client(client_id="openclaw-control-ui", client_mode="webchat", origin=f"http://127.0.0.1:{gw.port}"))
    assert ui.code == "INVALID_REQUEST" and ui.details["code"] == "CONTROL_UI_DEVICE_IDENTITY_REQUIRED"
    assert ui.message.startswith("control ui requires device identity")
    node = await refused_without_device(gw.client(role="node", scopes=[]))
    assert node.code == "NOT_PAIRED" and node.details["code"] == "DEVICE_IDENTITY_REQUIRED"
    no_token = await refused_without_device(gw.client(token=None))
    assert no_token.code == "NOT_PAIRED" and no_token.message == "device identity required"
    limit = gw.services.config.settings.gateway.auth.rate_limit.max_attempts
    for _ in range(limit):
        wrong = await refused_without_device(gw.client(token="not-the-token", headers=dict(REMOTE)))
        assert wrong.details["code"] == "AUTH_TOKEN_MISMATCH"
    with pytest.raises(websockets.InvalidStatus) as locked:  # the right token, too late: locked out like the rest
        await token_only(gw.client(headers=dict(REMOTE)))
    assert locked.value.response.status_code == 429


async def test_newer_upstream_scopes_are_dropped_not_refused(gw: EmbeddedGateway) -> None:
    async with local_device(gw, DeviceIdentity.generate(), ["operator.read", "operator.talk", "operator.questions"]) as c:
        assert c.hello["auth"]["scopes"] == ["operator.read"]
    bad = await refused(local_device(gw, DeviceIdentity.generate(), ["admin"]))
    assert bad.code == "INVALID_REQUEST" and "unknown scope 'admin'" in bad.message


async def test_pair_requested_event_reaches_pairing_scope_only(gw: EmbeddedGateway) -> None:
    async with gw.client() as admin, gw.client(identity=DeviceIdentity.generate(), scopes=["operator.read"]) as reader:
        err = await refused(remote_client(gw))
        event = await admin.next_event("device.pair.requested", timeout=5)
        assert event["payload"]["requestId"] == err.details["requestId"]
        assert event["payload"]["reason"] == "not-paired" and event["payload"]["remoteIp"] == "127.0.0.1"
        assert isinstance(event["seq"], int)
        with pytest.raises(TimeoutError):
            await reader.next_event("device.pair.requested", timeout=0.5)


async def test_tick_events_carry_increasing_seq(gw: EmbeddedGateway) -> None:
    hub_of(gw.services).tick_interval_ms = 50
    async with gw.client() as c:
        first = await c.next_event("tick", timeout=5)
        second = await c.next_event("tick", timeout=5)
        assert second["seq"] > first["seq"] and isinstance(first["payload"]["ts"], int)


async def test_removing_a_device_closes_its_connection(gw: EmbeddedGateway) -> None:
    identity = DeviceIdentity.generate()
    err = await refused(remote_client(gw, identity))
    async with gw.client() as admin:
        await admin.call("device.pair.approve", {"requestId": err.details["requestId"]})
        async with remote_client(gw, identity) as victim:
            result = await admin.call("device.pair.remove", {"deviceId": identity.device_id})
            assert result["closedConnections"] == 1
            code, reason = await victim.wait_closed(5)
            assert code == 1008 and "pairing required" in (reason or "")
    back = await refused(remote_client(gw, identity))
    assert back.code == "NOT_PAIRED"


async def test_store_edit_without_the_gateway_closes_the_connection(gw: EmbeddedGateway) -> None:
    """The CLI may edit paired.json directly; the gateway notices and drops the device."""
    identity = DeviceIdentity.generate()
    err = await refused(remote_client(gw, identity))
    pairing = PairingStore(gw.services.state_dir)
    await asyncio.to_thread(pairing.approve, err.details["requestId"])
    async with remote_client(gw, identity) as victim:
        await asyncio.to_thread(pairing.remove, identity.device_id)
        code, _ = await victim.wait_closed(5)
        assert code == 1008


async def test_browser_origins_follow_live_config(gw: EmbeddedGateway) -> None:
    def browser(origin: str | None, remote: bool = True) -> GatewayClient:
        return gw.client(identity=DeviceIdentity.generate(), client_id="openclaw-control-ui", client_mode="ui", origin=origin, headers=dict(REMOTE) if remote else {})

    evil = await refused(browser("https://evil.example"))
    assert evil.code == "FORBIDDEN" and evil.message.startswith("origin not allowed")
    nulled = await refused(browser("null"))
    assert nulled.message.startswith("origin not allowed")
    # Local client with a loopback origin is accepted without listing it (then pairing applies).
    local = await refused(browser(f"http://127.0.0.1:{gw.port}", remote=False))
    assert local.code == "NOT_PAIRED"  # browsers are never auto-approved
    await asyncio.to_thread(store.set_value, gw.services.state_dir, "gateway.controlUi.allowedOrigins", ["https://openclaw.homelab.local"])
    gw.services.config.reload()
    listed = await refused(browser("https://openclaw.homelab.local"))
    assert listed.code == "NOT_PAIRED"
    assert (await refused(browser("https://evil.example"))).code == "FORBIDDEN"


async def test_lockout_after_repeated_bad_tokens_answers_429(gw: EmbeddedGateway) -> None:
    for _ in range(10):
        err = await refused(remote_client(gw, token="wrong"))
        assert err.details["code"] == "AUTH_TOKEN_MISMATCH"
    with pytest.raises(websockets.InvalidStatus) as info:
        await remote_client(gw, token="wrong").open()
    response = info.value.response
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    body = json.loads(response.body)
    assert body["error"]["code"] == "RATE_LIMITED" and body["error"]["retryAfterMs"] > 0
    async with gw.client() as local:  # the loopback CLI is exempt
        assert (await local.call("health"))["ok"] is True


async def test_silent_socket_is_closed_after_the_handshake_timeout(gw: EmbeddedGateway) -> None:
    hub_of(gw.services).handshake_timeout_s = 0.2
    async with websockets.connect(gw.ws_url) as ws:
        await ws.recv()  # the challenge
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 1008 and ws.close_reason == "handshake timeout"


async def test_oversized_connect_frame_is_refused(gw: EmbeddedGateway) -> None:
    async with websockets.connect(gw.ws_url) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "req", "id": "c", "method": "connect", "params": {"pad": "x" * 70_000}}))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 1008 and "too large" in (ws.close_reason or "")


async def test_stopping_the_gateway_closes_sockets_with_service_restart(state_dir: Path) -> None:
    async with run_embedded(state_dir) as handle:
        client = handle.client()
        await client.connect()
    code, _ = await client.wait_closed(5)
    assert code == 1012  # uvicorn's "service restart": clients reconnect
    await client.close()


async def test_lockout_reached_mid_handshake_is_refused_in_band(gw: EmbeddedGateway) -> None:
    client = remote_client(gw)
    await client.open()  # the upgrade was allowed; the IP is locked out before connect arrives
    hub = hub_of(gw.services)
    for _ in range(gw.services.config.settings.gateway.auth.rate_limit.max_attempts):
        hub.limiter.record_failure("127.0.0.1")
    with pytest.raises(GatewayError) as info:
        await client.handshake()
    await client.close()
    assert info.value.code == "RATE_LIMITED" and info.value.retry_after_ms and info.value.retry_after_ms > 0
    assert client.close_code == 1008


async def test_revoking_a_device_token_closes_sessions_that_used_it(gw: EmbeddedGateway) -> None:
    identity = DeviceIdentity.generate()
    err = await refused(remote_client(gw, identity))
    async with gw.client() as admin:
        await admin.call("device.pair.approve", {"requestId": err.details["requestId"]})
        async with remote_client(gw, identity) as first:
            device_token = first.device_token
        async with remote_client(gw, identity, token=device_token) as by_token:
            result = await admin.call("device.token.revoke", {"deviceId": identity.device_id, "role": "operator"})
            assert result["revokedAtMs"] and result["closedConnections"] == 1
            code, reason = await by_token.wait_closed(5)
            assert code == 1008 and reason == "device token revoked"
        stale = await refused(remote_client(gw, identity, token=device_token))
        assert stale.details["code"] == "AUTH_TOKEN_MISMATCH"
        rotated = await admin.call("device.token.rotate", {"deviceId": identity.device_id, "role": "operator"})
        assert rotated["token"] != device_token and "operator.admin" in rotated["scopes"]
    async with remote_client(gw, identity, token=rotated["token"]) as again:
        assert again.hello["auth"]["role"] == "operator"


async def test_websocket_on_root_path_coexists_with_the_http_page(gw: EmbeddedGateway) -> None:
    import httpx

    root = gw.client()
    root.url = f"ws://{gw.host}:{gw.port}/"
    async with root:
        assert root.hello["type"] == "hello-ok"
    async with httpx.AsyncClient() as http:
        page = await http.get(f"{gw.http_url}/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


async def test_changed_gateway_token_applies_to_the_next_connect(gw: EmbeddedGateway) -> None:
    old = gw.token
    await asyncio.to_thread(store.set_value, gw.services.state_dir, "gateway.auth.token", "a-new-token-of-enough-length-0123456789abcd")
    gw.services.config.reload()
    assert (await refused(gw.client(token=old))).details["code"] == "AUTH_TOKEN_MISMATCH"
    async with gw.client(token="a-new-token-of-enough-length-0123456789abcd") as c:
        assert c.hello["type"] == "hello-ok"


async def test_client_that_stops_reading_is_dropped_past_max_buffered_bytes(gw: EmbeddedGateway) -> None:
    hub = hub_of(gw.services)
    hub.max_buffered_bytes = 256 * 1024
    client = gw.client()
    await client.connect()
    assert client.hello["policy"]["maxBufferedBytes"] == 256 * 1024
    assert client._reader is not None
    client._reader.cancel()  # stop reading: the socket fills, then the gateway's queue does
    chunk = "x" * 64 * 1024
    deadline = asyncio.get_running_loop().time() + 20
    while hub.connections:
        assert asyncio.get_running_loop().time() < deadline, "slow consumer was never dropped"
        for _ in range(20):
            gw.services.bus.publish("test.flood", {"pad": chunk})
        await asyncio.sleep(0.05)
    assert client._ws is not None
    client._ws.transport.abort()  # this client never reads again; drop its socket outright
    await client.close()
