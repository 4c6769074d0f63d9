"""The Control UI in a real browser (Debian chromium) against real gateway processes.

Local and remote browsers: the gateway auto-approves only local clients that are not browsers,
so any browser must be paired by an operator. The seed flow below goes further and reproduces
the seed's access path: the page is opened through a reverse proxy (the HTTPRoute) at a
non-loopback host name over plain HTTP. The proxy adds `X-Forwarded-For`, and the gateway
lists 127.0.0.1 in `gateway.trustedProxies`, so it believes the forwarded LAN address: the
browser is remote by SPEC's rule (local only when the TCP peer is loopback and no forwarding
header came from an untrusted peer, and here the believed client address is not loopback).
That page is not a secure context, so it also proves the pure-JS Ed25519 fallback pairs.
The other tests load the page from the gateway on 127.0.0.1 (a secure context: WebCrypto).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from conftest import screenshot
from forwarding_proxy import ForwardingProxy
from servers import Gateway, StaticSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAN_CLIENT = "192.168.1.50"
DEVICE_AUTH_KEY = "openclaw.device.auth.v1"
IDENTITY_KEY = "openclaw-device-identity-v1"


def connect_with_token(page: Page, token: str) -> None:
    page.get_by_label("Gateway token").fill(token)
    page.get_by_role("button", name="Connect").click()


def pairing_request_id(page: Page) -> str:
    expect(page.get_by_role("heading", name="Pairing required")).to_be_visible()
    return page.locator(".request-id").inner_text().strip()


def expect_connected(page: Page) -> None:
    """Connected, on the first screen after Connect: the overview."""
    expect(page.locator("#conn-status")).to_have_text("Connected")
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()


def open_chat(page: Page) -> None:
    page.get_by_role("link", name="Chat").click()
    expect(page.get_by_role("heading", name="Chat", exact=True)).to_be_visible()


def local_storage(page: Page, key: str) -> dict[str, object]:
    raw = page.evaluate("(k) => localStorage.getItem(k)", key)
    assert raw, f"localStorage has no {key}"
    data = json.loads(raw)
    assert isinstance(data, dict)
    return data


def pair_local_browser(page: Page, gw: Gateway) -> str:
    """Open the UI from the gateway, connect with the token and approve the pairing; the device id."""
    page.goto(gw.http_url + "/")
    connect_with_token(page, gw.token)
    gw.cli("devices", "approve", pairing_request_id(page))
    expect_connected(page)  # the pairing screen retries by itself
    return str(local_storage(page, IDENTITY_KEY)["deviceId"])


def test_seed_flow_token_then_pairing_then_approve_then_refresh_is_connected(
    page: Page, make_gateway: Callable[..., Gateway], make_proxy: Callable[[str], ForwardingProxy]
) -> None:
    proxy = make_proxy(LAN_CLIENT)
    origin = f"http://openclaw.homelab.test:{proxy.port}"
    gw = make_gateway({"gateway.controlUi.allowedOrigins": [origin], "gateway.trustedProxies": ["127.0.0.1"]})
    proxy.upstream_port = gw.port
    token = gw.token  # what `grep -A1 '"token"' openclaw.json` shows the operator

    page.goto(origin + "/")
    expect(page.get_by_role("heading", name="Connect to the gateway")).to_be_visible()
    expect(page.get_by_label("Gateway URL")).to_have_value(f"ws://openclaw.homelab.test:{proxy.port}/")
    screenshot(page, "connect")
    connect_with_token(page, token)

    request_id = pairing_request_id(page)
    expect(page.get_by_text(f"openclaw devices approve {request_id}", exact=True)).to_be_visible()
    expect(page.get_by_text(f"kubectl -n openclaw exec deploy/openclaw -- openclaw devices approve {request_id}", exact=True)).to_be_visible()
    screenshot(page, "pairing")
    listing = json.loads(gw.cli("devices", "list", "--json").stdout)
    pending = {r["requestId"]: r for r in listing["pending"]}
    assert pending[request_id]["remoteIp"] == LAN_CLIENT  # the gateway saw a LAN browser, not a local one
    assert page.evaluate("window.isSecureContext") is False  # plain HTTP: signed with the JS fallback

    approved = gw.cli("devices", "approve", request_id)
    assert "Approved" in approved.stdout
    page.reload()
    expect_connected(page)
    open_chat(page)
    if "chat.send" in gw.methods():
        expect(page.get_by_role("textbox", name="Message")).to_be_visible()
    else:
        expect(page.get_by_role("heading", name="No agent configured")).to_be_visible()
        expect(page.get_by_role("textbox", name="Message")).to_have_count(0)  # nothing to send to: no fake replies

    device_token = str(local_storage(page, DEVICE_AUTH_KEY)["token"])
    assert token not in page.url and device_token not in page.url
    logs = gw.logs()
    assert "ws.connected" in logs  # the log was captured, and it holds no secret
    assert token not in logs and device_token not in logs


def test_tokenized_link_fills_the_token_and_leaves_the_address_bar(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    link = gw.cli("dashboard").stdout.strip()
    assert "#token=" in link
    page.goto(link.replace("localhost", "127.0.0.1"))
    pairing_request_id(page)
    assert gw.token not in page.url and "token" not in page.url
    assert local_storage(page, "openclaw.control.settings.v1")["token"] == gw.token


def test_wrong_token_shows_the_unauthorized_message(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    page.goto(gw.http_url + "/")
    connect_with_token(page, "not-the-gateway-token")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Unauthorized: the gateway token was not accepted")
    expect(alert).to_contain_text("gateway token mismatch")
    expect(page.locator("#conn-status")).to_have_text("Connection refused")
    screenshot(page, "unauthorized")
    assert "not-the-gateway-token" not in gw.logs()


def test_repeated_wrong_tokens_show_the_lockout_and_its_retry_time(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({"gateway.auth.rateLimit.maxAttempts": 2, "gateway.auth.rateLimit.lockoutMs": 120_000})
    page.goto(gw.http_url + "/")
    connect_with_token(page, "wrong-1")
    expect(page.get_by_role("alert")).to_contain_text("Unauthorized")
    connect_with_token(page, "wrong-2")
    expect(page.get_by_role("alert")).to_contain_text("locks this address out for")
    connect_with_token(page, gw.token)  # even the right token waits out the lockout
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("rate limited")
    expect(alert).to_contain_text(re.compile(r"Trying again in \d+ min"))
    expect(page.get_by_role("heading", name="Pairing required")).to_have_count(0)


def test_page_from_a_disallowed_origin_is_refused(page: Page, make_gateway: Callable[..., Gateway], static_site: StaticSite) -> None:
    gw = make_gateway()
    page.goto(f"http://evil.test:{static_site.port}/")
    page.get_by_label("Gateway URL").fill(gw.ws_url)
    connect_with_token(page, gw.token)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Origin not allowed")
    expect(alert).to_contain_text(f"http://evil.test:{static_site.port}")
    expect(alert).to_contain_text("gateway.controlUi.allowedOrigins")
    screenshot(page, "origin-refused")
    assert json.loads(gw.cli("devices", "list", "--json").stdout)["pending"] == []  # refused before pairing


def test_reload_reconnects_without_pairing_again(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    device_id = pair_local_browser(page, gw)
    first_token = local_storage(page, DEVICE_AUTH_KEY)["token"]
    page.reload()
    expect_connected(page)
    assert local_storage(page, IDENTITY_KEY)["deviceId"] == device_id
    assert local_storage(page, DEVICE_AUTH_KEY)["token"] == first_token
    listing = json.loads(gw.cli("devices", "list", "--json").stdout)
    assert listing["pending"] == []
    assert device_id in {d["deviceId"] for d in listing["paired"]}  # next to the CLI's own device


def test_devices_screen_lists_this_browser_and_cli_revoke_sends_it_back_to_pairing(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    device_id = pair_local_browser(page, gw)
    first_token = local_storage(page, DEVICE_AUTH_KEY)["token"]
    page.get_by_role("link", name="Devices").click()
    row = page.locator(f'tr[data-device-id="{device_id}"]')
    expect(row).to_contain_text("this browser")
    expect(row.get_by_role("button", name=f"Revoke device {device_id}")).to_be_visible()
    screenshot(page, "devices")

    gw.cli("devices", "revoke", "--device", device_id)
    request_id = pairing_request_id(page)
    assert request_id
    pending = json.loads(gw.cli("devices", "list", "--json").stdout)["pending"]
    assert [r["deviceId"] for r in pending] == [device_id]
    assert page.evaluate("(k) => localStorage.getItem(k)", DEVICE_AUTH_KEY) is None

    gw.cli("devices", "approve", request_id)  # pairing again works, with a fresh device token
    expect(page.locator("#conn-status")).to_have_text("Connected")
    expect(page.get_by_role("heading", name="Devices", exact=True)).to_be_visible()  # back where it was
    assert local_storage(page, DEVICE_AUTH_KEY)["token"] != first_token
