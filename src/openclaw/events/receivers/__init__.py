"""Receivers: a webhook body in, a typed `Accepted` event out (or a WebhookError naming the field)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from openclaw.events.models.alertmanager import AlertmanagerNotification
from openclaw.events.models.arr import ArrEvent
from openclaw.events.models.direct import AgentRequest, MappedHook, WakeRequest
from openclaw.events.models.seerr import SeerrNotification
from openclaw.events.receivers.alertmanager import receive_alertmanager
from openclaw.events.receivers.arr import ARR_APPS, receiver_for
from openclaw.events.receivers.base import Accepted
from openclaw.events.receivers.direct import receive_agent, receive_wake
from openclaw.events.receivers.seerr import receive_seerr

Receiver = Callable[[Any], Accepted]

# Built-in hook names -> receiver. Any other name goes through hooks.mappings.
RECEIVERS: dict[str, Receiver] = {
    "alertmanager": receive_alertmanager,
    **{app: receiver_for(app) for app in ARR_APPS},
    "seerr": receive_seerr,
    "wake": receive_wake,
    "agent": receive_agent,
}

# The model a stored event's payload is read back into, by source.
MODELS: dict[str, type[BaseModel]] = {
    "alertmanager": AlertmanagerNotification,
    **{app: ArrEvent for app in ARR_APPS},
    "seerr": SeerrNotification,
    "wake": WakeRequest,
    "agent": AgentRequest,
}


def model_for(source: str) -> type[BaseModel]:
    return MODELS.get(source) or (MappedHook if source.startswith("hook:") else BaseModel)


__all__ = ["Accepted", "RECEIVERS", "MODELS", "model_for", "ARR_APPS"]
