"""Chat runs (events, abort, idempotency, history) and the deterministic slash commands, offline
included, acting through the real policy engine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from agent_scripts import text_reply, tool_reply

from openclaw.core.slots import Slots
from openclaw.policy.capability import POLICY
from openclaw.agent.brains.offline import OFFLINE_NOTICE, OfflineBrain
from openclaw.agent.brains.scripted import ScriptedBrain
from openclaw.agent.chat import ChatService
from openclaw.agent.messages import BrainReply, BrainRequest
from openclaw.agent.runtime import AgentRuntime, RunRequest
from openclaw.config.schema import Settings
from openclaw.policy.audit import AuditLog
from openclaw.policy.engine import PolicyEngine

Events = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def events() -> Events:
    return []


@pytest.fixture
def policy(state_dir: Path) -> PolicyEngine:
    state_dir.mkdir(parents=True, exist_ok=True)
    engine = PolicyEngine(None, AuditLog(state_dir / "events.db"), lambda: Settings().ops)
    yield engine  # type: ignore[misc]  # a generator fixture
    engine.audit.close()


def chat_events(events: Events, run_id: str) -> list[dict[str, Any]]:
    return [p for e, p in events if e == "chat" and p["runId"] == run_id]


async def test_send_returns_a_run_id_at_once_and_streams_delta_then_final(make_runtime: Callable[..., AgentRuntime], events: Events) -> None:
    gate = asyncio.Event()

    async def script(request: BrainRequest) -> BrainReply:
        await gate.wait()
        return text_reply("All 42 pods are Ready.")

    chat = ChatService(make_runtime(script), lambda e, p: events.append((e, p)))
    ack = chat.send("agent:main:main", "how are the pods?", idempotency_key="k1")
    assert ack["status"] == "started" and chat_events(events, ack["runId"]) == []
    assert chat.send("agent:main:main", "how are the pods?", idempotency_key="k1") == {"runId": ack["runId"], "status": "in_flight"}
    gate.set()
    out = await chat.wait(ack["runId"], 5)
    assert out is not None and out.text == "All 42 pods are Ready."
    seen = chat_events(events, ack["runId"])
    assert [e["state"] for e in seen] == ["delta", "final"]
    assert seen[-1]["message"]["content"][0]["text"] == "All 42 pods are Ready."
    seqs = [p["seq"] for e, p in events if p.get("runId") == ack["runId"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert chat.send("agent:main:main", "x", idempotency_key="k1")["status"] == "ok"
    history = chat.history("agent:main:main")
    assert [(m["role"], m["content"][0]["text"]) for m in history] == [("user", "how are the pods?"), ("assistant", "All 42 pods are Ready.")]


async def test_abort_stops_a_run_and_says_so(make_runtime: Callable[..., AgentRuntime], events: Events) -> None:
    async def slow(request: BrainRequest) -> BrainReply:
        await asyncio.sleep(30)
        return text_reply("never")

    chat = ChatService(make_runtime(slow), lambda e, p: events.append((e, p)))
    ack = chat.send("s", "think hard")
    await asyncio.sleep(0.05)
    assert chat.abort("s") == [ack["runId"]]
    out = await chat.wait(ack["runId"], 5)
    assert out is not None and out.stop == "aborted"
    assert chat_events(events, ack["runId"])[-1]["state"] == "aborted"
    assert chat.runs == {}


async def test_tool_activity_is_streamed_as_agent_events(make_runtime: Callable[..., AgentRuntime], events: Events) -> None:
    replies = [tool_reply("read_memory", {"file": "MEMORY.md"}), text_reply("nothing noted")]
    chat = ChatService(make_runtime(lambda r: replies.pop(0)), lambda e, p: events.append((e, p)))
    ack = chat.send("s", "what do you remember?")
    await chat.wait(ack["runId"], 5)
    tools = [p for e, p in events if e == "agent" and p["stream"] == "tool"]
    assert tools[0]["data"]["name"] == "read_memory" and tools[0]["data"]["status"] == "no_data"
    said = chat.history("s")
    assert [(m["role"], m["content"][0]["text"]) for m in said] == [("user", "what do you remember?"), ("assistant", "nothing noted")]
    everything = chat.history("s", include_tools=True)
    assert [m["content"][0]["type"] for m in everything] == ["text", "toolCall", "toolResult", "text"]


async def test_a_model_error_reaches_the_user_as_an_error_event(make_runtime: Callable[..., AgentRuntime], events: Events) -> None:
    from openclaw.agent.brains.base import BrainError

    def failing(request: BrainRequest) -> BrainReply:
        raise BrainError("anthropic/claude: HTTP 401: authentication_error: invalid x-api-key", status=401, retryable=False)

    chat = ChatService(make_runtime(failing), lambda e, p: events.append((e, p)))
    ack = chat.send("s", "hi")
    await chat.wait(ack["runId"], 5)
    last = chat_events(events, ack["runId"])[-1]
    assert last["state"] == "error" and "authentication_error" in last["errorMessage"]


def offline_chat(state_dir: Path, events: Events, policy: PolicyEngine | None) -> ChatService:
    caps = Slots()
    if policy is not None:
        caps.put(POLICY, policy)
    rt = AgentRuntime(state_dir, Settings, OfflineBrain(), capabilities=caps)
    return ChatService(rt, lambda e, p: events.append((e, p)))


async def reply(chat: ChatService, events: Events, text: str, *, can_approve: bool = True) -> str:
    ack = chat.send("agent:main:main", text, can_approve=can_approve)
    await chat.wait(ack["runId"], 5)
    return str(chat_events(events, ack["runId"])[-1]["message"]["content"][0]["text"])


async def test_offline_chat_says_no_model_is_configured(state_dir: Path, events: Events) -> None:
    chat = offline_chat(state_dir, events, None)
    assert await reply(chat, events, "why is sonarr down?") == OFFLINE_NOTICE
    help_text = await reply(chat, events, "/help")
    assert help_text.startswith("No model is configured") and "/restart NAMESPACE/KIND/NAME" in help_text
    status = await reply(chat, events, "/status")
    assert "Model: none (offline)" in status and "Policy: not running" in status


async def test_offline_restart_of_a_protected_namespace_is_refused_by_policy(state_dir: Path, events: Events, policy: PolicyEngine) -> None:
    chat = offline_chat(state_dir, events, policy)
    text = await reply(chat, events, "/restart kube-system/deployment/coredns")
    assert "refused" in text and "namespace kube-system is protected" in text and "ops.policy.protectedNamespaces" in text
    records = policy.audit.list()
    assert len(records) == 1 and records[0].outcome == "refused" and records[0].actor.startswith("operator:")
    actions = await reply(chat, events, "/actions")
    assert records[0].id in actions and "Deployment/kube-system/coredns" in actions


async def test_offline_command_usage_errors_are_explained(state_dir: Path, events: Events, policy: PolicyEngine) -> None:
    chat = offline_chat(state_dir, events, policy)
    assert (await reply(chat, events, "/restart sonarr")).startswith("Usage: /restart NAMESPACE/KIND/NAME")
    assert (await reply(chat, events, "/approve")).startswith("Usage: /approve ACTION_ID")
    assert "Cannot approve act_nope" in await reply(chat, events, "/approve act_nope")


async def test_a_budget_stop_is_reported_to_the_user_and_on_the_bus(make_runtime: Callable[..., AgentRuntime], events: Events) -> None:
    counter = iter(range(100))

    def runaway(request: BrainRequest) -> BrainReply:
        return tool_reply("read_memory", {"file": f"2025-06-{next(counter) % 28 + 1:02d}"})

    rt = make_runtime(runaway, agents={"defaults": {"limits": {"toolCallsPerDay": 2, "maxSteps": 20}}})
    chat = ChatService(rt, lambda e, p: events.append((e, p)))
    ack = chat.send("s", "investigate everything")
    await chat.wait(ack["runId"], 5)
    last = chat_events(events, ack["runId"])[-1]
    assert last["state"] == "error" and last["stopReason"] == "budget"
    assert "agents.defaults.limits.toolCallsPerDay = 2" in last["errorMessage"]
    assert [p["detail"] for e, p in events if e == "agent.budget_exceeded"] == [last["errorMessage"]]


async def test_approving_in_chat_needs_the_approvals_scope(state_dir: Path, events: Events, policy: PolicyEngine) -> None:
    chat = offline_chat(state_dir, events, policy)
    text = await reply(chat, events, "/approve act_123", can_approve=False)
    assert text.startswith("Cannot approve: this connection lacks the operator.approvals scope")
    assert "Cannot deny" in await reply(chat, events, "/deny act_123", can_approve=False)


async def test_turns_still_alternate_after_an_aborted_run(make_runtime: Callable[..., AgentRuntime], events: Events) -> None:
    gate = asyncio.Event()

    async def script(request: BrainRequest) -> BrainReply:
        if not gate.is_set():
            await asyncio.sleep(30)
        return text_reply("fine now")

    chat = ChatService(make_runtime(script), lambda e, p: events.append((e, p)))
    first = chat.send("s", "first")
    await asyncio.sleep(0.05)
    chat.abort("s")
    await chat.wait(first["runId"], 5)
    gate.set()
    second = chat.send("s", "second")
    await chat.wait(second["runId"], 5)
    roles = [m.role for m in chat.runtime.sessions.read("s").context()]
    assert roles == ["user", "assistant", "user", "assistant"]
    assert chat.runtime.sessions.read("s").context()[1].text.startswith("[no reply: aborted")


async def test_an_injected_note_keeps_the_model_context_valid(make_runtime: Callable[..., AgentRuntime]) -> None:
    from openclaw.agent.messages import Message

    rt = make_runtime(lambda r: text_reply("ok"))
    rt.sessions.append_messages("s", [Message.assistant("Maintenance tonight.")])
    await rt.run(RunRequest("s", Message.user("anything planned?")))
    rt.sessions.append_messages("s", [Message.assistant("Also: NAS firmware update.")])
    await rt.run(RunRequest("s", Message.user("and now?")))
    assert isinstance(rt.brain, ScriptedBrain)
    roles = [m.role for m in rt.brain.requests[-1].messages]
    assert roles == ["user", "assistant", "user", "assistant", "user"]
    assert rt.brain.requests[-1].messages[3].text == "ok\n\nAlso: NAS firmware update."
