"""Incidents: alerts de-duplicated by fingerprint and correlated by cause."""

from __future__ import annotations

from openclaw.incidents.capability import Incidents, incidents_of, install
from openclaw.incidents.models import Incident, IncidentAlert

__all__ = ["Incident", "IncidentAlert", "Incidents", "incidents_of", "install"]
