"""The agent capability inside the gateway: the runtime, chat over WebSocket, webhook-triggered
turns, incident investigations, the heartbeat and the cron scheduler.

Others reach it as `agent_of(services)`:

    agent = agent_of(services)
    run = agent.investigate(incident_id, note="crashloop runbook gave up after 3 restarts")
    agent.chat.send("agent:main:main", "what is firing?")
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openclaw.agent.brains import Brain, OfflineBrain, is_offline, select_brain
from openclaw.agent.capabilities import INCIDENTS, CapabilityMissing, events_of, incidents_of
from openclaw.agent.chat import MAIN_SESSION, ActiveRun, ChatService
from openclaw.agent.cron import CronJob, CronStore, scheduler
from openclaw.agent.heartbeat import Heartbeat
from openclaw.agent.messages import Message
from openclaw.agent.prompt import wrap_untrusted
from openclaw.agent.runtime import AgentRuntime
from openclaw.core.notices import Notice
from openclaw.core.topics import Topic
from openclaw.errors import ConfigError, StateError

if TYPE_CHECKING:
    from openclaw.gateway.services import Services

log = logging.getLogger(__name__)

EXTENSION = "agent"
# A finding note's one-line summary; the whole answer stays in the note's data.
FINDING_SUMMARY_CHARS = 500


@dataclass
class Agent:
    runtime: AgentRuntime
    chat: ChatService
    heartbeat: Heartbeat
    cron: CronStore
    model_problem: str | None = None
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
        entry = self.runtime.sessions.get(f"incident:{incident_id}")
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

    def run_hook(self, message: str, *, name: str | None = None, session_key: str | None = None) -> dict[str, Any]:
        """A `/hooks/agent` turn: the webhook's text is wrapped as untrusted, in session `hook:<...>`."""
        key = session_key if session_key and session_key.startswith("hook:") else f"hook:{session_key or uuid.uuid4().hex}"
        source = f"webhook {name}" if name else "webhook /hooks/agent"
        text = (f"A webhook ({name or 'agent'}) asked for an agent turn. Handle what it reports within your rules.\n"
                + wrap_untrusted(message, source))
        return self.chat.send(key, text, kind="hook")

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


def agent_of(services: Services) -> Agent:
    agent: Agent = services.extensions[EXTENSION]
    return agent


class _Metrics:
    """Prometheus counters derived from the agent's own events."""

    def __init__(self, services: Services) -> None:
        from prometheus_client import Counter

        reg = services.metrics
        self.runs = Counter("openclaw_agent_runs", "Agent runs by how they ended", ["state", "stop"], registry=reg)
        self.tokens = Counter("openclaw_agent_tokens", "Model tokens used by the agent", ["kind"], registry=reg)
        self.tools = Counter("openclaw_agent_tool_calls", "Agent tool calls by result", ["tool", "status"], registry=reg)

    def observe(self, event: str, payload: dict[str, Any]) -> None:
        if event == "chat" and payload.get("state") in ("final", "error", "aborted"):
            self.runs.labels(payload["state"], str(payload.get("stopReason") or payload["state"])).inc()
            for kind in ("input", "output", "cacheRead", "cacheWrite"):
                used = (payload.get("usage") or {}).get(kind, 0)
                if used:
                    self.tokens.labels(kind).inc(used)
        elif event == "agent" and payload.get("stream") == "tool":
            data = payload.get("data") or {}
            self.tools.labels(str(data.get("name")), str(data.get("status"))).inc()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def choose_brain(services: Services) -> tuple[Brain, str | None]:
    """The configured brain, or offline with the reason when the model config cannot be used."""
    try:
        return select_brain(services.config.settings, os.environ), None
    except ConfigError as exc:
        log.error("agent.model_unavailable", extra={"error": str(exc)})
        return OfflineBrain(), str(exc)


def install(services: Services) -> Agent:
    from openclaw.agent import methods

    brain, problem = choose_brain(services)
    # The live extensions dict: capabilities installed after this one (policy) are seen by tools.
    runtime = AgentRuntime(services.state_dir, lambda: services.config.settings, brain, env=dict(os.environ),
                           capabilities=services.extensions)

    metrics = _Metrics(services)

    def publish(event: str, payload: dict[str, Any]) -> None:
        metrics.observe(event, payload)
        services.notices.post(Notice(Topic(event), payload))

    chat = ChatService(runtime, publish)
    agent = Agent(runtime, chat, Heartbeat(runtime, publish, MAIN_SESSION), CronStore(services.state_dir), problem)
    services.extensions[EXTENSION] = agent

    def on_config(old: Any, new: Any) -> None:
        # A changed model or provider takes effect for the next run, without a restart.
        if old.settings.agents.defaults.model == new.settings.agents.defaults.model and old.settings.models == new.settings.models:
            return
        previous = runtime.brain
        runtime.brain, agent.model_problem = choose_brain(services)
        log.info("agent.model_changed", extra={"model": runtime.brain.model_id})
        task = asyncio.get_running_loop().create_task(previous.aclose()) if _loop_running() else None
        if task is not None:
            agent.background.add(task)
            task.add_done_callback(agent.background.discard)

    services.config.on_change(on_config)
    methods.install(services, agent)
    _listen_to_hooks(services, agent)
    _take_escalations(services, agent)

    async def start() -> None:
        services.supervisor.start("agent.heartbeat", agent.heartbeat.run_forever())
        cron = services.config.settings.cron
        if cron.enabled:
            services.supervisor.start("agent.cron", scheduler(agent.cron, agent.run_cron_job, poll_s=cron.poll_seconds))

    async def stop() -> None:
        await chat.close()
        await runtime.brain.aclose()

    services.startup.append(start)
    services.shutdown.append(stop)
    log.info("agent.installed", extra={"model": brain.model_id, "incidents": INCIDENTS in services.extensions})
    return agent


def _listen_to_hooks(services: Services, agent: Agent) -> None:
    """`/hooks/agent`, `/hooks/wake` and mapped hooks become stored events; once committed, start the turn."""
    from openclaw.events import Processing

    try:
        events = events_of(services.extensions)
    except LookupError:
        return

    def handler(conn: Any, work: Processing) -> list[Notice]:
        source, body = work.event.source, work.model
        if source == "agent":
            return [Notice(Topic.AGENT_HOOK, {"eventId": work.event.id, "message": getattr(body, "message", ""),
                                          "name": getattr(body, "name", None), "sessionKey": getattr(body, "session_key", None)})]
        if source == "wake":
            return [Notice(Topic.AGENT_WAKE, {"eventId": work.event.id, "text": getattr(body, "text", ""), "mode": getattr(body, "mode", "now")})]
        if source.startswith("hook:"):
            if getattr(body, "action", None) == "wake":
                return [Notice(Topic.AGENT_WAKE, {"eventId": work.event.id, "text": getattr(body, "message", ""), "mode": "now"})]
            return [Notice(Topic.AGENT_HOOK, {"eventId": work.event.id, "message": getattr(body, "message", ""),
                                          "name": getattr(body, "name", None) or getattr(body, "mapping", None),
                                          "sessionKey": getattr(body, "session_key", None)})]
        return []

    async def listener(notice: Notice) -> None:
        if notice.topic == "agent.hook":
            p = notice.payload
            agent.run_hook(str(p["message"]), name=p.get("name"), session_key=p.get("sessionKey"))
        elif notice.topic == "agent.wake":
            agent.heartbeat.enqueue(str(notice.payload["text"]))
            if notice.payload.get("mode") == "now":
                task = asyncio.create_task(agent.heartbeat.tick(), name="agent.wake")
                agent.background.add(task)
                task.add_done_callback(agent.background.discard)

    events.register("*", handler)
    events.subscribe(listener)


def _take_escalations(services: Services, agent: Agent) -> None:
    """Take what runbooks escalate when a model is configured; offline, the operator keeps it."""
    runner = services.extensions.get("runbooks")
    if runner is None:
        return

    # Incidents whose investigation is being set up (between the check and the run's start, the
    # incident is read): a second escalation arriving meanwhile joins it instead of starting another.
    starting: set[str] = set()

    async def on_escalation(alert: Any, report: Any) -> bool:
        if is_offline(agent.runtime.brain):
            return False
        incident_id = alert.incident_id or f"alert-{alert.fingerprint}"
        if incident_id in starting or any(r.session_key == f"incident:{incident_id}" for r in agent.chat.runs.values()):
            return True  # already being investigated; the new evidence is in the incident's notes
        starting.add(incident_id)
        try:
            incident = None
            found = services.extensions.get(INCIDENTS)
            if found is not None and alert.incident_id:
                got = await found.get(alert.incident_id)
                incident = got.to_json() if got is not None else None
            if incident is None:
                incident = {"alertname": alert.alertname, "labels": alert.labels, "annotations": alert.annotations}
            note = json.dumps(report.to_json(), default=str, indent=1)
            agent.investigate(incident_id, note=note, incident=incident)
        finally:
            starting.discard(incident_id)
        return True

    runner.escalations.subscribe(on_escalation)
