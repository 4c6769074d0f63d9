"""The heartbeat: a HEARTBEAT_OK reply is dropped, anything else is delivered; no HEARTBEAT.md or
no model means no model call; wake events make it run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from agent_scripts import text_reply

from openclaw.agent.brains.offline import OfflineBrain
from openclaw.agent.brains.scripted import ScriptedBrain
from openclaw.agent.heartbeat import Heartbeat, parse_every, strip_heartbeat_ok
from openclaw.agent.runtime import AgentRuntime


@pytest.fixture
def published() -> list[tuple[str, dict[str, Any]]]:
    return []


def heartbeat(rt: AgentRuntime, published: list[tuple[str, dict[str, Any]]]) -> Heartbeat:
    return Heartbeat(rt, lambda e, p: published.append((e, p)))


def write_heartbeat(state_dir: Path, text: str) -> None:
    (state_dir / "workspace").mkdir(parents=True, exist_ok=True)
    (state_dir / "workspace" / "HEARTBEAT.md").write_text(text)


async def test_a_heartbeat_ok_reply_is_dropped(make_runtime: Callable[..., AgentRuntime], state_dir: Path,
                                               published: list[tuple[str, dict[str, Any]]]) -> None:
    write_heartbeat(state_dir, "# Checks\n- any pods in CrashLoopBackOff?\n")
    rt = make_runtime(lambda r: text_reply("HEARTBEAT_OK"))
    result = await heartbeat(rt, published).tick()
    assert result.status == "ok"
    assert [e for e, _ in published] == ["heartbeat"]  # no chat message
    assert isinstance(rt.brain, ScriptedBrain) and "HEARTBEAT.md" in rt.brain.requests[0].messages[-1].text


async def test_a_reply_with_findings_is_delivered(make_runtime: Callable[..., AgentRuntime], state_dir: Path,
                                                  published: list[tuple[str, dict[str, Any]]]) -> None:
    write_heartbeat(state_dir, "- check certificates\n")
    rt = make_runtime(lambda r: text_reply("The wildcard certificate expires in 3 days."))
    result = await heartbeat(rt, published).tick()
    assert result.status == "alert" and result.text == "The wildcard certificate expires in 3 days."
    chat = [p for e, p in published if e == "chat"]
    assert chat and chat[0]["message"]["content"][0]["text"] == result.text


def test_ok_with_little_extra_text_is_still_dropped_but_a_long_note_is_not() -> None:
    assert strip_heartbeat_ok("HEARTBEAT_OK", 300) is None
    assert strip_heartbeat_ok("All quiet. HEARTBEAT_OK", 300) is None
    assert strip_heartbeat_ok("HEARTBEAT_OK " + "x" * 301, 300) == "HEARTBEAT_OK " + "x" * 301
    assert strip_heartbeat_ok("Node nas-1 is NotReady.", 300) == "Node nas-1 is NotReady."


async def test_an_empty_heartbeat_file_skips_the_model(make_runtime: Callable[..., AgentRuntime], state_dir: Path,
                                                       published: list[tuple[str, dict[str, Any]]]) -> None:
    write_heartbeat(state_dir, "# Heartbeat\n\n<!-- nothing yet -->\n")
    rt = make_runtime(lambda r: text_reply("should not be called"))
    result = await heartbeat(rt, published).tick()
    assert result.status == "skipped" and "empty" in (result.reason or "")
    assert isinstance(rt.brain, ScriptedBrain) and rt.brain.requests == []


async def test_a_wake_event_runs_the_heartbeat_with_the_text_marked_untrusted(make_runtime: Callable[..., AgentRuntime],
                                                                              published: list[tuple[str, dict[str, Any]]]) -> None:
    rt = make_runtime(lambda r: text_reply("HEARTBEAT_OK"))
    hb = heartbeat(rt, published)
    hb.enqueue("backup job finished with 2 errors")
    assert (await hb.tick()).status == "ok"
    assert isinstance(rt.brain, ScriptedBrain)
    prompt = rt.brain.requests[0].messages[-1].text
    assert "<<<EXTERNAL_UNTRUSTED_CONTENT>>>" in prompt and "backup job finished with 2 errors" in prompt
    assert hb.pending == []


async def test_offline_the_heartbeat_is_skipped(state_dir: Path, published: list[tuple[str, dict[str, Any]]]) -> None:
    from openclaw.config.schema import Settings

    write_heartbeat(state_dir, "- check things\n")
    rt = AgentRuntime(state_dir, Settings, OfflineBrain())
    assert (await heartbeat(rt, published).tick()).status == "skipped"


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("1h", 3600), ("45s", 45), ("0m", 0), ("15", 900)])
def test_heartbeat_intervals_parse(text: str, seconds: int) -> None:
    assert parse_every(text) == seconds


async def test_the_loop_sleeps_the_configured_interval(make_runtime: Callable[..., AgentRuntime], published: list[tuple[str, dict[str, Any]]]) -> None:
    rt = make_runtime(lambda r: text_reply("HEARTBEAT_OK"), agents={"defaults": {"heartbeat": {"every": "10m"}}})
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        await heartbeat(rt, published).run_forever(sleep)
    assert slept == [600, 600, 600]
    assert [p["status"] for e, p in published if e == "heartbeat"] == ["skipped", "skipped"]
