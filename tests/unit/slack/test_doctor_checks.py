"""`openclaw doctor`'s Slack checks against the local Slack: a good token and channels pass, a
wrong token, an unknown channel id and a missing app token fail with what to fix."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from slack_servers import APP_TOKEN, BOT_TOKEN, FakeSlack

from openclaw.config.schema import SlackSettings
from openclaw.slack.checks import checks


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_doctor_checks_tokens_and_channel_ids(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    good = SlackSettings.model_validate({"enabled": True, "botToken": BOT_TOKEN, "appToken": APP_TOKEN, "apiUrl": fake.api_url,
                                         "channels": {"default": "CINCIDENTS", "critical": "CNOSUCH"}})
    # the CLI's checks are synchronous: run them off the loop that serves the local Slack
    results = {name: (status, detail) for name, status, detail in await asyncio.to_thread(checks, good)}
    assert results["slack bot token"][0] == "ok" and "openclaw in homelab" in results["slack bot token"][1]
    assert results["slack app token"][0] == "ok"
    assert results["slack channel default"][0] == "ok"
    assert results["slack channel critical"] == ("fail", "slack.channels.critical CNOSUCH: channel_not_found (expected a channel id such as C0123ABCD)")
    assert ("auth.test", {}) in [(m, {}) for m, _ in fake.calls]

    wrong = good.model_copy(update={"bot_token": "xoxb-wrong", "app_token": BOT_TOKEN})
    results = {name: (status, detail) for name, status, detail in await asyncio.to_thread(checks, wrong)}
    assert results["slack bot token"] == ("fail", "auth.test refused it: invalid_auth")
    assert results["slack app token"][0] == "fail" and "xapp-" in results["slack app token"][1]

    http = SlackSettings.model_validate({"enabled": True, "mode": "http", "botToken": BOT_TOKEN, "apiUrl": fake.api_url})
    results = {name: (status, detail) for name, status, detail in await asyncio.to_thread(checks, http)}
    assert results["slack signing secret"][0] == "fail"
    assert checks(SlackSettings()) == [("slack", "ok", "off (slack.enabled false)")]
