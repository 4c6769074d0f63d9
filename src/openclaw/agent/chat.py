"""Chat runs: `send` starts a run and returns its id at once; the answer streams as `chat` events
`{runId, sessionKey, seq, state: delta|final|error|aborted, ...}` and tool activity as `agent`
events; `abort` cancels a run; `history` reads the transcript.

Slash commands are answered here without a model. Everything else goes to the runtime.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openclaw.agent.brains import is_offline
from openclaw.agent.commands import CommandContext, is_command, run_command
from openclaw.agent.loop import RunOutcome
from openclaw.agent.messages import Message, ToolCall
from openclaw.agent.results import ToolResult
from openclaw.agent.runtime import AgentRuntime, RunRequest
from openclaw.agent.transcripts import message_to_json

log = logging.getLogger(__name__)

Publish = Callable[[str, dict[str, Any]], None]
MAIN_SESSION = "agent:main:main"
_IDEMPOTENCY_KEEP = 500
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


@dataclass
class ActiveRun:
    run_id: str
    session_key: str
    task: asyncio.Task[RunOutcome] | None = None
    seq: int = 0
    text: list[str] = field(default_factory=list)
    outcome: RunOutcome = field(default_factory=lambda: RunOutcome(stop="done"))
    done: asyncio.Event = field(default_factory=asyncio.Event)


class ChatService:
    def __init__(self, runtime: AgentRuntime, publish: Publish) -> None:
        self.runtime = runtime
        self.publish = publish
        self.runs: dict[str, ActiveRun] = {}
        self._idempotency: OrderedDict[str, str] = OrderedDict()
        self.finished: OrderedDict[str, RunOutcome] = OrderedDict()

    # ---- starting and stopping -------------------------------------------------------------------

    def send(self, session_key: str, text: str, *, idempotency_key: str | None = None, operator: str = "operator",
             incident: dict[str, Any] | None = None, incident_id: str | None = None, kind: str = "chat",
             message: Message | None = None, on_done: Callable[[ActiveRun], Any] | None = None,
             can_approve: bool = False) -> dict[str, Any]:
        """Start a run; returns `{runId, status}` at once (`in_flight`/`ok` for a replayed key)."""
        if idempotency_key and idempotency_key in self._idempotency:
            run_id = self._idempotency[idempotency_key]
            return {"runId": run_id, "status": "in_flight" if run_id in self.runs else "ok"}
        # As the upstream gateway does, a client's idempotency key is the run's id when it is a
        # plain token: its Control UI matches the message it showed to the transcript by it.
        run_id = idempotency_key if idempotency_key and _RUN_ID.fullmatch(idempotency_key) and idempotency_key not in self.runs else uuid.uuid4().hex
        run = ActiveRun(run_id=run_id, session_key=session_key)
        if idempotency_key:
            self._idempotency[idempotency_key] = run.run_id
            while len(self._idempotency) > _IDEMPOTENCY_KEEP:
                self._idempotency.popitem(last=False)
        self.runs[run.run_id] = run
        req = RunRequest(session_key, message or Message.user(text), run.run_id, kind, incident, incident_id)
        run.task = asyncio.create_task(self._run(run, req, text, operator, on_done, can_approve), name=f"chat:{run.run_id}")
        return {"runId": run.run_id, "status": "started"}

    def abort(self, session_key: str, run_id: str | None = None) -> list[str]:
        """Cancel the session's run (or the given one); returns the aborted run ids."""
        aborted = []
        for run in list(self.runs.values()):
            if run.session_key == session_key and (run_id is None or run.run_id == run_id) and run.task is not None:
                run.task.cancel()
                aborted.append(run.run_id)
        return aborted

    async def wait(self, run_id: str, timeout: float | None = None) -> RunOutcome | None:
        run = self.runs.get(run_id)
        if run is None:
            return self.finished.get(run_id)
        await asyncio.wait_for(run.done.wait(), timeout)
        return run.outcome

    async def close(self) -> None:
        tasks = [r.task for r in self.runs.values() if r.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ---- one run ---------------------------------------------------------------------------------

    def _emit(self, run: ActiveRun, state: str, **extra: Any) -> None:
        run.seq += 1
        self.publish("chat", {"runId": run.run_id, "sessionKey": run.session_key, "seq": run.seq, "state": state, **extra})

    def _agent_event(self, run: ActiveRun, stream: str, data: dict[str, Any]) -> None:
        run.seq += 1
        self.publish("agent", {"runId": run.run_id, "sessionKey": run.session_key, "seq": run.seq, "stream": stream,
                               "ts": int(time.time() * 1000), "data": data})

    async def _run(self, run: ActiveRun, req: RunRequest, text: str, operator: str, on_done: Callable[[ActiveRun], Any] | None,
                   can_approve: bool) -> RunOutcome:
        self._agent_event(run, "lifecycle", {"phase": "start", "kind": req.kind})
        try:
            if req.kind == "chat" and is_command(text):
                reply = await self._command(req, text, operator, can_approve)
                run.outcome.messages.append(Message.assistant(reply))
                self._emit(run, "final", message=_assistant_json(reply), stopReason="command")
                return run.outcome

            async def on_text(piece: str) -> None:
                run.text.append(piece)
                self._emit(run, "delta", delta=piece, message=_assistant_json("".join(run.text)))

            async def on_tool(call: ToolCall, result: ToolResult) -> None:
                self._agent_event(run, "tool", {"name": call.name, "callId": call.id, "arguments": call.arguments,
                                                "status": result.status, "error": result.error})

            out = await self.runtime.run(req, outcome=run.outcome, on_text=on_text, on_tool=on_tool,
                                         on_compaction=lambda before: self._agent_event(run, "compaction", {"tokensBefore": before}))
            usage = out.usage.to_json()
            if out.stop in ("error", "budget"):
                self._emit(run, "error", errorMessage=out.error, stopReason=out.stop, usage=usage,
                           message=_assistant_json(out.text) if out.text else None)
                if out.stop == "budget":
                    self.publish("agent.budget_exceeded", {"runId": run.run_id, "sessionKey": run.session_key, "detail": out.error})
            else:
                self._emit(run, "final", message=_assistant_json(out.text), stopReason=out.stop, usage=usage,
                           **({"note": out.error} if out.error else {}))
            return out
        except asyncio.CancelledError:
            run.outcome.stop = "aborted"
            self._emit(run, "aborted", message=_assistant_json("".join(run.text)))
            return run.outcome
        except Exception as exc:  # a bug in a run must reach the user, not vanish in a task
            log.exception("agent.run_failed", extra={"run": run.run_id})
            run.outcome.stop, run.outcome.error = "error", f"{type(exc).__name__}: {exc}"
            self._emit(run, "error", errorMessage=run.outcome.error)
            return run.outcome
        finally:
            self._agent_event(run, "lifecycle", {"phase": "end", "stop": run.outcome.stop})
            self.runs.pop(run.run_id, None)
            self.finished[run.run_id] = run.outcome
            while len(self.finished) > _IDEMPOTENCY_KEEP:
                self.finished.popitem(last=False)
            run.done.set()
            if on_done is not None:
                try:
                    result = on_done(run)
                    if asyncio.iscoroutine(result):
                        await result
                except Exception:
                    log.exception("agent.run_callback_failed", extra={"run": run.run_id})

    async def _command(self, req: RunRequest, text: str, operator: str, can_approve: bool) -> str:
        rt = self.runtime
        async with rt.lock(req.session_key):
            ctx = CommandContext(capabilities=rt.capabilities, operator=operator, model_id=rt.brain.model_id,
                                 offline=is_offline(rt.brain), reset_session=lambda: rt.sessions.reset(req.session_key),
                                 session_count=rt.sessions.count, can_approve=can_approve)
            reply = await run_command(text, ctx)
            if not text.strip().lower().startswith(("/new", "/reset")):
                await asyncio.to_thread(rt.sessions.append_messages, req.session_key, [req.message, Message.assistant(reply)], run_id=req.run_id)
            return reply

    # ---- reading -----------------------------------------------------------------------------------

    def history(self, session_key: str, limit: int = 200, *, include_tools: bool = False) -> list[dict[str, Any]]:
        """The transcript's messages as the Control UI shows them, oldest first; tool calls and
        results only with `include_tools` (a chat view shows what was said)."""
        entries = self.runtime.sessions.read(session_key).entries
        out = []
        for entry in entries:
            if entry.get("type") == "message":
                said = any(p.get("type") == "text" and p.get("text") for p in entry["message"].get("content", []))
                if not said and not include_tools:
                    continue
                out.append({"id": entry["id"], "timestamp": entry.get("timestamp"), "runId": entry.get("runId"), **entry["message"]})
            elif entry.get("type") == "compaction":
                out.append({"id": entry["id"], "timestamp": entry.get("timestamp"), "role": "system",
                            "content": [{"type": "text", "text": "[earlier conversation compacted]"}], "compaction": True})
        return out[-limit:]


def _assistant_json(text: str) -> dict[str, Any]:
    return message_to_json(Message.assistant(text))
