"""The bounded loop: step and tool-call caps, tools withheld on the last step, repeated calls
blocked, tool errors returned to the model, budgets stopping a runaway run."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from agent_scripts import play, text_reply, tool_reply

from openclaw.agent.brains.scripted import ScriptedBrain
from openclaw.agent.loop import Loop, RunOutcome
from openclaw.agent.messages import BrainReply, BrainRequest, Message
from openclaw.agent.results import ToolResult
from openclaw.agent.runtime import AgentRuntime, RunRequest
from openclaw.agent.tools import ToolBox, ToolContext, tool_from_function


def outcomes(request: BrainRequest) -> list[dict[str, object]]:
    last = request.messages[-1]
    return [json.loads(o.content) for o in last.tool_outcomes]


async def test_a_tool_loop_runs_until_the_model_answers(make_runtime: Callable[..., AgentRuntime]) -> None:
    rt = make_runtime(play(tool_reply("write_memory", {"text": "disk on node-2 at 91%"}), text_reply("Noted.")))
    out = await rt.run(RunRequest("s", Message.user("remember the disk")))
    assert out.stop == "done" and out.text == "Noted." and out.tool_calls == 1
    assert "disk on node-2 at 91%" in (rt.workspace().root / "memory").glob("*.md").__next__().read_text()


async def test_tools_are_withheld_on_the_last_step_and_the_run_stops_at_max_steps(make_runtime: Callable[..., AgentRuntime]) -> None:
    def always_tools(request: BrainRequest) -> BrainReply:
        return tool_reply("read_memory", {"file": f"2026-01-{len(request.messages):02d}"})

    rt = make_runtime(always_tools, agents={"defaults": {"limits": {"maxSteps": 3}}})
    out = await rt.run(RunRequest("s", Message.user("loop forever")))
    brain = rt.brain
    assert isinstance(brain, ScriptedBrain)
    assert [r.tool_choice for r in brain.requests] == ["auto", "auto", "none"]
    assert out.stop == "max_steps" and "maxSteps = 3" in (out.error or "")
    assert out.tool_calls == 2
    # The transcript stays valid: the last-step reply keeps no dangling tool call.
    history = rt.sessions.read("s").context()
    assert not history[-1].tool_calls


async def test_a_repeated_identical_call_is_blocked(make_runtime: Callable[..., AgentRuntime]) -> None:
    seen: list[list[dict[str, object]]] = []

    def script(request: BrainRequest) -> BrainReply:
        if len(request.messages) > 1:
            seen.append(outcomes(request))
        if len(seen) < 2:
            return tool_reply("read_memory", {"file": "MEMORY.md"})
        return text_reply("done")

    rt = make_runtime(script)
    out = await rt.run(RunRequest("s", Message.user("read twice")))
    assert out.tool_calls == 1
    assert seen[0][0]["status"] == "no_data"
    assert seen[1][0]["status"] == "error" and "identical call" in str(seen[1][0]["error"])


async def test_the_tool_call_cap_refuses_further_calls_and_withholds_tools(make_runtime: Callable[..., AgentRuntime]) -> None:
    calls = iter(range(100))

    def script(request: BrainRequest) -> BrainReply:
        if request.tool_choice == "none":
            return text_reply("stopping")
        return tool_reply("read_memory", {"file": f"2026-02-{next(calls) + 1:02d}"})

    rt = make_runtime(script, agents={"defaults": {"limits": {"maxToolCalls": 2, "maxSteps": 10}}})
    out = await rt.run(RunRequest("s", Message.user("go")))
    assert out.tool_calls == 2 and out.text == "stopping" and out.stop == "done"


async def test_bad_arguments_come_back_as_an_error_naming_the_field(make_runtime: Callable[..., AgentRuntime]) -> None:
    got: list[dict[str, object]] = []

    def script(request: BrainRequest) -> BrainReply:
        if len(request.messages) == 1:
            return tool_reply("write_memory", {"text": "x", "target": "forever"})
        got.extend(outcomes(request))
        return text_reply("ok")

    await make_runtime(script).run(RunRequest("s", Message.user("go")))
    assert got[0]["status"] == "error"
    assert "target" in str(got[0]["error"]) and "daily" in str(got[0]["error"])


async def test_an_unknown_tool_is_an_error_result_not_a_crash(make_runtime: Callable[..., AgentRuntime]) -> None:
    got: list[dict[str, object]] = []

    def script(request: BrainRequest) -> BrainReply:
        if len(request.messages) == 1:
            return tool_reply("kubectl_exec", {"cmd": "rm -rf /"})
        got.extend(outcomes(request))
        return text_reply("ok")

    await make_runtime(script).run(RunRequest("s", Message.user("go")))
    assert got[0]["status"] == "error" and "unknown tool 'kubectl_exec'" in str(got[0]["error"])


async def test_the_daily_token_budget_stops_a_runaway_loop(make_runtime: Callable[..., AgentRuntime]) -> None:
    counter = iter(range(1000))

    def runaway(request: BrainRequest) -> BrainReply:
        return tool_reply("read_memory", {"file": f"2025-03-{next(counter) % 28 + 1:02d}"}, tokens=(4000, 1000))

    rt = make_runtime(runaway, agents={"defaults": {"limits": {"maxSteps": 200, "maxToolCalls": 500, "tokensPerDay": 20000}}})
    out = await rt.run(RunRequest("s", Message.user("go")))
    assert out.stop == "budget"
    assert "agents.defaults.limits.tokensPerDay = 20000" in (out.error or "")
    assert out.steps == 5  # 4 x 5000 tokens reach 20000; the fifth model call is refused
    day, _ = rt.ledger.totals()
    assert day["tokens"] == 20000


async def test_the_incident_tool_call_budget_spans_runs(make_runtime: Callable[..., AgentRuntime]) -> None:
    counter = iter(range(1000))

    def script(request: BrainRequest) -> BrainReply:
        return tool_reply("read_memory", {"file": f"2025-04-{next(counter) % 28 + 1:02d}"})

    rt = make_runtime(script, agents={"defaults": {"limits": {"toolCallsPerIncident": 3, "maxSteps": 50}}})
    first = await rt.run(RunRequest("incident:inc-1", Message.user("investigate"), incident_id="inc-1"))
    assert first.stop == "budget" and first.tool_calls == 3
    assert "incident inc-1" in (first.error or "") and "toolCallsPerIncident = 3" in (first.error or "")
    second = await rt.run(RunRequest("incident:inc-1", Message.user("again"), incident_id="inc-1"))
    assert second.stop == "budget" and second.tool_calls == 0
    # Another incident still has its budget.
    other = await rt.run(RunRequest("incident:inc-2", Message.user("go"), incident_id="inc-2"))
    assert other.tool_calls == 3
    _, inc = rt.ledger.totals("inc-1")
    assert inc is not None and inc["toolCalls"] == 3


async def test_an_abort_does_not_cut_a_mutating_call_off(make_runtime: Callable[..., AgentRuntime]) -> None:
    started, finished = asyncio.Event(), asyncio.Event()

    async def restart_thing(ctx: ToolContext, name: str) -> ToolResult:
        """Restart a thing.

        Args:
          name: the thing.
        """
        started.set()
        await asyncio.sleep(0.2)
        finished.set()
        return ToolResult.ok({"restarted": name})

    rt = make_runtime(lambda r: tool_reply("restart_thing", {"name": "sonarr"}))
    box = ToolBox()
    box.add(tool_from_function(restart_thing, mutating=True))
    ctx = ToolContext(session_key="s", workspace=rt.workspace(), skills=rt.skills())
    loop = Loop(rt.brain, box, rt.settings().agents.defaults.limits)
    task = asyncio.create_task(loop.run(ctx, "system", "", [Message.user("go")], outcome=RunOutcome(stop="done")))
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    await asyncio.wait_for(finished.wait(), 5)  # the change ran to its end despite the abort
    assert task.cancelled()
