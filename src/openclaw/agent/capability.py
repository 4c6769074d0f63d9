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
from typing import TYPE_CHECKING, Any

from openclaw.agent.agent import Agent
from openclaw.agent.brains import Brain, OfflineBrain, is_offline, select_brain
from openclaw.agent.chat import MAIN_SESSION, ChatService
from openclaw.agent.cron import CronStore, scheduler
from openclaw.agent.heartbeat import Heartbeat
from openclaw.agent.hook_quota import HookQuota
from openclaw.agent.runtime import AgentRuntime
from openclaw.core.notices import Notice
from openclaw.core.slots import CapabilityMissing, Slot
from openclaw.core.topics import Topic
from openclaw.errors import ConfigError
from openclaw.events.capability import events_of
from openclaw.incidents.capability import INCIDENTS
from openclaw.runbooks.capability import RUNBOOKS

if TYPE_CHECKING:
    from openclaw.core.services import Services

log = logging.getLogger(__name__)

AGENT: Slot[Agent] = Slot("agent", "the agent is not running")


def agent_of(services: Services) -> Agent:
    return services.get(AGENT)


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
    # The live slots: capabilities installed after this one are seen by tools.
    runtime = AgentRuntime(services.state_dir, lambda: services.config.settings, brain, env=dict(os.environ),
                           capabilities=services.slots)

    metrics = _Metrics(services)

    def publish(event: str, payload: dict[str, Any]) -> None:
        metrics.observe(event, payload)
        services.notices.post(Notice(Topic(event), payload))

    chat = ChatService(runtime, publish)
    agent = Agent(runtime, chat, Heartbeat(runtime, publish, MAIN_SESSION), CronStore(services.state_dir), problem,
                  hook_quota=HookQuota(lambda: services.config.settings.hooks.agent_turns_per_sender))
    services.put(AGENT, agent)

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
        # Every capability is installed by now: build the tools and their schemas once, before the
        # first turn, instead of on the event loop in the middle of a webhook burst.
        await asyncio.to_thread(lambda: runtime.toolbox()[0].specs())
        services.supervisor.start("agent.heartbeat", agent.heartbeat.run_forever())
        cron = services.config.settings.cron
        if cron.enabled:
            services.supervisor.start("agent.cron", scheduler(agent.cron, agent.run_cron_job, poll_s=cron.poll_seconds))

    async def stop() -> None:
        await chat.close()
        await runtime.brain.aclose()

    services.startup.append(start)
    services.shutdown.append(stop)
    log.info("agent.installed", extra={"model": brain.model_id, "incidents": INCIDENTS in services.slots})
    return agent


def _listen_to_hooks(services: Services, agent: Agent) -> None:
    """`/hooks/agent`, `/hooks/wake` and mapped hooks become stored events; once committed, start the turn."""
    from openclaw.events import Processing

    try:
        events = events_of(services)
    except CapabilityMissing:
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
            agent.run_hook(str(p["message"]), name=p.get("name"), session_key=p.get("sessionKey"), event_id=p.get("eventId"))
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
    runner = services.find(RUNBOOKS)
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
            found = services.find(INCIDENTS)
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
