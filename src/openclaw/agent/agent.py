"""`Agent`: the running agent as one value: the runtime, chat, heartbeat and cron, and what it does
with an escalated incident (an investigation whose answer becomes the incident's `finding` note)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from openclaw.agent.capabilities import CapabilityMissing, incidents_of
from openclaw.agent.chat import ActiveRun, ChatService
from openclaw.agent.cron import CronJob, CronStore
from openclaw.agent.heartbeat import Heartbeat
from openclaw.agent.hook_quota import HookQuota
from openclaw.agent.messages import Message
from openclaw.agent.prompt import wrap_untrusted
from openclaw.agent.runtime import AgentRuntime
from openclaw.errors import StateError

log = logging.getLogger(__name__)

# A finding note's one-line summary; the whole answer stays in the note's data.
FINDING_SUMMARY_CHARS = 500


@dataclass
class Agent:
    runtime: AgentRuntime
    chat: ChatService
    heartbeat: Heartbeat
    cron: CronStore
    model_problem: str | None = None
    # Agent turns each webhook sender has queued or running (the gateway takes, the turn's end returns).
    hook_quota: HookQuota = field(default_factory=lambda: HookQuota(lambda: 16))
    # Wake-ups running now; held so they are not garbage-collected mid-run.
    background: set[asyncio.Task[Any]] = field(default_factory=set)

    def investigate(self, incident_id: str, *, note: str = "", incident: dict[str, Any] | None = None) -> dict[str, Any]:
        """Start an investigation of an escalated incident in session `incident:<id>`; returns `{runId}`.
        The final answer and the actions taken are attached to the incident as a `finding` note and
        published as `incident.finding`."""
        text = f"Investigate incident {incident_id}."
        if note:
            text += "\nWhy it was escalated to you:\n" + wrap_untrusted(note, "runbook escalation")
        return self.chat.send(f"incident:{incident_id}", text, kind="incident", incident=incident, incident_id=incident_id,
                              on_done=lambda run: self._finding(incident_id, run))

    async def _finding(self, incident_id: str, run: ActiveRun) -> None:
        out = run.outcome
        entry = await asyncio.to_thread(self.runtime.sessions.get, f"incident:{incident_id}")
        finding = {
            "incidentId": incident_id, "runId": run.run_id, "sessionKey": run.session_key, "stop": out.stop,
            "finding": out.text, "error": out.error, "actions": out.actions, "usage": out.usage.to_json(),
            "costUsd": entry.cost_usd if entry else 0.0, "ts": int(time.time() * 1000),
        }
        try:
            summary = (out.text or out.error or f"investigation ended: {out.stop}")[:FINDING_SUMMARY_CHARS]
            await incidents_of(self.runtime.capabilities).attach_note(incident_id, "finding", f"agent:{run.session_key}", summary, finding)
        except (CapabilityMissing, StateError):  # the event below still carries the finding to the operator
            log.exception("agent.finding_not_stored", extra={"incident": incident_id})
        self.chat.publish("incident.finding", finding)

    async def findings(self, incident_id: str) -> list[dict[str, Any]]:
        """The agent's findings on an incident, oldest first (notes of kind `finding`)."""
        notes = await incidents_of(self.runtime.capabilities).list_notes(incident_id=incident_id, kinds=("finding",), limit=1000)
        return [n.data for n in reversed(notes)]

    def run_hook(self, message: str, *, name: str | None = None, session_key: str | None = None,
                 event_id: str | None = None) -> dict[str, Any]:
        """A `/hooks/agent` turn: the webhook's text is wrapped as untrusted, in session `hook:<...>`.
        Its end returns the sender's ticket for stored event `event_id`."""
        key = session_key if session_key and session_key.startswith("hook:") else f"hook:{session_key or uuid.uuid4().hex}"
        source = f"webhook {name}" if name else "webhook /hooks/agent"
        text = (f"A webhook ({name or 'agent'}) asked for an agent turn. Handle what it reports within your rules.\n"
                + wrap_untrusted(message, source))
        if event_id is None:
            return self.chat.send(key, text, kind="hook")
        try:
            return self.chat.send(key, text, kind="hook", on_done=lambda run: self.hook_quota.ended(event_id))
        except BaseException:
            self.hook_quota.ended(event_id)
            raise

    async def run_cron_job(self, job: CronJob) -> tuple[str, str | None, str]:
        prefix = f"[cron:{job.id} {job.name}] "
        message = prefix + job.payload.message
        result = self.chat.send(job.session_key, message, kind="cron", message=Message.user(message))
        out = await self.chat.wait(result["runId"])
        if out is None:
            return "error", "the run vanished", ""
        if out.stop in ("error", "budget", "aborted"):
            return "error", out.error, out.text
        return "ok", None, out.text
