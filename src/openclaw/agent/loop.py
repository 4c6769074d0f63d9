"""The bounded tool loop: model call, tool calls, repeat, until an answer or a limit.

Limits: `maxSteps` model calls (tools withheld on the last), `maxToolCalls` per run, identical
repeated calls blocked, and the token/tool-call budgets of the usage ledger. Every stop is a
value (`RunOutcome.stop`), never a hang; an abort is the task's cancellation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from openclaw.agent.brains.base import Brain, BrainError
from openclaw.agent.budgets import BudgetExceeded, UsageLedger
from openclaw.agent.messages import BrainRequest, Message, TextPart, TextSink, ToolCall, ToolOutcome, Usage
from openclaw.agent.results import ToolResult
from openclaw.agent.tools import ToolBox, ToolContext, call_key
from openclaw.config.schema import AgentLimits

log = logging.getLogger(__name__)

StopKind = Literal["done", "max_tokens", "max_steps", "budget", "error", "aborted"]
# Told about each finished tool call: (call, result as recorded).
ToolSink = Callable[[ToolCall, ToolResult], Awaitable[None]]
# Told about each model call's usage, to charge the ledger and price it.
UsageSink = Callable[[Usage], Awaitable[None]]


@dataclass
class RunOutcome:
    stop: StopKind
    messages: list[Message] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    tool_calls: int = 0
    steps: int = 0
    error: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        for message in reversed(self.messages):
            if message.role == "assistant" and message.text:
                return message.text
        return ""


@dataclass
class Loop:
    brain: Brain
    toolbox: ToolBox
    limits: AgentLimits
    ledger: UsageLedger | None = None
    max_tokens: int = 4096

    async def run(self, ctx: ToolContext, system: str, context: str, history: list[Message], *,
                  outcome: RunOutcome | None = None, on_text: TextSink | None = None,
                  on_tool: ToolSink | None = None, on_usage: UsageSink | None = None) -> RunOutcome:
        """Run to an answer or a limit. `outcome` is filled as the run goes, so a caller that
        cancels the task still holds what was said and done so far."""
        out = outcome if outcome is not None else RunOutcome(stop="done")
        specs = self.toolbox.specs()
        seen: dict[str, str] = {}
        incident = ctx.incident_id
        for step in range(self.limits.max_steps):
            out.steps = step + 1
            last = step == self.limits.max_steps - 1 or out.tool_calls >= self.limits.max_tool_calls
            try:
                if self.ledger is not None:
                    # The ledger is a file: read it off the event loop.
                    await asyncio.to_thread(self.ledger.check, self.limits, incident)
                request = BrainRequest(system=system, context=context, messages=tuple(history + out.messages),
                                       tools=specs, max_tokens=self.max_tokens, tool_choice="none" if last else "auto")
                reply = await self.brain.respond(request, on_text)
            except BudgetExceeded as exc:
                return _stopped(out, "budget", str(exc))
            except BrainError as exc:
                return _stopped(out, "error", str(exc))
            out.usage.add(reply.usage)
            if on_usage is not None:
                await on_usage(reply.usage)
            calls = reply.tool_calls
            if reply.stop_reason == "max_tokens" or last or not calls:
                # A cut-off or last-step reply keeps its text only: a tool call without its result
                # would make the transcript invalid for the next turn.
                text_parts = tuple(p for p in reply.parts if isinstance(p, TextPart))
                out.messages.append(Message("assistant", text_parts or (TextPart(""),)))
                if reply.stop_reason == "max_tokens":
                    return _stopped(out, "max_tokens", f"the reply hit max_tokens ({self.max_tokens}); it may be incomplete")
                if calls and last:
                    return _stopped(out, "max_steps", _limit_text(self.limits, out))
                return out
            out.messages.append(reply.message)
            outcomes: list[ToolOutcome] = []
            for call in calls:
                outcomes.append(await self._call(ctx, call, out, seen, on_tool))
            out.messages.append(Message("user", tuple(outcomes)))
            if out.stop == "budget":
                return out
        return _stopped(out, "max_steps", _limit_text(self.limits, out))

    async def _call(self, ctx: ToolContext, call: ToolCall, out: RunOutcome, seen: dict[str, str], on_tool: ToolSink | None) -> ToolOutcome:
        key = call_key(call)
        if out.stop == "budget":
            return _refuse(call, "not run: the run was stopped by a budget")
        if out.tool_calls >= self.limits.max_tool_calls:
            return _refuse(call, f"not run: tool call limit reached (agents.defaults.limits.maxToolCalls = {self.limits.max_tool_calls}); answer with what you have")
        if key in seen:
            return _refuse(call, f"blocked: identical call to {call.name} already made in this run (call {seen[key]}); use that result or change the arguments")
        if self.ledger is not None:
            try:
                await asyncio.to_thread(self.ledger.check, self.limits, ctx.incident_id, tool_call=True)
            except BudgetExceeded as exc:
                out.stop, out.error = "budget", str(exc)
                return _refuse(call, f"not run: {exc}")
        seen[key] = call.id
        outcome, result = await self.toolbox.run(ctx, call)
        out.tool_calls += 1
        if self.ledger is not None:
            await asyncio.to_thread(self.ledger.charge, ctx.incident_id, tool_calls=1)
        tool = self.toolbox.tools.get(call.name)
        if tool is not None and tool.mutating:
            out.actions.append({"tool": call.name, "arguments": call.arguments, "result": result.to_json()})
        if on_tool is not None:
            await on_tool(call, result)
        return outcome


def _refuse(call: ToolCall, reason: str) -> ToolOutcome:
    import json

    return ToolOutcome(call.id, call.name, json.dumps({"status": "error", "error": reason}), is_error=True)


def _stopped(out: RunOutcome, stop: StopKind, error: str) -> RunOutcome:
    out.stop = stop
    out.error = error
    log.info("agent.run_stopped", extra={"stop": stop, "detail": error})
    return out


def _limit_text(limits: AgentLimits, out: RunOutcome) -> str:
    return (f"stopped after {out.steps} model calls and {out.tool_calls} tool calls "
            f"(agents.defaults.limits.maxSteps = {limits.max_steps}, maxToolCalls = {limits.max_tool_calls})")


def close_open_calls(messages: list[Message], reason: str) -> list[Message]:
    """Give every tool call without a result an error result, so the transcript stays valid
    after an abort or a crash between a call and its result."""
    if messages and messages[-1].role == "assistant" and messages[-1].tool_calls:
        calls = messages[-1].tool_calls
        return [*messages, Message("user", tuple(_refuse(c, reason) for c in calls))]
    return messages
