"""The agent's WebSocket methods: chat.send/history/startup/abort, sessions.*, skills.status, tools.catalog,
last-heartbeat, cron.*, usage.cost. Parameters are validated with errors that name the field."""

from __future__ import annotations

import asyncio

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from openclaw.agent.brains import is_offline
from openclaw.agent.capabilities import CapabilityMissing
from openclaw.agent.chat import MAIN_SESSION
from openclaw.agent.cron import CronJob
from openclaw.agent.messages import Message
from openclaw.errors import StateError
from openclaw.core.methods import ADMIN, APPROVALS, READ, WRITE, MethodCall, MethodError

if TYPE_CHECKING:
    from openclaw.agent.agent import Agent
    from openclaw.core.services import Services


def _str(params: dict[str, Any], name: str, *, required: bool = False, default: str | None = None, max_len: int = 100_000) -> str | None:
    value = params.get(name, default)
    if value is None:
        if required:
            raise MethodError("INVALID_REQUEST", f"{name}: required (a string)", {"field": name})
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise MethodError("INVALID_REQUEST", f"{name}: expected a non-empty string", {"field": name})
    if len(value) > max_len:
        raise MethodError("INVALID_REQUEST", f"{name}: {len(value)} characters, at most {max_len}", {"field": name})
    return value


def _int(params: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    value = params.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise MethodError("INVALID_REQUEST", f"{name}: expected an integer from {lo} to {hi}", {"field": name})
    return value


def install(services: Services, agent: Agent) -> None:
    m = services.methods
    chat = agent.chat
    runtime = agent.runtime

    @m.method("chat.send", WRITE)
    async def chat_send(call: MethodCall) -> dict[str, Any]:
        key = _str(call.params, "sessionKey", default=MAIN_SESSION) or MAIN_SESSION
        message = _str(call.params, "message", required=True, max_len=200_000) or ""
        idem = _str(call.params, "idempotencyKey")
        return chat.send(key, message, idempotency_key=idem, operator=call.caller.operator, can_approve=call.caller.allows(APPROVALS))

    @m.method("chat.history", READ)
    async def chat_history(call: MethodCall) -> dict[str, Any]:
        return await history(call)

    @m.method("chat.startup", READ)
    async def chat_startup(call: MethodCall) -> dict[str, Any]:
        """The upstream Control UI's first read of a conversation: its history here."""
        return await history(call)

    async def history(call: MethodCall) -> dict[str, Any]:
        key = _str(call.params, "sessionKey", default=MAIN_SESSION) or MAIN_SESSION
        limit = _int(call.params, "limit", 200, 1, 1000)
        tools = call.params.get("includeTools", False)
        if not isinstance(tools, bool):
            raise MethodError("INVALID_REQUEST", "includeTools: expected true or false", {"field": "includeTools"})

        def read() -> tuple[Any, list[dict[str, Any]]]:
            return runtime.sessions.get(key), chat.history(key, limit, include_tools=tools)

        entry, messages = await asyncio.to_thread(read)  # files: off the event loop
        return {"sessionKey": key, "sessionId": entry.session_id if entry else None, "messages": messages,
                "running": [r.run_id for r in chat.runs.values() if r.session_key == key]}

    @m.method("chat.abort", WRITE)
    async def chat_abort(call: MethodCall) -> dict[str, Any]:
        key = _str(call.params, "sessionKey", default=MAIN_SESSION) or MAIN_SESSION
        run_id = _str(call.params, "runId")
        aborted = chat.abort(key, run_id)
        return {"ok": True, "aborted": bool(aborted), "runIds": aborted}

    @m.method("chat.inject", WRITE)
    async def chat_inject(call: MethodCall) -> dict[str, Any]:
        """Append an assistant note to a transcript without a run (upstream `chat.inject`)."""
        key = _str(call.params, "sessionKey", default=MAIN_SESSION) or MAIN_SESSION
        text = _str(call.params, "message", required=True, max_len=20_000) or ""
        async with runtime.lock(key):
            ids = await asyncio.to_thread(runtime.sessions.append_messages, key, [Message.assistant(text)])
        chat.publish("chat", {"runId": f"inject-{ids[0]}", "sessionKey": key, "seq": 1, "state": "final",
                              "message": {"role": "assistant", "content": [{"type": "text", "text": text}]}, "stopReason": "inject"})
        return {"ok": True, "id": ids[0]}

    @m.method("sessions.list", READ)
    async def sessions_list(call: MethodCall) -> dict[str, Any]:
        rows = [{"key": k, **v.to_json()} for k, v in sorted((await asyncio.to_thread(runtime.sessions.all)).items(), key=lambda kv: kv[1].updated_at, reverse=True)]
        # `defaults` as the upstream gateway sends it: its Control UI reads the model from there.
        return {"count": len(rows), "defaults": {"model": runtime.brain.model_id}, "sessions": rows}

    @m.method("sessions.reset", WRITE)
    async def sessions_reset(call: MethodCall) -> dict[str, Any]:
        key = _str(call.params, "key", required=True) or ""
        await asyncio.to_thread(runtime.sessions.reset, key)
        return {"ok": True, "key": key}

    @m.method("skills.status", READ)
    async def skills_status(call: MethodCall) -> dict[str, Any]:
        catalog = runtime.skills()
        return {"skills": [s.to_json() for s in sorted(catalog.skills.values(), key=lambda s: s.name)], "problems": catalog.problems}

    @m.method("tools.catalog", READ)
    async def tools_catalog(call: MethodCall) -> dict[str, Any]:
        box, statuses = runtime.toolbox()
        return {
            "toolsets": [{"name": s.name, "description": s.description, "enabled": s.enabled, "tools": list(s.tools), "reason": s.reason} for s in statuses],
            "tools": [{"name": t.name, "description": t.description, "parameters": t.spec().parameters, "mutating": t.mutating} for t in box.tools.values()],
        }

    @m.method("agent.status", READ)
    async def agent_status(call: MethodCall) -> dict[str, Any]:
        return {"model": runtime.brain.model_id, "offline": is_offline(runtime.brain), "modelProblem": agent.model_problem,
                "running": [{"runId": r.run_id, "sessionKey": r.session_key} for r in chat.runs.values()]}

    @m.method("last-heartbeat", READ)
    async def last_heartbeat(call: MethodCall) -> dict[str, Any] | None:
        hb = agent.heartbeat
        if hb.last is None:
            return None
        return {"status": hb.last.status, "text": hb.last.text, "reason": hb.last.reason, "ts": int((hb.last_at or 0) * 1000)}

    @m.method("usage.cost", READ)
    async def usage_cost(call: MethodCall) -> dict[str, Any]:
        data = await asyncio.to_thread(runtime.ledger.read)
        sessions = await asyncio.to_thread(runtime.sessions.all)
        return {"days": data["days"], "incidents": data["incidents"],
                "sessions": {k: {"totalTokens": v.total_tokens, "costUsd": v.cost_usd, "toolCalls": v.tool_calls} for k, v in sessions.items()}}

    @m.method("agent.findings", READ)
    async def agent_findings(call: MethodCall) -> dict[str, Any]:
        incident = _str(call.params, "incident", required=True) or ""
        try:
            return {"incident": incident, "findings": await agent.findings(incident)}
        except CapabilityMissing as exc:
            raise MethodError("UNAVAILABLE", str(exc)) from None

    @m.method("cron.list", READ)
    async def cron_list(call: MethodCall) -> dict[str, Any]:
        return {"jobs": [j.model_dump(by_alias=True, exclude_none=True) for j in agent.cron.read().jobs]}

    @m.method("cron.add", ADMIN)
    async def cron_add(call: MethodCall) -> dict[str, Any]:
        try:
            job = CronJob.model_validate(call.params.get("job", call.params))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise MethodError("INVALID_REQUEST", f"{field}: {first['msg']}", {"field": field}) from None
        try:
            added = agent.cron.add(job)
        except StateError as exc:
            raise MethodError("INVALID_REQUEST", str(exc)) from None
        return {"job": added.model_dump(by_alias=True, exclude_none=True)}

    @m.method("cron.remove", ADMIN)
    async def cron_remove(call: MethodCall) -> dict[str, Any]:
        job_id = _str(call.params, "id", required=True) or ""
        if not agent.cron.remove(job_id):
            raise MethodError("NOT_FOUND", f"no cron job {job_id}", {"field": "id"})
        return {"ok": True}

    @m.method("cron.run", ADMIN)
    async def cron_run(call: MethodCall) -> dict[str, Any]:
        job_id = _str(call.params, "id", required=True) or ""
        job = agent.cron.get(job_id)
        if job is None:
            raise MethodError("NOT_FOUND", f"no cron job {job_id}", {"field": "id"})
        from openclaw.agent.cron import run_job

        status, error, summary = await run_job(agent.cron, job, agent.run_cron_job)
        return {"status": status, "error": error, "summary": summary}
