"""The Config screen in a real browser with secrets in the config: every `env` value, a typed API
key and an open section's key are hidden (never in the page, never in the gateway log), and a
secret's editor will not save an empty value over the secret."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from servers import Gateway
from test_control_ui import pair_local_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOMELAB_ORIGIN = "https://openclaw.homelab.local"
OPENAI_KEY = "sk-proj-5mKq2ZyR8vXw3TnB7cLd"
SONARR_KEY = "9f1c2e7a4b6d8e0f1a2b3c4d"
NEW_KEY = "sk-proj-rotated-Hh7Jj8Kk9L"


def test_config_screen_hides_env_and_schema_secrets_and_keeps_a_secret_on_an_empty_save(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({
        "gateway.controlUi.allowedOrigins": [HOMELAB_ORIGIN],
        "env": {"OPENAI_API_KEY": OPENAI_KEY},
        "media.apps.sonarr": {"kind": "sonarr", "url": "http://sonarr:8989", "apiKey": SONARR_KEY},
    })
    pair_local_browser(page, gw)
    page.get_by_role("link", name="Config").click()
    page.get_by_label("Filter by path").fill("env.")

    row = page.locator('tr[data-path="env.OPENAI_API_KEY"]')
    expect(row).to_contain_text("secret, hidden")
    expect(row.locator(".badge")).to_have_text("state")
    page.get_by_label("Filter by path").fill("media.apps.sonarr")
    expect(page.locator('tr[data-path="media.apps.sonarr.apiKey"]')).to_contain_text("secret, hidden")
    expect(page.locator('tr[data-path="media.apps.sonarr.url"]')).to_contain_text("http://sonarr:8989")
    assert OPENAI_KEY not in page.content() and SONARR_KEY not in page.content()

    page.get_by_label("Filter by path").fill("env.")
    row.get_by_role("button", name="Edit env.OPENAI_API_KEY").click()
    field = page.get_by_label("New value for env.OPENAI_API_KEY")
    expect(field).to_have_attribute("type", "password")
    expect(field).to_have_value("")  # the page never had the secret to fill in
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("alert")).to_contain_text("Type the new secret for env.OPENAI_API_KEY")
    state = json.loads((gw.state_dir / "openclaw.json").read_text())
    assert state["env"]["OPENAI_API_KEY"] == OPENAI_KEY  # nothing was sent

    field.fill(NEW_KEY)
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved env.OPENAI_API_KEY")).to_be_visible()
    expect(page.locator('tr[data-path="env.OPENAI_API_KEY"]')).to_contain_text("secret, hidden")
    assert json.loads((gw.state_dir / "openclaw.json").read_text())["env"]["OPENAI_API_KEY"] == NEW_KEY
    assert NEW_KEY not in page.content()
    logged = gw.logs()
    assert not any(secret in logged for secret in (OPENAI_KEY, SONARR_KEY, NEW_KEY))
