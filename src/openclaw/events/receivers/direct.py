"""`/hooks/wake` and `/hooks/agent`: the gateway's own hooks."""

from __future__ import annotations

from typing import Any

from openclaw.events.models.direct import AgentRequest, WakeRequest
from openclaw.events.receivers.base import Accepted, validate


def receive_wake(data: Any) -> Accepted:
    req = validate(WakeRequest, data)
    return Accepted("wake", req.mode, req)


def receive_agent(data: Any) -> Accepted:
    req = validate(AgentRequest, data)
    return Accepted("agent", "message", req)
