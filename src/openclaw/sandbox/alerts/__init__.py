"""The sandbox alert source: kube-prometheus rules over the simulated cluster, AlertManager webhooks out."""

from __future__ import annotations

from openclaw.sandbox.alerts.dispatcher import Dispatcher, Route
from openclaw.sandbox.alerts.source import AlertSource

__all__ = ["AlertSource", "Dispatcher", "Route"]
