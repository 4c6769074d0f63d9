"""The outbox, the sender and the feed against the local Slack (no gateway): Retry-After is
honoured, one channel's 429 does not hold another, queued messages survive a reopen, routing by
severity, the grouping window, debounce, mute and the queue bound."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_servers import BOT_TOKEN, FakeSlack
from slack_sdk.web.async_client import AsyncWebClient

from openclaw.config.schema import SlackSettings
from openclaw.slack.feed import Feed, root_key
from openclaw.slack.outbox import Outbox, QueueFull
from openclaw.slack.sender import Pacing, Sender


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def settings(**over: Any) -> SlackSettings:
    base: dict[str, Any] = {"enabled": True, "channels": {"default": "CINCIDENTS", "critical": "CCRITICAL"}, "debounce": 0.0, "channelInterval": 0.0}
    return SlackSettings.model_validate({**base, **over})


def sender_for(outbox: Outbox, fake: FakeSlack, interval: float = 0.0) -> Sender:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url, retry_handlers=[])
    return Sender(outbox, lambda: client, Pacing(lambda: interval, lambda: 0.2))


async def drain(sender: Sender, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while sender.outbox.count():
        await sender.send_due()
        assert time.monotonic() < deadline, f"still queued; last error {sender.state.last_error}"
        await asyncio.sleep(0.02)


def incident(inc_id: str, severity: str = "warning", status: str = "firing", **extra: Any) -> dict[str, Any]:
    return {"id": inc_id, "status": status, "title": f"KubePodCrashLooping: media/{inc_id}", "severity": severity, "namespace": "media", "alertCount": 1, **extra}


async def test_a_429_is_retried_after_its_retry_after_and_holds_up_only_its_channel(tmp_path: Path, fake: FakeSlack) -> None:
    outbox = Outbox(tmp_path / "slack.db", limit=100)
    sender = sender_for(outbox, fake)
    fake.rate_limited, fake.retry_after = 1, 1
    outbox.post("CINCIDENTS", {"text": "first"}, now=time.time())
    started = time.monotonic()
    await sender.send_due()  # answered 429
    assert fake.messages == [] and outbox.count() == 1
    outbox.post("CCRITICAL", {"text": "other channel"}, now=time.time())
    await sender.send_due()
    assert [m.text for m in fake.messages] == ["other channel"], "a paused channel does not hold up another"
    await drain(sender)
    assert time.monotonic() - started >= 1.0, "sent again only after Retry-After"
    assert [m.text for m in fake.messages] == ["other channel", "first"]
    assert fake.methods().count("chat.postMessage") == 3


async def test_an_unreachable_slack_keeps_the_message_and_it_survives_a_reopen(tmp_path: Path, fake: FakeSlack) -> None:
    outbox = Outbox(tmp_path / "slack.db", limit=100)
    sender = sender_for(outbox, fake)
    await fake.go_down()
    outbox.put_message("root:inc-1", "CINCIDENTS", {"text": "firing"}, now=time.time())
    await sender.send_due()
    assert outbox.count() == 1 and sender.state.last_error and "unreachable" in sender.state.last_error
    outbox.close()
    reopened = Outbox(tmp_path / "slack.db", limit=100)
    await fake.come_back()
    await drain(sender_for(reopened, fake))
    assert [m.text for m in fake.messages] == ["firing"]
    assert reopened.posted("root:inc-1") is not None


async def test_channel_pacing_spaces_two_messages(tmp_path: Path, fake: FakeSlack) -> None:
    outbox = Outbox(tmp_path / "slack.db", limit=100)
    sender = sender_for(outbox, fake, interval=0.5)
    now = time.time()
    outbox.post("CINCIDENTS", {"text": "a"}, now=now)
    outbox.post("CINCIDENTS", {"text": "b"}, now=now)
    await sender.send_due()
    await sender.send_due()
    assert [m.text for m in fake.messages] == ["a"], "the second waits for slack.channelInterval"
    await asyncio.sleep(0.55)
    await sender.send_due()
    assert [m.text for m in fake.messages] == ["a", "b"]


async def test_routing_grouping_debounce_and_mute(tmp_path: Path, fake: FakeSlack) -> None:
    outbox = Outbox(tmp_path / "slack.db", limit=100)
    sender = sender_for(outbox, fake)
    clock = [1000.0]
    s = settings(groupingWindow=60, debounce=2.0)
    feed = Feed(outbox, lambda: s, sender.wake, clock=lambda: clock[0])
    await feed.on_notice("incident.opened", incident("inc-1", "critical"))
    await feed.on_notice("incident.opened", incident("inc-2", "warning"))
    await feed.on_notice("incident.opened", incident("inc-3", "info"))  # below slack.minSeverity
    await feed.on_notice("incident.opened", incident("inc-4", "critical"))  # same channel, within the window: same group
    clock[0] += 61
    await feed.on_notice("incident.opened", incident("inc-5", "critical"))  # past the window: a group of its own
    rows = outbox.due(clock[0] + 10, set())
    assert {r.channel for r in rows} == {"CCRITICAL", "CINCIDENTS"}
    assert outbox.due(clock[0] - 62, set()) == [], "each message waits slack.debounce first"
    grouped = outbox.get_state("group:inc-1")
    assert sorted(grouped["incidents"]) == ["inc-1", "inc-4"]
    assert outbox.get_state("incident:inc-3") is None
    assert outbox.get_state("incident:inc-5") == "inc-5"

    feed.set_muted("inc-1", "slack:UOP")
    await feed.on_notice("incident.updated", incident("inc-1", "critical", note={"kind": "report", "author": "runbook:x", "summary": "look"}))
    assert not [r for r in outbox.due(clock[0] + 10, set()) if r.thread_key == root_key("inc-1")], "a muted group gets no thread entries"
    body = next(r.body for r in outbox.due(clock[0] + 10, set()) if r.key == root_key("inc-1"))
    assert "muted by <@UOP>" in str(body["blocks"]) and "unmute" in str(body["blocks"])


async def test_the_queue_bound_drops_thread_entries_but_keeps_roots(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "slack.db", limit=10)
    for i in range(10):
        outbox.post("CINCIDENTS", {"text": str(i)}, now=0)
    with pytest.raises(QueueFull, match="slack.queueLimit 10"):
        outbox.post("CINCIDENTS", {"text": "more"}, now=0)
    outbox.put_message("root:inc-9", "CINCIDENTS", {"text": "root"}, now=0)
    outbox.post("CINCIDENTS", {"text": "approval"}, now=0, essential=True)
    assert outbox.count() == 12


def test_unknown_approver_scopes_are_refused_with_the_user_and_the_scope() -> None:
    with pytest.raises(ValueError, match="U1: unknown scope 'operator.everything'"):
        settings(approvers={"U1": ["operator.everything"]})
