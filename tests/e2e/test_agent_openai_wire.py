"""The production OpenAI-compatible client (Ollama, vLLM, llama.cpp) against a local server
speaking chat/completions: request shape, streamed tool calls in a loop, retry, length stop, abort."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from agent_model_servers import ScriptedServer, forbid_real_model_requests, openai_app, serve

from openclaw.agent.brains import select_brain
from openclaw.agent.loop import RunOutcome
from openclaw.agent.messages import Message
from openclaw.agent.runtime import AgentRuntime, RunRequest
from openclaw.config.schema import Settings

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _guard(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_real_model_requests(monkeypatch)


@pytest.fixture
async def runtimes() -> AsyncIterator[list[AgentRuntime]]:
    made: list[AgentRuntime] = []
    yield made
    for rt in made:
        await rt.brain.aclose()


def local_runtime(state_dir: Path, url: str, made: list[AgentRuntime], **defaults: Any) -> AgentRuntime:
    settings = Settings.model_validate({
        "models": {"providers": {"vllm": {"api": "openai-completions", "baseUrl": url + "/v1", "apiKey": "local-key", "maxRetries": 2,
                                          "models": [{"id": "qwen3-32b", "contextWindow": 32768}]}}},
        "agents": {"defaults": {"model": {"primary": "vllm/qwen3-32b"}, **defaults}},
    })
    rt = AgentRuntime(state_dir, lambda: settings, select_brain(settings, {}), env={})
    made.append(rt)
    return rt


async def test_streamed_tool_calls_run_in_a_loop_to_an_answer(state_dir: Path, runtimes: list[AgentRuntime]) -> None:
    server = ScriptedServer(turns=[
        {"tool_calls": [{"id": "call_a", "name": "write_memory", "arguments": {"text": "radarr import path fixed"}},
                        {"id": "call_b", "name": "read_memory", "arguments": {"file": "today"}}], "finish_reason": "tool_calls"},
        {"content": "Saved the note.", "finish_reason": "stop", "usage": {"prompt_tokens": 300, "prompt_tokens_details": {"cached_tokens": 200}}},
    ])
    deltas: list[str] = []

    async def on_text(text: str) -> None:
        deltas.append(text)

    async with serve(openai_app(server)) as url:
        rt = local_runtime(state_dir, url, runtimes)
        out = await rt.run(RunRequest("s", Message.user("note the radarr fix")), on_text=on_text)
    assert out.stop == "done" and out.text == "Saved the note." and out.tool_calls == 2
    assert "".join(deltas) == "Saved the note."
    first = server.requests[0]
    assert first.headers["authorization"] == "Bearer local-key"
    body = first.body
    assert body["model"] == "qwen3-32b" and body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"][0]["role"] == "system" and "Session: s" in body["messages"][0]["content"]
    fn = {t["function"]["name"]: t["function"] for t in body["tools"]}
    assert fn["write_memory"]["parameters"]["required"] == ["text"]
    second = server.requests[1].body["messages"]
    assert second[-3]["role"] == "assistant" and [c["id"] for c in second[-3]["tool_calls"]] == ["call_a", "call_b"]
    assert json.loads(second[-3]["tool_calls"][0]["function"]["arguments"]) == {"text": "radarr import path fixed"}
    assert second[-2]["role"] == "tool" and second[-2]["tool_call_id"] == "call_a"
    assert json.loads(second[-1]["content"])["data"]["text"].strip().endswith("radarr import path fixed")
    entry = rt.sessions.get("s")
    assert entry is not None and entry.cache_read_tokens == 200 and entry.input_tokens == 120 + 100


async def test_a_503_is_retried(state_dir: Path, runtimes: list[AgentRuntime]) -> None:
    server = ScriptedServer(turns=[{"status": 503, "error": {"message": "loading model", "type": "server_error"}},
                                   {"content": "ready"}])
    async with serve(openai_app(server)) as url:
        out = await local_runtime(state_dir, url, runtimes).run(RunRequest("s", Message.user("hi")))
    assert out.text == "ready" and len(server.requests) == 2


async def test_length_finish_stops_the_run(state_dir: Path, runtimes: list[AgentRuntime]) -> None:
    server = ScriptedServer(turns=[{"content": "Partial answer", "finish_reason": "length"}])
    async with serve(openai_app(server)) as url:
        out = await local_runtime(state_dir, url, runtimes, maxTokens=32).run(RunRequest("s", Message.user("hi")))
    assert out.stop == "max_tokens" and out.text == "Partial answer"
    assert server.requests[0].body["max_tokens"] == 32


async def test_an_abort_stops_the_stream(state_dir: Path, runtimes: list[AgentRuntime]) -> None:
    server = ScriptedServer(turns=[{"content": "y" * 4000}], chunk_delay=0.01)
    started = asyncio.Event()

    async def on_text(text: str) -> None:
        started.set()

    async with serve(openai_app(server)) as url:
        out = RunOutcome(stop="done")
        task = asyncio.create_task(local_runtime(state_dir, url, runtimes).run(RunRequest("s", Message.user("go")), outcome=out, on_text=on_text))
        await asyncio.wait_for(started.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(server.disconnected.wait(), 5)
    assert out.stop == "aborted"
