"""Approve / Decline on the Slack message of a Seerr request waiting for approval, against a real
gateway, the local Slack servers and the sandbox's media apps: the message shows the buttons; a
click from an approver goes through the policy (audited as the Slack user) and moves the request
on in the simulated Jellyseerr; a click from anyone else, a replayed click and a tampered button
change nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from slack_lab import APPROVER, OPERATOR, configure, drained, until
from slack_servers import FakeSlack, SlackMessage, block_action

from openclaw.config import store as config_store
from openclaw.events import events_of
from openclaw.gateway.embedded import EmbeddedGateway, run_embedded
from openclaw.media.capability import MEDIA_ENDPOINTS, media_of
from openclaw.policy.capability import policy_of
from openclaw.policy.engine import PolicyEngine
from openclaw.sandbox.embedded import media_endpoints
from openclaw.sandbox.runtime import Sandbox, SandboxOptions

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TOKEN = "slack-media-hook-token-0123456789"
EEAAO = "movie:tmdb:545611"  # Everything Everywhere All at Once
SEVERANCE = "tv:tvdb:371980"
FAMILY = 2  # the Seerr user whose requests wait for approval


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@asynccontextmanager
async def homelab(state_dir: Path, fake: FakeSlack, **ops: object) -> AsyncIterator[tuple[EmbeddedGateway, Sandbox]]:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    # The media runbook stays out of it (it would ask for the same approval): only Slack answers here.
    config_store.set_value(state_dir, "media", {"pollInterval": "1h", "fixesEnabled": False})
    config_store.set_value(state_dir, "ops", {"verifyTimeout": 30, "verifyStableFor": 0, **ops})
    configure(state_dir, fake, channels={"default": "CINCIDENTS", "media": "CDEFAULT"})
    box = Sandbox(SandboxOptions(speed=300))
    await box.start()
    try:
        async with run_embedded(state_dir, install=[lambda s: s.put(MEDIA_ENDPOINTS, media_endpoints(box))]) as gw:
            box.send_webhooks_to(f"{gw.http_url}/hooks", TOKEN)
            yield gw, box
    finally:
        await box.stop()


def item_message(fake: FakeSlack, key: str) -> SlackMessage | None:
    return next((m for m in fake.roots("CDEFAULT") if f"({key})" in json.dumps(m.blocks)), None)


async def waiting(gw: EmbeddedGateway, fake: FakeSlack, key: str) -> SlackMessage:
    """The item's message once it waits for approval with its buttons."""

    def shown() -> bool:
        m = item_message(fake, key)
        return m is not None and m.text.startswith("waiting for approval") and "media_request_approve" in m.buttons()

    await until(shown, what=f"the waiting message of {key}", timeout=30)
    await events_of(gw.services).processor.drain()
    message = item_message(fake, key)
    assert message is not None
    return message


async def click(fake: FakeSlack, user: str, button: str, value: str, message: SlackMessage) -> None:
    ack = await fake.send("interactive", block_action(user, button, value, channel=message.channel, ts=message.ts))
    assert ack["envelope_id"], "acknowledged at once"


def answered(fake: FakeSlack, message: SlackMessage, needle: str) -> bool:
    shown = fake.find(message.ts)
    return shown is not None and needle in json.dumps(shown.blocks)


def slack_actions(engine: PolicyEngine, kind: str) -> list[dict[str, object]]:
    return [a.to_json() for a in engine.audit.list(limit=100) if a.kind == kind]


async def test_approve_from_an_approver_moves_the_request_on_and_nothing_else_counts(state_dir: Path, fake_slack: FakeSlack) -> None:
    async with homelab(state_dir, fake_slack) as (gw, box):
        pipeline = box.media.pipeline
        request = pipeline.create_request("movie", 545611, None, FAMILY)
        message = await waiting(gw, fake_slack, EEAAO)
        buttons = message.buttons()
        assert set(buttons) == {"media_request_approve", "media_request_decline"}
        value = buttons["media_request_approve"]
        assert value.startswith(f"jellyseerr/{EEAAO}|")
        engine = policy_of(gw.services)

        # someone not in slack.approvers: told so, nothing changes
        await click(fake_slack, OPERATOR, "media_request_approve", value, message)
        await until(lambda: fake_slack.ephemerals, what="the refusal")
        assert fake_slack.ephemerals[-1]["user"] == OPERATOR and "not an approver" in fake_slack.ephemerals[-1]["text"]
        # a tampered button: the hash is not the one of the action it names
        forged = value.rsplit("|", 1)[0] + "|0000000000000000"
        await click(fake_slack, APPROVER, "media_request_approve", forged, message)
        # the decline button's value under the approve action id: its hash commits to the decline
        await click(fake_slack, APPROVER, "media_request_approve", buttons["media_request_decline"], message)
        await until(lambda: len(fake_slack.ephemerals) == 3, what="the refusals of the tampered buttons")
        assert all("does not match media.request.approve" in e["text"] for e in fake_slack.ephemerals[1:])
        assert pipeline.state.requests[request.id].status == 1 and slack_actions(engine, "media.request.approve") == []

        await click(fake_slack, APPROVER, "media_request_approve", value, message)
        await until(lambda: slack_actions(engine, "media.request.approve"), what="the approve action")
        action_id = str(slack_actions(engine, "media.request.approve")[0]["id"])
        done = await engine.wait(action_id, timeout_s=30)
        assert (done.outcome, done.verification) == ("applied", "passed"), done
        assert pipeline.state.requests[request.id].status in (2, 5), "the simulated Jellyseerr approved it"
        assert pipeline.received.of("jellyseerr", method="POST", path=f"/api/v1/request/{request.id}/approve")
        rec = engine.audit.get(action_id)
        assert rec is not None and rec.actor == f"operator:slack:{APPROVER}" and rec.resolved_by == f"slack:{APPROVER}"
        assert rec.resolution == "approved" and rec.target == f"jellyseerr/{EEAAO}"
        await until(lambda: answered(fake_slack, message, f"approved by <@{APPROVER}>"), what="the message showing the outcome")
        await drained(gw.services)
        assert "media_request_approve" not in (fake_slack.find(message.ts) or message).buttons()

        # the same click again (a replay): answered ephemerally, no second action, nothing sent to Seerr
        sent = len(pipeline.received.of("jellyseerr", method="POST"))
        await click(fake_slack, APPROVER, "media_request_approve", value, message)
        await until(lambda: len(fake_slack.ephemerals) == 4, what="the replay's answer")
        assert "already answered: approved by slack:" + APPROVER in fake_slack.ephemerals[-1]["text"]
        await click(fake_slack, APPROVER, "media_request_decline", buttons["media_request_decline"], message)
        await until(lambda: len(fake_slack.ephemerals) == 5, what="the late decline's answer")
        assert "already answered" in fake_slack.ephemerals[-1]["text"]
        assert len(slack_actions(engine, "media.request.approve")) == 1 and slack_actions(engine, "media.request.decline") == []
        assert len(pipeline.received.of("jellyseerr", method="POST")) == sent and pipeline.state.requests[request.id].status in (2, 5)
        await drained(gw.services)
    shown = fake_slack.find(message.ts)
    assert shown is not None and shown.edits >= 1 and f"approved by <@{APPROVER}>" in json.dumps(shown.blocks)
    # the answer was given on the item's message: no separate approval message asks for it again
    assert [m for m in fake_slack.messages if m.channel != "CDEFAULT"] == []
    assert len(fake_slack.roots()) == 1


async def test_decline_polls_seerr_for_an_unknown_request_and_ends_declined(state_dir: Path, fake_slack: FakeSlack) -> None:
    async with homelab(state_dir, fake_slack) as (gw, box):
        pipeline = box.media.pipeline
        request = pipeline.create_request("tv", 95396, [1], FAMILY)
        message = await waiting(gw, fake_slack, SEVERANCE)
        buttons = message.buttons()
        media = media_of(gw.services)
        # as if the webhook had not named the request: the click must ask Seerr for it
        await media.update(SEVERANCE, lambda item: item.ids.pop("seerrRequest", None))
        gets_before = len(pipeline.received.of("jellyseerr", method="GET", path="/api/v1/request"))
        engine = policy_of(gw.services)

        await click(fake_slack, APPROVER, "media_request_decline", buttons["media_request_decline"], message)
        await until(lambda: slack_actions(engine, "media.request.decline"), what="the decline action")
        action_id = str(slack_actions(engine, "media.request.decline")[0]["id"])
        done = await engine.wait(action_id, timeout_s=30)
        assert (done.outcome, done.verification) == ("applied", "passed"), done
        assert pipeline.state.requests[request.id].status == 3, "declined in the simulated Jellyseerr"
        assert len(pipeline.received.of("jellyseerr", method="GET", path="/api/v1/request")) > gets_before, "Seerr was polled"
        tracked = await media.item(SEVERANCE)
        assert tracked is not None and tracked.ids.get("seerrRequest") == request.id
        rec = engine.audit.get(action_id)
        assert rec is not None and (rec.actor, rec.resolved_by) == (f"operator:slack:{APPROVER}", f"slack:{APPROVER}")
        assert rec.resolution == "approved" and rec.target == f"jellyseerr/{SEVERANCE}"
        assert slack_actions(engine, "media.request.approve") == []
        await until(lambda: answered(fake_slack, message, f"declined by <@{APPROVER}>"), what="the message showing the decline")
        # Seerr's MEDIA_DECLINED webhook moves the message on; the answer stays on it
        await until(lambda: (fake_slack.find(message.ts) or message).text.startswith("declined"), what="the declined phase", timeout=30)
        await click(fake_slack, APPROVER, "media_request_approve", buttons["media_request_approve"], message)
        await until(lambda: fake_slack.ephemerals, what="the late approve's answer")
        assert "already answered: declined" in fake_slack.ephemerals[-1]["text"]
        assert pipeline.state.requests[request.id].status == 3 and slack_actions(engine, "media.request.approve") == []
        await drained(gw.services)


async def test_no_buttons_when_the_policy_would_not_take_the_answer(state_dir: Path, fake_slack: FakeSlack) -> None:
    disabled = {"policy": {"actions": {"media.request.approve": {"enabled": False}}}}
    async with homelab(state_dir, fake_slack, **disabled) as (gw, box):
        box.media.pipeline.create_request("movie", 545611, None, FAMILY)

        def shown() -> bool:
            m = item_message(fake_slack, EEAAO)
            return m is not None and m.text.startswith("waiting for approval")

        await until(shown, what="the waiting message", timeout=30)
        await drained(gw.services)
        message = item_message(fake_slack, EEAAO)
        assert message is not None and list(message.buttons()) == ["media_request_decline"], "approve is disabled: no Approve button"
