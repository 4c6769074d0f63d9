"""The production Anthropic client against a local server speaking the Messages API: request shape
(tools, cache_control, headers), a multi-step tool loop, 529 recovery, max_tokens, abort."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from agent_model_servers import ScriptedServer, anthropic_app, forbid_real_model_requests, openai_app, serve

from openclaw.agent.brains import FallbackBrain, select_brain
from openclaw.agent.messages import Message
from openclaw.agent.runtime import AgentRuntime, RunRequest
from openclaw.config.schema import Settings

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _guard(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_real_model_requests(monkeypatch)


def anthropic_settings(url: str, **defaults: Any) -> Settings:
    return Settings.model_validate({
        "models": {"providers": {"anthropic": {"api": "anthropic-messages", "baseUrl": url, "apiKey": "sk-test-key", "maxRetries": 2,
                                               "models": [{"id": "claude-sonnet-4-5", "contextWindow": 200000,
                                                           "cost": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75}}]}}},
        "agents": {"defaults": {"model": {"primary": "anthropic/claude-sonnet-4-5"}, **defaults}},
    })


@pytest.fixture
async def runtimes() -> AsyncIterator[list[AgentRuntime]]:
    made: list[AgentRuntime] = []
    yield made
    for rt in made:
        await rt.brain.aclose()


def runtime(state_dir: Path, settings: Settings, made: list[AgentRuntime]) -> AgentRuntime:
    rt = AgentRuntime(state_dir, lambda: settings, select_brain(settings, {}), env={})
    made.append(rt)
    return rt


def tool_use(call_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": name, "input": args}


async def test_requests_are_well_formed_and_a_tool_loop_runs_to_its_end(state_dir: Path, runtimes: list[AgentRuntime]) -> None:
    server = ScriptedServer(turns=[
        {"content": [{"type": "text", "text": "Checking notes."}, tool_use("toolu_1", "read_memory", {"file": "MEMORY.md"})],
         "stop_reason": "tool_use", "usage": {"cache_creation_input_tokens": 1500}},
        {"content": [tool_use("toolu_2", "write_memory", {"text": "sonarr restarted twice this week", "target": "long_term"})],
         "stop_reason": "tool_use", "usage": {"cache_read_input_tokens": 1500}},
        {"content": [{"type": "text", "text": "Noted: sonarr restarted twice."}], "stop_reason": "end_turn",
         "usage": {"cache_read_input_tokens": 1500, "output_tokens": 12}},
    ])
    streamed: list[str] = []

    async def on_text(text: str) -> None:
        streamed.append(text)

    async with serve(anthropic_app(server)) as url:
        rt = runtime(state_dir, anthropic_settings(url), runtimes)
        out = await rt.run(RunRequest("agent:main:main", Message.user("remember that sonarr restarted twice")), on_text=on_text)

    assert out.stop == "done" and out.text == "Noted: sonarr restarted twice."
    assert "".join(streamed) == "Checking notes.Noted: sonarr restarted twice."
    assert len(server.requests) == 3
    first = server.requests[0]
    # The SDK sends the key as x-api-key or (newer releases) as a bearer token.
    assert first.headers.get("x-api-key") == "sk-test-key" or first.headers.get("authorization") == "Bearer sk-test-key"
    assert first.headers["anthropic-version"]
    assert first.body["model"] == "claude-sonnet-4-5" and first.body["stream"] is True
    assert first.body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "openclaw" in first.body["system"][0]["text"]
    assert "Session: agent:main:main" in first.body["system"][1]["text"]
    assert "cache_control" not in first.body["system"][1]
    tools = first.body["tools"]
    names = [t["name"] for t in tools]
    assert {"read_memory", "write_memory", "read_skill"} <= set(names)
    assert tools[-1]["cache_control"] == {"type": "ephemeral"}
    assert all("cache_control" not in t for t in tools[:-1])
    write_schema = next(t for t in tools if t["name"] == "write_memory")["input_schema"]
    assert write_schema["required"] == ["text"] and write_schema["properties"]["target"]["enum"] == ["daily", "long_term"]
    # The second request carries the assistant's tool_use and our tool_result, paired by id.
    second = server.requests[1].body["messages"]
    assert second[-2]["role"] == "assistant" and second[-2]["content"][-1] == {
        "type": "tool_use", "id": "toolu_1", "name": "read_memory", "input": {"file": "MEMORY.md"}}
    result = second[-1]["content"][0]
    assert result["type"] == "tool_result" and result["tool_use_id"] == "toolu_1"
    assert json.loads(result["content"])["status"] in ("no_data", "success")
    assert (state_dir / "workspace" / "MEMORY.md").read_text().strip().endswith("sonarr restarted twice this week")
    # Usage with cache tokens lands in the session index, priced.
    entry = rt.sessions.get("agent:main:main")
    assert entry is not None
    assert entry.cache_write_tokens == 1500 and entry.cache_read_tokens == 3000
    assert entry.input_tokens == 300 and entry.output_tokens == 52
    expected = (300 * 3 + 52 * 15 + 3000 * 0.3 + 1500 * 3.75) / 1_000_000
    assert entry.cost_usd == pytest.approx(expected)


async def test_an_overloaded_529_is_retried_and_the_run_completes(state_dir: Path, runtimes: list[AgentRuntime]) -> None:
    server = ScriptedServer(turns=[
        {"status": 529, "error": {"type": "overloaded_error", "message": "Overloaded"}},
        {"status": 429, "error": {"type": "rate_limit_error", "message": "slow down"}},
        {"content": [{"type": "text", "text": "All pods healthy."}], "stop_reason": "end_turn"},
    ])
    async with serve(anthropic_app(server)) as url:
        out = await runtime(state_dir, anthropic_settings(url), runtimes).run(RunRequest("s", Message.user("status?")))
    assert out.stop == "done" and out.text == "All pods healthy."
    assert len(server.requests) == 3
    assert server.requests[0].body == server.requests[2].body


async def test_persistent_overload_falls_back_to_the_next_model(state_dir: Path, runtimes: list[AgentRuntime]) -> None:
    overloaded = {"status": 529, "error": {"type": "overloaded_error", "message": "Overloaded"}}
    claude = ScriptedServer(turns=[overloaded] * 3)
    local = ScriptedServer(turns=[{"content": "Answer from the local model."}])
    async with serve(anthropic_app(claude)) as a_url, serve(openai_app(local)) as o_url:
        settings = Settings.model_validate({
            "models": {"providers": {
                "anthropic": {"api": "anthropic-messages", "baseUrl": a_url, "apiKey": "k", "maxRetries": 2},
                "ollama": {"api": "openai-completions", "baseUrl": o_url + "/v1", "maxRetries": 0},
            }},
            "agents": {"defaults": {"model": {"primary": "anthropic/claude-sonnet-4-5", "fallbacks": ["ollama/qwen3:8b"]}}},
        })
        rt = runtime(state_dir, settings, runtimes)
        assert isinstance(rt.brain, FallbackBrain)
        out = await rt.run(RunRequest("s", Message.user("hello")))
    assert len(claude.requests) == 3  # the first try and maxRetries=2
    assert out.text == "Answer from the local model."
    assert local.requests[0].body["model"] == "qwen3:8b"


async def test_a_non_retryable_error_ends_the_run_with_the_providers_message(state_dir: Path, runtimes: list[AgentRuntime]) -> None:
    server = ScriptedServer(turns=[{"status": 400, "error": {"type": "invalid_request_error", "message": "messages: bad"}}])
    async with serve(anthropic_app(server)) as url:
        out = await runtime(state_dir, anthropic_settings(url), runtimes).run(RunRequest("s", Message.user("hi")))
    assert out.stop == "error" and "invalid_request_error" in (out.error or "")
    assert len(server.requests) == 1


async def test_max_tokens_stops_the_run_and_keeps_the_partial_text(state_dir: Path, runtimes: list[AgentRuntime]) -> None:
    server = ScriptedServer(turns=[
        {"content": [{"type": "text", "text": "The cluster has three nodes and"}], "stop_reason": "max_tokens"},
    ])
    async with serve(anthropic_app(server)) as url:
        rt = runtime(state_dir, anthropic_settings(url, maxTokens=64), runtimes)
        out = await rt.run(RunRequest("s", Message.user("describe everything")))
    assert out.stop == "max_tokens" and "max_tokens (64)" in (out.error or "")
    assert out.text == "The cluster has three nodes and"
    assert server.requests[0].body["max_tokens"] == 64
    assert len(server.requests) == 1


async def test_an_abort_closes_the_stream_and_keeps_the_transcript_valid(state_dir: Path, runtimes: list[AgentRuntime]) -> None:
    server = ScriptedServer(turns=[{"content": [{"type": "text", "text": "x" * 4000}], "stop_reason": "end_turn"}], chunk_delay=0.01)
    got_text = asyncio.Event()

    async def on_text(text: str) -> None:
        got_text.set()

    async with serve(anthropic_app(server)) as url:
        rt = runtime(state_dir, anthropic_settings(url), runtimes)
        from openclaw.agent.loop import RunOutcome

        out = RunOutcome(stop="done")
        task = asyncio.create_task(rt.run(RunRequest("s", Message.user("long answer please")), outcome=out, on_text=on_text))
        await asyncio.wait_for(got_text.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(server.disconnected.wait(), 5)
    assert out.stop == "aborted"
    history = rt.sessions.read("s").context()
    assert [m.role for m in history] == ["user", "assistant"] and history[0].text == "long answer please"
    assert history[1].text.startswith("[no reply: aborted")
