"""Compaction near the context limit: older turns become a model-written summary, recent turns are
kept verbatim, tool calls stay with their results, and the count is recorded."""

from __future__ import annotations

from collections.abc import Callable

from agent_scripts import text_reply, tool_reply

from openclaw.agent.brains.scripted import ScriptedBrain
from openclaw.agent.compaction import SUMMARY_SYSTEM
from openclaw.agent.messages import BrainReply, BrainRequest, Message
from openclaw.agent.runtime import AgentRuntime, RunRequest
from openclaw.agent.transcripts import SUMMARY_PREFIX


def chatty(request: BrainRequest) -> BrainReply:
    if request.system == SUMMARY_SYSTEM:
        return text_reply("Operator asked about sonarr; it was restarted at 02:00 and is healthy.")
    if len(request.messages) % 4 == 1 and not request.messages[-1].tool_outcomes:
        return tool_reply("read_memory", {"file": f"2025-05-{len(request.messages) % 28 + 1:02d}"})
    return text_reply("answer " + "z" * 2000)


async def test_a_long_session_is_compacted_to_a_summary_plus_recent_turns(make_runtime: Callable[..., AgentRuntime]) -> None:
    rt = make_runtime(chatty, window=8000, agents={"defaults": {"compaction": {"reserveTokens": 2000, "keepRecentTokens": 1500}}})
    for i in range(12):
        await rt.run(RunRequest("s", Message.user(f"question {i} " + "q" * 1500)))
    entry = rt.sessions.get("s")
    assert entry is not None and entry.compaction_count >= 1
    brain = rt.brain
    assert isinstance(brain, ScriptedBrain)
    summary_calls = [r for r in brain.requests if r.system == SUMMARY_SYSTEM]
    assert len(summary_calls) == entry.compaction_count
    assert not summary_calls[0].tools  # a summary call offers no tools
    context = rt.sessions.read("s").context()
    assert context[0].role == "user" and context[0].text.startswith(SUMMARY_PREFIX)
    assert "restarted at 02:00" in context[0].text
    # Every kept tool call still has its result right after it.
    for i, message in enumerate(context):
        if message.tool_calls:
            ids = {c.id for c in message.tool_calls}
            assert {o.call_id for o in context[i + 1].tool_outcomes} == ids
    # The newest turn is kept verbatim and the model's context stays under the window.
    assert [m for m in context if m.role == "user" and m.text][-1].text.startswith("question 11")
    last_request = [r for r in brain.requests if r.system != SUMMARY_SYSTEM][-1]
    assert sum(len(m.text) for m in last_request.messages) // 4 < 8000
    # Nothing is deleted: the transcript still holds every question.
    entries = rt.sessions.read("s").message_entries()
    assert sum(1 for e in entries if e["message"]["role"] == "user" and str(e["message"]["content"][0].get("text", "")).startswith("question")) == 12


async def test_a_short_session_is_not_compacted(make_runtime: Callable[..., AgentRuntime]) -> None:
    rt = make_runtime(lambda r: text_reply("hi"))
    for _ in range(3):
        await rt.run(RunRequest("s", Message.user("hello")))
    entry = rt.sessions.get("s")
    assert entry is not None and entry.compaction_count == 0
    assert [m.role for m in rt.sessions.read("s").context()] == ["user", "assistant"] * 3


async def test_chat_reports_a_compaction_as_an_agent_event(make_runtime: Callable[..., AgentRuntime]) -> None:
    from openclaw.agent.chat import ChatService

    events: list[tuple[str, dict[str, object]]] = []
    rt = make_runtime(chatty, window=4000, agents={"defaults": {"compaction": {"reserveTokens": 1000, "keepRecentTokens": 800}}})
    chat = ChatService(rt, lambda e, p: events.append((e, p)))
    for i in range(6):
        ack = chat.send("s", f"question {i} " + "q" * 1500)
        await chat.wait(ack["runId"], 5)
    compactions = [p for e, p in events if e == "agent" and p["stream"] == "compaction"]
    entry = rt.sessions.get("s")
    assert entry is not None and entry.compaction_count == len(compactions) >= 1
    assert all(p["data"]["tokensBefore"] > 3000 for p in compactions)  # type: ignore[index, operator]  # JSON payloads


async def test_before_compaction_a_silent_turn_saves_memory(make_runtime: Callable[..., AgentRuntime]) -> None:
    from openclaw.agent.runtime import MEMORY_FLUSH_PROMPT

    def script(request: BrainRequest) -> BrainReply:
        last = request.messages[-1]
        if last.text == MEMORY_FLUSH_PROMPT:
            assert sorted(t.name for t in request.tools) == ["read_memory", "write_memory"]
            return tool_reply("write_memory", {"text": "sonarr config.xml was hand-edited", "target": "long_term"})
        if last.tool_outcomes and request.messages[-3].text == MEMORY_FLUSH_PROMPT:
            return text_reply("NO_REPLY")
        return chatty(request)

    rt = make_runtime(script, window=8000, agents={"defaults": {"compaction": {"reserveTokens": 2000, "keepRecentTokens": 1500}}})
    for i in range(8):
        await rt.run(RunRequest("s", Message.user(f"question {i} " + "q" * 1500)))
    entry = rt.sessions.get("s")
    assert entry is not None and entry.compaction_count >= 1
    assert "sonarr config.xml was hand-edited" in (rt.workspace().root / "MEMORY.md").read_text()
    transcript = rt.sessions.read("s").entries
    texts = [str(p.get("text", "")) for e in transcript if e.get("type") == "message" for p in e["message"]["content"]]
    assert MEMORY_FLUSH_PROMPT not in texts and "NO_REPLY" not in texts
