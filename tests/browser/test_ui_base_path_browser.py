"""The Control UI under `gateway.controlUi.basePath` in a real browser: the bare prefix redirects
to the page, the page offers and uses the WebSocket at its own prefix, and the token plus an
approved pairing bring it to the connected state there."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from servers import Gateway

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_ui_under_a_base_path_connects_over_the_websocket_at_that_path(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({"gateway.controlUi.basePath": "/openclaw/"})
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))

    page.goto(f"{gw.http_url}/openclaw")
    expect(page).to_have_url(f"{gw.http_url}/openclaw/")
    expect(page.get_by_role("heading", name="Connect to the gateway")).to_be_visible()
    expect(page.get_by_label("Gateway URL")).to_have_value(f"ws://127.0.0.1:{gw.port}/openclaw/")

    page.get_by_label("Gateway token").fill(gw.token)
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("heading", name="Pairing required")).to_be_visible()
    gw.cli("devices", "approve", page.locator(".request-id").inner_text().strip())
    expect(page.locator("#conn-status")).to_have_text("Connected")  # the pairing screen retries by itself
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()

    assert sockets and all(url == f"ws://127.0.0.1:{gw.port}/openclaw/" for url in sockets), sockets
