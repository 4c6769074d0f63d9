"""Approve/Deny from Slack against a real gateway and the sandbox cluster: a click from an approver
runs the parked action (the cluster changes, the audit names the Slack user); a click from anyone
else, a replayed click, a button whose hash does not match, and forged or stale HTTP-mode requests
are refused and change nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from ops_lab import Lab, crash_current_pods, pin_fault_to_current_pods, run_lab
from slack_lab import APPROVER, OPERATOR, SIGNING_SECRET, configure, drained, until
from slack_servers import FakeSlack, SlackMessage, block_action

from openclaw.policy.capability import policy_of

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TRANSIENT = "dial tcp 10.43.12.7:5432: connect: connection refused"
APPROVAL = {"policy": {"actions": {"workload.restart": {"requireApproval": True}}}}


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def restarted_at(lab: Lab) -> str | None:
    dep = lab.store.get("deployments", "media", "sonarr")
    return ((dep["spec"]["template"].get("metadata") or {}).get("annotations") or {}).get("kubectl.kubernetes.io/restartedAt")


async def parked_restart(lab: Lab, fake: FakeSlack) -> tuple[str, SlackMessage]:
    """Crash sonarr until its runbook asks to restart it; returns the action id and its Slack message."""
    fault = crash_current_pods(lab, "media", "sonarr", TRANSIENT, fixed_by_restart=True)
    await lab.step(5)
    pin_fault_to_current_pods(lab, fault, "media", "sonarr")

    async def parked() -> bool:
        return any(a.outcome == "pending_approval" for a in lab.actions())

    await lab.run_until(parked)
    await drained(lab.gw.services)
    action = next(a for a in lab.actions() if a.outcome == "pending_approval")
    message = next(m for m in fake.messages if "approve" in m.buttons())
    return action.id, message


async def test_a_click_from_an_approver_runs_the_action_and_the_audit_names_the_slack_user(state_dir: Path, fake_slack: FakeSlack) -> None:
    configure(state_dir, fake_slack)
    async with run_lab(state_dir, ops=APPROVAL) as lab:
        action_id, message = await parked_restart(lab, fake_slack)
        root = fake_slack.roots()[0]
        assert message.thread_ts == root.ts, "the approval sits in the incident's thread"
        value = message.buttons()["approve"]
        assert value.startswith(action_id + ":")
        engine = policy_of(lab.gw.services)

        # someone not in slack.approvers: told so, nothing changes
        ack = await fake_slack.send("interactive", block_action(OPERATOR, "approve", value, channel=message.channel, ts=message.ts))
        assert ack["envelope_id"]
        await until(lambda: fake_slack.ephemerals, what="the refusal")
        assert fake_slack.ephemerals[-1]["user"] == OPERATOR and "not an approver" in fake_slack.ephemerals[-1]["text"]
        # a button whose parameter hash is not the action's
        await fake_slack.send("interactive", block_action(APPROVER, "approve", action_id + ":0000000000000000", channel=message.channel, ts=message.ts))
        await until(lambda: len(fake_slack.ephemerals) == 2, what="the second refusal")
        assert "does not match" in fake_slack.ephemerals[-1]["text"]
        rec = engine.audit.get(action_id)
        assert rec is not None and rec.outcome == "pending_approval" and rec.resolution is None
        assert restarted_at(lab) is None

        await fake_slack.send("interactive", block_action(APPROVER, "approve", value, channel=message.channel, ts=message.ts))
        done = await engine.wait(action_id, timeout_s=30)
        assert (done.outcome, done.verification) == ("applied", "passed")
        assert restarted_at(lab) is not None, "the sandbox cluster changed"
        rec = engine.audit.get(action_id)
        assert rec is not None and rec.resolved_by == f"slack:{APPROVER}" and rec.resolution == "approved"

        # the same click again (a replay): refused, no second restart
        first = restarted_at(lab)
        await fake_slack.send("interactive", block_action(APPROVER, "approve", value, channel=message.channel, ts=message.ts))
        await until(lambda: len(fake_slack.ephemerals) == 3, what="the replay's refusal")
        assert "already decided" in fake_slack.ephemerals[-1]["text"]
        assert restarted_at(lab) == first
        assert [a.kind for a in lab.actions() if a.executed] == ["workload.restart"]
        await drained(lab.gw.services)
    shown = fake_slack.find(message.ts)
    assert shown is not None and f"approved by <@{APPROVER}>" in shown.text and "approve" not in shown.buttons()


def signed(body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": "application/x-www-form-urlencoded"}


def click_form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


async def test_http_mode_refuses_forged_and_stale_requests_and_takes_a_signed_click(state_dir: Path, fake_slack: FakeSlack) -> None:
    configure(state_dir, fake_slack, mode="http")
    async with run_lab(state_dir, ops=APPROVAL) as lab:
        action_id, message = await parked_restart(lab, fake_slack)
        body = click_form(block_action(APPROVER, "approve", message.buttons()["approve"], channel=message.channel, ts=message.ts))
        engine = policy_of(lab.gw.services)
        async with httpx.AsyncClient(base_url=lab.gw.http_url) as client:
            forged = await client.post("/slack/interactive", content=body, headers=signed(body, secret="not-the-secret"))
            stale = await client.post("/slack/interactive", content=body, headers=signed(body, timestamp=int(time.time()) - 301))
            unsigned = await client.post("/slack/interactive", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
            tampered = await client.post("/slack/interactive", content=body.replace(b"approve", b"deny"), headers=signed(body))
            for refused in (forged, stale, unsigned, tampered):
                assert refused.status_code == 401, refused.text
                assert "X-Slack-Signature" in refused.json()["detail"]
            rec = engine.audit.get(action_id)
            assert rec is not None and rec.resolution is None and restarted_at(lab) is None

            challenge = json.dumps({"type": "url_verification", "challenge": "c-123"}).encode()
            answered = await client.post("/slack/events", content=challenge, headers={**signed(challenge), "Content-Type": "application/json"})
            assert answered.json() == {"challenge": "c-123"}
            command = urlencode({"command": "/openclaw", "text": "status", "user_id": OPERATOR, "channel_id": "CINCIDENTS"}).encode()
            status = await client.post("/slack/interactive", content=command, headers=signed(command))
            assert "1 action(s) waiting for approval" in status.json()["text"], status.text

            ok = await client.post("/slack/interactive", content=body, headers=signed(body))
            assert ok.status_code == 200
        done = await engine.wait(action_id, timeout_s=30)
        assert done.outcome == "applied" and restarted_at(lab) is not None
        rec = engine.audit.get(action_id)
        assert rec is not None and rec.resolved_by == f"slack:{APPROVER}"


async def test_slash_command_approve_by_id_checks_the_approver(state_dir: Path, fake_slack: FakeSlack) -> None:
    configure(state_dir, fake_slack)
    async with run_lab(state_dir, ops=APPROVAL) as lab:
        action_id, _ = await parked_restart(lab, fake_slack)
        refused = await fake_slack.send("slash_commands", {"command": "/openclaw", "text": f"approve {action_id}", "user_id": OPERATOR, "channel_id": "CINCIDENTS"})
        assert "not an approver" in refused["payload"]["text"]
        listed = await fake_slack.send("slash_commands", {"command": "/openclaw", "text": "incidents", "user_id": OPERATOR, "channel_id": "CINCIDENTS"})
        assert "sonarr" in listed["payload"]["text"]
        ok = await fake_slack.send("slash_commands", {"command": "/openclaw", "text": f"approve {action_id}", "user_id": APPROVER, "channel_id": "CINCIDENTS"})
        assert f"Action {action_id} approved" in ok["payload"]["text"]
        done = await policy_of(lab.gw.services).wait(action_id, timeout_s=30)
        assert done.outcome == "applied" and restarted_at(lab) is not None
