"""Bodies of the gateway's own hooks: `/hooks/wake`, `/hooks/agent`, and mapped `/hooks/<name>`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from openclaw.events.models.base import WebhookModel

WakeMode = Literal["now", "next-heartbeat"]


class WakeRequest(WebhookModel):
    text: str = Field(min_length=1)
    mode: WakeMode = "now"


class AgentRequest(WebhookModel):
    message: str = Field(min_length=1)
    name: str | None = None
    session_key: str | None = Field(None, alias="sessionKey")
    wake_mode: WakeMode = Field("now", alias="wakeMode")
    deliver: bool | None = None
    channel: str | None = None
    to: str | None = None
    model: str | None = None
    thinking: str | None = None
    timeout_seconds: int | None = Field(None, alias="timeoutSeconds", ge=1)


class MappedHook(WebhookModel):
    """What a `hooks.mappings` entry made of a request: the rendered action plus the original body."""

    mapping: str
    path: str
    action: Literal["wake", "agent"]
    name: str | None = None
    message: str
    session_key: str | None = Field(None, alias="sessionKey")
    payload: Any = None
