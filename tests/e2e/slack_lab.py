"""Slack settings for a test gateway pointed at the local Slack (`slack_servers.FakeSlack`)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

from slack_servers import APP_TOKEN, BOT_TOKEN, FakeSlack

from openclaw.config import store as config_store
from openclaw.core.services import Services
from openclaw.slack import slack_of

APPROVER = "UAPPROVER"
OPERATOR = "UOPERATOR"
SIGNING_SECRET = "signing-secret-for-tests-0123456789"


def slack_config(fake: FakeSlack, **over: Any) -> dict[str, Any]:
    return {
        "enabled": True, "mode": "socket", "botToken": BOT_TOKEN, "appToken": APP_TOKEN, "signingSecret": SIGNING_SECRET,
        "apiUrl": fake.api_url, "channels": {"default": "CINCIDENTS", "critical": "CCRITICAL"},
        "approvers": {APPROVER: ["operator.read", "operator.approvals"]}, "allowedUsers": [OPERATOR],
        # short timings: a test's storm and outage fit in a few wall seconds
        "debounce": 0.3, "channelInterval": 0.05, "retryMaxDelay": 0.5, "chatUpdateInterval": 0.1, **over,
    }


def configure(state_dir: Path, fake: FakeSlack, **over: Any) -> None:
    config_store.set_value(state_dir, "slack", slack_config(fake, **over))


async def drained(services: Services, timeout: float = 20.0) -> None:
    """Every queued Slack message has been sent (or refused by Slack)."""
    slack = slack_of(services)
    deadline = time.monotonic() + timeout
    while slack.outbox.count():
        slack.sender.wake()
        assert time.monotonic() < deadline, f"{slack.outbox.count()} Slack messages still queued; last error {slack.sender.state.last_error}"
        await asyncio.sleep(0.05)


async def until(predicate: Callable[[], Any], *, what: str, timeout: float = 15.0) -> None:
    """Wait (on the event loop, so the gateway keeps running) until `predicate()` is truthy."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)
