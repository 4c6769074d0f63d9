"""Chat and lists speak human, in a real browser: a device renamed on the Devices screen is shown by
its name in Devices, Actions (requested by, approved by) and chat; the agent's Markdown answer is
rendered (lists, code, links) with its HTML shown as text; an action id in chat links to the
Actions screen, which scrolls to that action.

The model is a local server speaking the OpenAI chat/completions wire format (tests/e2e/agent_model_servers.py)."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import screenshot
from e2e.agent_model_servers import ScriptedServer, openai_app, serve
from servers import Gateway
from test_control_ui import pair_local_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "Anna's laptop"


class ModelServer:
    """The scripted model server on its own event loop, for a synchronous browser test."""

    def __init__(self, server: ScriptedServer) -> None:
        self.server = server
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with serve(openai_app(self.server)) as url:
            self.url = url
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> ModelServer:
        self._thread.start()
        self._done = asyncio.run_coroutine_threadsafe(self._serve(), self._loop)
        assert self._ready.wait(10), "the model server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._done.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()  # else its self-pipe sockets warn when collected, inside a later test


@pytest.fixture
def facts() -> dict[str, str]:
    return {}


@pytest.fixture
def model(facts: dict[str, str]) -> Iterator[ModelServer]:
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        text = (
            "Here is what I found:\n\n"
            "- sonarr is **Ready**\n"
            "- `kubectl get pods -n media` lists it\n\n"
            "```\nkubectl rollout restart deployment/sonarr -n media\n```\n\n"
            f"Action {facts.get('action', 'act_0000000000000000')} was approved by operator:device:{facts.get('device', '')}. "
            '<img src=x onerror="window.__pwned = 1"> See [the runbook docs](https://example.org/runbooks).'
        )
        return {"content": text, "finish_reason": "stop"}

    with ModelServer(ScriptedServer(turns=[answer] * 20)) as server:
        yield server


def test_a_renamed_device_shows_by_name_and_chat_renders_markdown_with_action_links(
    page: Page, make_gateway: Callable[..., Gateway], model: ModelServer, facts: dict[str, str]
) -> None:
    gw = make_gateway({
        "ops.policy.actions": {"workload.restart": {"requireApproval": True}},
        "models": {"providers": {"local": {"api": "openai-completions", "baseUrl": model.url + "/v1", "apiKey": "local-model-key",
                                           "models": [{"id": "m1", "contextWindow": 32768}]}}},
        "agents.defaults.model.primary": "local/m1",
    }, args=("--sandbox",))
    device_id = pair_local_browser(page, gw)
    facts["device"] = device_id

    # Devices: name this browser in place.
    page.get_by_role("link", name="Devices").click()
    row = page.locator(f'tr[data-device-id="{device_id}"]')
    row.get_by_role("textbox", name=f"Name of device {device_id}").fill(NAME)
    row.get_by_role("button", name=f"Save the name of device {device_id}").click()
    expect(page.get_by_role("status").filter(has_text=f"Renamed to {NAME}")).to_be_visible()
    expect(row.get_by_role("textbox", name=f"Name of device {device_id}")).to_have_value(NAME)
    assert '"name": "Anna\'s laptop"' in gw.cli("devices", "list", "--json").stdout
    screenshot(page, "devices-named")

    # An action requested from chat by this device, approved on the Actions screen by it.
    page.get_by_role("link", name="Chat").click()
    box = page.get_by_role("textbox", name="Message")
    box.fill("/restart media/deployment/sonarr")
    box.press("Enter")
    reply = page.locator(".bubble.assistant").last
    expect(reply).to_contain_text("pending_approval")
    found = re.search(r"act_[0-9a-f]{16}", reply.inner_text())
    assert found
    facts["action"] = action_id = found.group(0)
    page.get_by_role("link", name="Actions").click()
    page.get_by_role("button", name="Approve workload.restart Deployment/media/sonarr").click()
    action_row = page.locator(f'tr[data-action-id="{action_id}"]')
    expect(action_row.locator('td[data-label="Requested by"]')).to_have_text(NAME)
    expect(action_row.locator('td[data-label="Approved by"]')).to_have_text(NAME)
    expect(action_row).not_to_contain_text(device_id[:12])

    # Chat: /actions lists it by name, the agent's Markdown answer is rendered, ids are links.
    page.get_by_role("link", name="Chat").click()
    box = page.get_by_role("textbox", name="Message")
    box.fill("/actions")
    box.press("Enter")
    listing = page.locator(".bubble.assistant").last
    expect(listing).to_contain_text(f"by {NAME}")
    expect(listing).not_to_contain_text(device_id[:12])
    box.fill("What happened to sonarr?")
    box.press("Enter")
    answer = page.locator(".bubble.assistant").last
    expect(answer).not_to_have_class(re.compile("streaming"), timeout=20_000)
    expect(answer.locator("ul > li")).to_have_count(2)
    expect(answer.locator("ul > li").first.locator("strong")).to_have_text("Ready")
    expect(answer.locator("li code")).to_have_text("kubectl get pods -n media")
    expect(answer.locator("pre > code")).to_have_text("kubectl rollout restart deployment/sonarr -n media")
    expect(answer.get_by_role("link", name="the runbook docs")).to_have_attribute("href", "https://example.org/runbooks")
    expect(answer).to_contain_text(f"approved by {NAME}")
    # The HTML in the answer is text, never markup.
    expect(answer.locator("img")).to_have_count(0)
    expect(answer).to_contain_text('<img src=x onerror="window.__pwned = 1">')
    assert page.evaluate("window.__pwned") is None
    screenshot(page, "chat-markdown")

    answer.get_by_role("link", name=action_id).click()
    expect(page).to_have_url(re.compile(f"#/actions/{action_id}$"))
    expect(page.get_by_role("heading", name="Actions", exact=True)).to_be_visible()
    focused = page.locator("tr.focused")
    expect(focused).to_have_count(1)
    expect(focused).to_have_attribute("data-action-id", action_id)
    expect(focused).to_be_in_viewport()


def test_a_device_named_as_it_is_approved_on_the_devices_screen(browser: Any, page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    pair_local_browser(page, gw)
    other = browser.new_context()
    try:
        second = other.new_page()
        second.goto(gw.http_url + "/")
        second.get_by_label("Gateway token").fill(gw.token)
        second.get_by_role("button", name="Connect").click()
        expect(second.get_by_role("heading", name="Pairing required")).to_be_visible()
        request_id = second.locator(".request-id").inner_text().strip()
        page.get_by_role("link", name="Devices").click()
        page.get_by_role("textbox", name=f"Name for the device of request {request_id}").fill("  hall   tablet ")
        page.get_by_role("button", name=f"Approve request {request_id}").click()
        expect(page.get_by_role("status").filter(has_text="Approved hall tablet")).to_be_visible()  # as the gateway stored it
        paired = [d for d in json_of(gw.cli("devices", "list", "--json").stdout)["paired"] if d.get("clientId") == "openclaw-control-ui"]
        assert sorted(str(d.get("name")) for d in paired) == ["None", "hall tablet"]
        named = next(d for d in paired if d.get("name") == "hall tablet")
        row = page.locator(f'tr[data-device-id="{named["deviceId"]}"]')
        expect(row.get_by_role("textbox", name=f"Name of device {named['deviceId']}")).to_have_value("hall tablet")
        expect(second.locator("#conn-status")).to_have_text("Connected")
    finally:
        other.close()


def json_of(text: str) -> dict[str, Any]:
    import json

    data = json.loads(text)
    assert isinstance(data, dict)
    return data
