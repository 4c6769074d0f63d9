"""Typed webhook bodies, one module per source."""

from __future__ import annotations

from openclaw.events.models.alertmanager import Alert, AlertmanagerNotification
from openclaw.events.models.arr import ArrEvent
from openclaw.events.models.direct import AgentRequest, MappedHook, WakeRequest
from openclaw.events.models.seerr import SeerrNotification

__all__ = ["Alert", "AlertmanagerNotification", "ArrEvent", "AgentRequest", "MappedHook", "WakeRequest", "SeerrNotification"]
