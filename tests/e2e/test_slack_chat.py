"""Chat from Slack: a mention runs an agent turn in the thread's session, the answer streams into
the thread by editing one reply, and the restart it asks for goes through the policy and the audit.
The model is the local Anthropic-speaking server the agent tests use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from agent_gateway_fixture import agent_stack, eventually, last_tool_result, say, tool_use
from slack_lab import OPERATOR, drained, slack_config, until
from slack_servers import FakeSlack, mention

from openclaw.policy.capability import policy_of

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def test_a_mention_restarts_sonarr_through_the_agent_and_the_reply_streams_into_the_thread(state_dir: Path, fake_slack: FakeSlack) -> None:
    long_answer = "Done: sonarr was restarted through the policy and its new pods are coming up. " * 4
    turns: list[Any] = [
        tool_use("toolu_s1", "restart_workload", {"namespace": "media", "name": "sonarr", "kind": "Deployment",
                                                  "reason": "operator asked in Slack"}, text="Restarting sonarr."),
        lambda body: say(long_answer + f"(outcome {last_tool_result(body)['data']['outcome']})"),
    ]
    async with agent_stack(state_dir, turns, extra={"slack": slack_config(fake_slack)}) as stack:
        stack.model.chunk_delay = 0.05  # the answer arrives in pieces, as a real model's stream does
        selector = "app.kubernetes.io/name=sonarr"
        await eventually(lambda: stack.ready_pod_names("media", selector), what="a Ready sonarr pod")
        await fake_slack.send("events_api", mention(OPERATOR, "please restart media/deployment/sonarr", channel="CINCIDENTS", ts="1700000500.000100"))
        engine = policy_of(stack.gateway.services)
        await until(lambda: any(a.kind == "workload.restart" for a in engine.audit.list()), what="the restart in the audit", timeout=30)

        def replied() -> bool:
            return any("(outcome applied)" in m.text for m in fake_slack.messages)

        await until(replied, what="the final answer in the thread", timeout=30)
        await drained(stack.gateway.services)
        action = next(a for a in engine.audit.list() if a.kind == "workload.restart")
        assert (action.target, action.outcome) == ("Deployment/media/sonarr", "applied")
        assert action.actor == "agent:slack:CINCIDENTS:1700000500.000100", "the session of the Slack thread asked"
        # an unlisted user is told no, and no turn runs
        requests = len(stack.model.requests)
        await fake_slack.send("events_api", mention("USTRANGER", "restart sonarr", channel="CINCIDENTS", ts="1700000600.000100"))
        await until(lambda: fake_slack.ephemerals, what="the refusal")
        assert fake_slack.ephemerals[-1]["user"] == "USTRANGER" and "allowedUsers" in fake_slack.ephemerals[-1]["text"]
        assert len(stack.model.requests) == requests
    replies = [m for m in fake_slack.messages if m.thread_ts == "1700000500.000100"]
    assert len(replies) == 1, "one reply, edited as the answer streamed (not a flood)"
    assert replies[0].edits >= 2 and replies[0].text.endswith("(outcome applied)")
