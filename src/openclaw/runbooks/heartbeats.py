"""Watchdog and InfoInhibitor: always-firing by design; never acted on."""

from __future__ import annotations

from openclaw.runbooks.models import Report, Status
from openclaw.runbooks.registry import RunContext


async def never_act(ctx: RunContext) -> Report:
    return Report(ctx.runbook, Status.IGNORED, f"{ctx.alert.alertname} fires by design (pipeline heartbeat / inhibition helper); never acted on")
