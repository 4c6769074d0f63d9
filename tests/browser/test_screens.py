"""The connected screens in a real browser: Config (source layers, hidden secrets, validation
next to the field), Logs (live tail), Incidents and Actions, the phone layout in the dark theme,
and keyboard use."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import screenshot
from servers import Gateway, wait_for
from test_control_ui import connect_with_token, expect_connected, open_chat, pair_local_browser, pairing_request_id

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOMELAB_ORIGIN = "https://openclaw.homelab.local"


def test_config_screen_shows_each_value_source_and_hides_secrets(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({"gateway.controlUi.allowedOrigins": [HOMELAB_ORIGIN]})
    pair_local_browser(page, gw)
    page.get_by_role("link", name="Config").click()
    expect(page.get_by_role("heading", name="Config")).to_be_visible()

    token_row = page.locator('tr[data-path="gateway.auth.token"]')
    expect(token_row).to_contain_text("secret, hidden")
    expect(token_row.locator(".badge")).to_have_text("state")
    expect(page.locator('tr[data-path="gateway.controlUi.allowedOrigins"] .badge')).to_have_text("state")
    expect(page.locator('tr[data-path="gateway.port"] .badge')).to_have_text("env")  # OPENCLAW_GATEWAY_PORT
    expect(page.locator('tr[data-path="gateway.bind"] .badge')).to_have_text("default")
    assert gw.token not in page.content()
    screenshot(page, "config")


def test_config_screen_shows_the_slack_state_without_its_secrets(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    # Slack on, pointed at a port nothing answers: the screen says not connected and why.
    gw = make_gateway({"slack": {"enabled": True, "botToken": "xoxb-secret-bot-token", "appToken": "xapp-secret-app-token",
                                 "apiUrl": "http://127.0.0.1:9/api/", "channels": {"default": "CINCIDENTS"}, "allowedUsers": ["U1"]}})
    pair_local_browser(page, gw)
    page.get_by_role("link", name="Config").click()
    card = page.get_by_role("region", name="Slack")
    expect(card).to_contain_text("not connected (Socket Mode)")
    expect(card).to_contain_text("bot token present, app token present")
    expect(card).to_contain_text("default: CINCIDENTS")
    expect(card).to_contain_text("1 allowed user(s)")
    expect(card.locator("dd").last).to_contain_text("Socket Mode:", timeout=15000)  # the failed connect, once the screen reloads it
    assert "xoxb-secret-bot-token" not in page.content() and "xapp-secret-app-token" not in page.content()


def test_config_edit_shows_the_validation_error_next_to_the_field_and_saves_a_valid_value(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({"gateway.controlUi.allowedOrigins": [HOMELAB_ORIGIN]})
    pair_local_browser(page, gw)
    page.get_by_role("link", name="Config").click()

    row = page.locator('tr[data-path="gateway.bind"]')
    row.get_by_role("button", name="Edit gateway.bind").click()
    field = page.get_by_label("New value for gateway.bind")
    field.fill("everywhere")
    row.get_by_role("button", name="Save").click()
    error = row.get_by_role("alert")
    expect(error).to_contain_text("gateway.bind")
    expect(field).to_have_value("everywhere")  # what was typed is kept for fixing
    expect(field).to_have_attribute("aria-invalid", "true")
    screenshot(page, "config-error")
    state = json.loads((gw.state_dir / "openclaw.json").read_text())
    assert "bind" not in state["gateway"]  # nothing invalid was written

    origins = page.locator('tr[data-path="gateway.controlUi.allowedOrigins"]')
    origins.get_by_role("button", name="Edit gateway.controlUi.allowedOrigins").click()
    new_value = [HOMELAB_ORIGIN, "https://claw.example.net"]
    page.get_by_label("New value for gateway.controlUi.allowedOrigins").fill(json.dumps(new_value))
    origins.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved gateway.controlUi.allowedOrigins")).to_be_visible()
    expect(page.locator('tr[data-path="gateway.controlUi.allowedOrigins"]')).to_contain_text("https://claw.example.net")
    state = json.loads((gw.state_dir / "openclaw.json").read_text())
    assert state["gateway"]["controlUi"]["allowedOrigins"] == new_value
    assert state["gateway"]["auth"]["token"] == gw.token  # the redacted secret was not written back


def test_logs_screen_follows_the_gateway_log_live(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    pair_local_browser(page, gw)
    page.get_by_role("link", name="Logs").click()
    lines = page.locator(".log-line").filter(has_text="ws.connected")
    expect(lines.first).to_be_visible()
    before = lines.count()
    gw.cli("devices", "list")  # the CLI connects over loopback: a new ws.connected record
    expect(lines).to_have_count(before + 1, timeout=10_000)
    expect(lines.last).to_contain_text("client=cli")
    assert gw.token not in page.content()
    screenshot(page, "logs")


def test_incidents_and_actions_screens_show_their_lists_or_say_what_is_missing(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    pair_local_browser(page, gw)
    methods = gw.methods()
    page.get_by_role("link", name="Incidents").click()
    expect(page.get_by_role("heading", name="Incidents")).to_be_visible()
    if "incidents.list" in methods:
        expect(page.get_by_text("No incidents.")).to_be_visible()
    else:
        expect(page.get_by_text(re.compile("offers no incidents.list method"))).to_be_visible()
    page.get_by_role("link", name="Actions").click()
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()
    if "actions.list" in methods:
        expect(page.get_by_text("No actions yet.")).to_be_visible()
    else:
        expect(page.get_by_text(re.compile("offers no actions.list method"))).to_be_visible()


def test_phone_layout_in_dark_theme_with_keyboard_navigation(browser: Browser, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, color_scheme="dark", device_scale_factor=2)
    try:
        page = ctx.new_page()
        page.goto(gw.http_url + "/")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(17, 19, 21)"  # the dark palette follows the system scheme
        # Keyboard only: the first Tab reaches the skip link, which moves focus to the content.
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#main")).to_be_focused()
        # The skip link only moves focus: no hash change that would re-route and take focus back later.
        assert "#main" not in page.url
        page.get_by_label("Gateway token").focus()
        page.keyboard.type(gw.token)
        expect(page.get_by_label("Gateway token")).to_be_focused()
        expect(page.get_by_label("Gateway token")).to_have_value(gw.token)
        page.keyboard.press("Enter")  # submits the form
        gw.cli("devices", "approve", pairing_request_id(page))
        expect_connected(page)

        menu = page.get_by_role("button", name="Menu")
        expect(page.get_by_role("link", name="Devices")).to_be_hidden()  # collapsed on a phone
        menu.focus()
        page.keyboard.press("Enter")
        expect(menu).to_have_attribute("aria-expanded", "true")
        page.get_by_role("link", name="Devices").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Paired devices")).to_be_visible()
        expect(menu).to_have_attribute("aria-expanded", "false")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # nothing forces sideways scrolling
        screenshot(page, "phone-dark-devices")
    finally:
        ctx.close()


def test_second_browser_profile_is_a_new_device_that_needs_its_own_pairing(browser: Browser, page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    pair_local_browser(page, gw)
    other = browser.new_context()
    try:
        second = other.new_page()
        second.goto(gw.http_url + "/")
        connect_with_token(second, gw.token)
        request_id = pairing_request_id(second)
        # The paired browser sees the request live and approves it from its Devices screen.
        page.get_by_role("link", name="Devices").click()
        page.get_by_role("button", name=f"Approve request {request_id}").click()
        expect_connected(second)
    finally:
        other.close()


def test_chat_streams_the_agents_reply_or_says_no_agent_is_configured(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    pair_local_browser(page, gw)
    open_chat(page)
    if "chat.send" not in gw.methods():
        expect(page.get_by_role("heading", name="No agent configured")).to_be_visible()
        expect(page.get_by_role("textbox", name="Message")).to_have_count(0)
        screenshot(page, "chat")
        return
    box = page.get_by_role("textbox", name="Message")
    box.fill("/status")
    box.press("Enter")
    expect(page.locator(".bubble.user").last).to_contain_text("/status")
    reply = page.locator(".bubble.assistant").last
    expect(reply).not_to_have_class(re.compile("streaming"), timeout=15_000)
    expect(reply).not_to_be_empty()
    expect(reply).not_to_have_class(re.compile("failed"))
    box.fill("Is anything broken in the cluster?")
    page.get_by_role("button", name="Send").click()
    answer = page.locator(".bubble.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming"), timeout=15_000)
    if "offline" in (page.locator(".agent-info").text_content() or ""):
        expect(answer).to_contain_text("No model is configured")  # the gateway's offline notice, verbatim
    screenshot(page, "chat")
    page.reload()  # the transcript comes back from chat.history
    expect(page.locator(".bubble.user").filter(has_text="/status")).to_have_count(1)


def test_config_edit_after_a_change_elsewhere_is_refused_then_saved_on_the_fresh_version(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    pair_local_browser(page, gw)
    page.get_by_role("link", name="Config").click()
    page.get_by_label("Filter by path").fill("maxbody")  # opens the matching section
    row = page.locator('tr[data-path="hooks.maxBodyBytes"]')
    row.get_by_role("button", name="Edit hooks.maxBodyBytes").click()
    page.get_by_label("New value for hooks.maxBodyBytes").fill("524288")

    gw.cli("config", "set", "events.retentionDays", "14")  # another operator changes the state file meanwhile
    # config.get reports the hash of the config the gateway has loaded, so wait for its hot reload.
    wait_for(lambda: gw.call("config.get")["config"]["events"]["retentionDays"] == 14, timeout=15)
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("alert")).to_contain_text("The config changed since this page read it")
    expect(page.get_by_label("New value for hooks.maxBodyBytes")).to_have_value("524288")
    row.get_by_role("button", name="Save").click()
    expect(page.locator('tr[data-path="hooks.maxBodyBytes"]')).to_contain_text("524288")
    state = json.loads((gw.state_dir / "openclaw.json").read_text())
    assert state["hooks"]["maxBodyBytes"] == 524288 and state["events"]["retentionDays"] == 14  # neither change lost
