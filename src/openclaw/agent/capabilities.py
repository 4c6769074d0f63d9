"""How agent tools and commands reach the gateway's other capabilities (the policy engine, the
Kubernetes client behind it, incidents, events): through the typed slots they fill."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openclaw.core.slots import CapabilityMissing, Slots
from openclaw.events.capability import EVENTS, Events
from openclaw.incidents.capability import INCIDENTS, Incidents
from openclaw.media.capability import MEDIA, Media
from openclaw.policy.capability import POLICY

if TYPE_CHECKING:
    from openclaw.ops.reader import KubeReader
    from openclaw.policy.engine import PolicyEngine

__all__ = ["EVENTS", "INCIDENTS", "MEDIA", "POLICY", "CapabilityMissing", "events_of", "incidents_of", "kube_of", "media_of", "policy_of"]


def policy_of(caps: Slots) -> PolicyEngine:
    return caps.get(POLICY)


def kube_of(caps: Slots) -> KubeReader:
    """The cluster, read-only: the agent changes it through the policy engine alone."""
    client = policy_of(caps).backends.kube
    if client is None:
        raise CapabilityMissing("no Kubernetes client is configured (the policy engine has none)")
    return client


def incidents_of(caps: Slots) -> Incidents:
    return caps.get(INCIDENTS)


def events_of(caps: Slots) -> Events:
    return caps.get(EVENTS)


def media_of(caps: Slots) -> Media:
    """The media tracker and its app clients, read-only: fixes go through the policy engine."""
    return caps.get(MEDIA)
