"""Every notice topic the gateway publishes, with who may see it on the WebSocket feed.

One list, so a subscriber (Slack, runbooks, the Control UI) names a topic that exists and a typo is
a type error; a topic's WebSocket scope travels with it instead of with each publish call.
"""

from __future__ import annotations

import enum

from openclaw.core.scopes import APPROVALS, PAIRING, READ


class Topic(enum.StrEnum):
    # events: committed intake (in-process only: the Control UI reads them through methods)
    ALERT_FIRING = "alert.firing"
    ALERT_RESOLVED = "alert.resolved"
    MEDIA_EVENT = "media.event"
    # media: tracked items changed (a poll cycle or a webhook moved them); the Control UI refreshes
    MEDIA_UPDATED = "media.updated"
    AGENT_HOOK = "agent.hook"
    AGENT_WAKE = "agent.wake"
    # incidents
    INCIDENT_OPENED = "incident.opened"
    INCIDENT_UPDATED = "incident.updated"
    INCIDENT_RESOLVED = "incident.resolved"
    INCIDENT_ESCALATED = "incident.escalated"
    INCIDENT_REPORTED = "incident.reported"
    INCIDENT_FINDING = "incident.finding"
    # runbooks
    RUNBOOK_COMPLETED = "runbook.completed"
    # policy
    ACTION_DECIDED = "action.decided"
    ACTION_COMPLETED = "action.completed"
    ACTION_VERIFICATION_FAILED = "action.verification_failed"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_RESOLVED = "approval.resolved"
    # agent
    CHAT = "chat"
    AGENT = "agent"
    AGENT_BUDGET_EXCEEDED = "agent.budget_exceeded"
    HEARTBEAT = "heartbeat"
    # pairing
    DEVICE_PAIR_REQUESTED = "device.pair.requested"
    DEVICE_PAIR_RESOLVED = "device.pair.resolved"

    @property
    def scope(self) -> str | None:
        """The scope a WebSocket caller needs to receive it; None: never sent over the WebSocket."""
        return _SCOPES.get(self, READ)


_SCOPES: dict[Topic, str | None] = {
    Topic.ALERT_FIRING: None,
    Topic.ALERT_RESOLVED: None,
    Topic.MEDIA_EVENT: None,
    Topic.AGENT_HOOK: None,
    Topic.AGENT_WAKE: None,
    Topic.APPROVAL_REQUESTED: APPROVALS,
    Topic.APPROVAL_RESOLVED: APPROVALS,
    Topic.DEVICE_PAIR_REQUESTED: PAIRING,
    Topic.DEVICE_PAIR_RESOLVED: PAIRING,
}
