"""`overview.get`: the Control UI's first screen in one call, read from every capability the gateway runs.

Each section is read on its own: a capability that is not running, or a cluster that does not
answer, makes its section `{"available": false, "reason": ...}` and the rest still comes back, so
the overview never fails as a whole because one part is down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from openclaw.agent.brains import is_offline
from openclaw.agent.capability import AGENT
from openclaw.core.methods import READ, MethodCall, MethodError
from openclaw.errors import OpenClawError
from openclaw.incidents.capability import INCIDENTS
from openclaw.incidents.heartbeat import SILENCE_LIMIT_S
from openclaw.media.capability import MEDIA
from openclaw.media.stages import Stage
from openclaw.ops import reads
from openclaw.policy.capability import POLICY
from openclaw.policy.models import Outcome

if TYPE_CHECKING:
    from openclaw.core.services import Services

log = logging.getLogger(__name__)

HOURS = 24
RECENT_ACTIONS = 8
# A cluster read that takes longer than this is reported as unavailable: the rest of the overview
# must not wait on a slow API server.
CLUSTER_TIMEOUT_S = 5.0
PODS_LISTED = 5  # per namespace, the names behind a count

Section = dict[str, Any]


def unavailable(reason: str) -> Section:
    return {"available": False, "reason": reason}


async def cluster_section(services: Services) -> Section:
    policy = services.find(POLICY)
    kube = policy.backends.kube if policy is not None else None
    if kube is None:
        return unavailable("no Kubernetes client is configured (ops.kube)")
    nodes, pods = await asyncio.wait_for(asyncio.gather(reads.list_nodes(kube), reads.list_pods(kube)), CLUSTER_TIMEOUT_S)
    not_running: dict[str, list[str]] = {}
    for pod in pods:
        if pod.phase == "Succeeded" or (pod.phase == "Running" and pod.ready):
            continue
        not_running.setdefault(pod.namespace, []).append(pod.name)
    return {
        "available": True,
        "nodes": {
            "total": len(nodes),
            "ready": sum(1 for n in nodes if n.ready),
            "notReady": sorted(n.name for n in nodes if not n.ready),
            "cordoned": sorted(n.name for n in nodes if n.unschedulable),
        },
        "pods": {
            "total": len(pods),
            "notRunning": sum(len(v) for v in not_running.values()),
            "notRunningByNamespace": {ns: {"count": len(names), "pods": sorted(names)[:PODS_LISTED]} for ns, names in sorted(not_running.items())},
        },
    }


def heartbeat_state(beat: dict[str, Any], now: float) -> str:
    """"ok", "silent" (no firing notification within the limit: the pipeline may be down) or "not expected"."""
    if not beat["expected"]:
        return "not expected"
    last = beat["lastFiring"]
    return "ok" if isinstance(last, (int, float)) and now - last <= SILENCE_LIMIT_S else "silent"


async def incidents_section(services: Services, since: float, now: float) -> Section:
    incidents = services.find(INCIDENTS)
    if incidents is None:
        return unavailable("the incidents store is not running")
    glance = await incidents.at_a_glance(since, HOURS)
    by_severity: dict[str, int] = {}
    for counts in glance["firing"].values():
        for severity, n in counts.items():
            by_severity[severity] = by_severity.get(severity, 0) + n
    return {
        "available": True,
        "firing": sum(by_severity.values()),
        "firingBySeverity": by_severity,
        "firingHeartbeat": sum(glance["firing"].get("heartbeat", {}).values()),
        "openedPerHour": glance["openedPerHour"],
        "heartbeats": [{**b, "state": heartbeat_state(b, now)} for b in glance["heartbeats"]],
        "heartbeatLimitS": SILENCE_LIMIT_S,
    }


async def actions_section(services: Services, since: float) -> Section:
    policy = services.find(POLICY)
    if policy is None:
        return unavailable("the policy engine is not running")
    audit = policy.audit
    pending = [r.to_json() for r in audit.pending() if r.resolution is None]
    recent = [r.to_json() for r in audit.list(limit=RECENT_ACTIONS)]
    per_hour = audit.created_per_hour(since, HOURS)
    today: dict[str, int] = {}
    for hour in per_hour:
        for outcome, n in hour.items():
            today[outcome] = today.get(outcome, 0) + n
    return {
        "available": True,
        "pending": pending,
        "recent": recent,
        "perHour": [sum(h.values()) for h in per_hour],
        "last24hByOutcome": today,
        "failedPerHour": [h.get(str(Outcome.FAILED), 0) + h.get(str(Outcome.REFUSED), 0) for h in per_hour],
    }


async def agent_section(services: Services) -> Section:
    agent = services.find(AGENT)
    if agent is None:
        return unavailable("the agent is not running")
    runtime = agent.runtime
    day, _ = runtime.ledger.totals()
    limits = services.config.settings.agents.defaults.limits
    offline = is_offline(runtime.brain)
    return {
        "available": True,
        "model": None if offline else runtime.brain.model_id,
        "offline": offline,
        "modelProblem": agent.model_problem,
        "running": len(agent.chat.runs),
        "today": {
            "date": runtime.ledger.today(),
            "toolCalls": int(day.get("toolCalls", 0)),
            "tokens": int(day.get("tokens", 0)),
            "costUsd": float(day.get("costUsd", 0.0)),
        },
        "budget": {"toolCallsPerDay": limits.tool_calls_per_day, "tokensPerDay": limits.tokens_per_day},
    }


async def media_section(services: Services) -> Section:
    media = services.find(MEDIA)
    if media is None:
        return unavailable("the media capability is not running")
    counts = await media.stage_counts()
    by_stage = {str(stage): counts.get(str(stage), 0) for stage in Stage}  # in pipeline order, so the card reads left to right
    stuck = len(await media.items(stuck=True))
    return {"available": True, "items": sum(by_stage.values()), "byStage": by_stage, "stuck": stuck}


async def guarded(name: str, read: Callable[[], Awaitable[Section]]) -> Section:
    """One section; a failure there is that section's reason, logged, never the whole overview's."""
    try:
        return await read()
    except TimeoutError:
        return unavailable(f"no answer within {CLUSTER_TIMEOUT_S:g} s")
    except (OpenClawError, OSError) as exc:
        log.warning("overview.section_failed", extra={"section": name, "detail": str(exc)})
        return unavailable(str(exc))


async def overview(services: Services, now: float | None = None) -> dict[str, Any]:
    at = time.time() if now is None else now
    # Hour buckets end with the current hour: the last one is the hour in progress.
    since = (int(at // 3600) - HOURS + 1) * 3600.0

    cluster, incidents, actions, agent, media = await asyncio.gather(
        guarded("cluster", lambda: cluster_section(services)),
        guarded("incidents", lambda: incidents_section(services, since, at)),
        guarded("actions", lambda: actions_section(services, since)),
        guarded("agent", lambda: agent_section(services)),
        guarded("media", lambda: media_section(services)),
    )
    return {"generatedAt": at, "series": {"start": since, "hours": HOURS, "stepS": 3600},
            "cluster": cluster, "incidents": incidents, "actions": actions, "agent": agent, "media": media}


def install(services: Services) -> None:
    @services.methods.method("overview.get", READ)
    async def overview_get(call: MethodCall) -> dict[str, Any]:
        if call.params:
            raise MethodError("INVALID_REQUEST", f"{sorted(call.params)[0]}: overview.get takes no parameters", {"field": sorted(call.params)[0]})
        return await overview(services)
