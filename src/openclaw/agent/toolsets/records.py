"""Record tools: incidents, stored webhook events and the action (audit) log. Event payloads come
from outside and are marked untrusted in the result."""

from __future__ import annotations

import json
from typing import Any, Literal

from openclaw.agent.capabilities import CapabilityMissing, events_of, incidents_of, policy_of
from openclaw.agent.prompt import wrap_untrusted
from openclaw.agent.results import ToolResult
from openclaw.agent.tools import ToolContext


async def list_incidents(ctx: ToolContext, status: Literal["firing", "resolved"] | None = "firing", limit: int = 20) -> ToolResult:
    """List incidents (correlated alerts), newest first.

    Args:
      status: firing, resolved, or null for both.
      limit: at most this many (1-200).
    """
    try:
        found = await incidents_of(ctx.capabilities).list(status=status, limit=max(1, min(limit, 200)))
    except CapabilityMissing as exc:
        return ToolResult.fail(str(exc))
    return ToolResult.ok([i.to_json(with_alerts=False) for i in found])


async def get_incident(ctx: ToolContext, incident_id: str) -> ToolResult:
    """One incident with its alerts (labels, annotations, times) and causes.

    Args:
      incident_id: the incident id, such as inc-12.
    """
    try:
        found = await incidents_of(ctx.capabilities).get(incident_id)
    except CapabilityMissing as exc:
        return ToolResult.fail(str(exc))
    if found is None:
        return ToolResult.fail(f"no incident {incident_id}")
    return ToolResult.ok(mark_annotations(found.to_json()))


def mark_annotations(incident: dict[str, Any]) -> dict[str, Any]:
    """Alert annotations are free text from whoever wrote the rule or posted the webhook: wrapped as untrusted."""
    for alert in incident.get("alerts", []):
        notes = alert.get("annotations")
        if notes:
            alert["annotations"] = wrap_untrusted(json.dumps(notes, ensure_ascii=False), "alert annotations")
    return incident


async def list_events(ctx: ToolContext, source: str | None = None, type: str | None = None, limit: int = 20,
                      with_payload: bool = False) -> ToolResult:
    """Recent webhook events (alertmanager, sonarr, radarr, seerr, ...), newest first.

    Args:
      source: only this source, e.g. alertmanager or sonarr.
      type: only this event type, e.g. Download or firing.
      limit: at most this many (1-100).
      with_payload: include each event's body (untrusted text from outside).
    """
    try:
        found = await events_of(ctx.capabilities).recent(source=source, type=type, limit=max(1, min(limit, 100)))
    except CapabilityMissing as exc:
        return ToolResult.fail(str(exc))
    out = []
    for event in found:
        item = event.to_json()
        if with_payload:
            item["payload"] = wrap_untrusted(event.payload[:4000], f"webhook {event.source}")
        out.append(item)
    return ToolResult.ok(out)


async def list_actions(ctx: ToolContext, incident: str | None = None, outcome: str | None = None, limit: int = 20) -> ToolResult:
    """The action log: every action requested by runbooks, the agent or operators, with the policy's decision.

    Args:
      incident: only actions for this incident id.
      outcome: only this outcome, e.g. refused, applied, pending_approval.
      limit: at most this many (1-200).
    """
    try:
        audit = policy_of(ctx.capabilities).audit
    except CapabilityMissing as exc:
        return ToolResult.fail(str(exc))
    records = audit.list(limit=max(1, min(limit, 200)), incident=incident, outcome=outcome)
    return ToolResult.ok([r.to_json() for r in records])
