"""How agent tools and commands reach the gateway's other capabilities (the policy engine, the
Kubernetes client behind it, incidents, events), looked up in `services.extensions` by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openclaw.events.capability import Events
    from openclaw.incidents.capability import Incidents
    from openclaw.ops.client import KubeClient
    from openclaw.policy.engine import PolicyEngine

POLICY = "policy"
INCIDENTS = "incidents"
EVENTS = "events"


class CapabilityMissing(LookupError):
    """A tool or command needs a capability the gateway is not running."""


def policy_of(caps: Mapping[str, Any]) -> PolicyEngine:
    engine = caps.get(POLICY)
    if engine is None:
        raise CapabilityMissing("the policy engine is not running, so no cluster action can be taken")
    return engine  # type: ignore[no-any-return]  # registered under this key by the policy capability


def kube_of(caps: Mapping[str, Any]) -> KubeClient:
    client = policy_of(caps).backends.kube
    if client is None:
        raise CapabilityMissing("no Kubernetes client is configured (the policy engine has none)")
    return client


def incidents_of(caps: Mapping[str, Any]) -> Incidents:
    found = caps.get(INCIDENTS)
    if found is None:
        raise CapabilityMissing("the incidents store is not running")
    return found  # type: ignore[no-any-return]  # registered under this key by the incidents capability


def events_of(caps: Mapping[str, Any]) -> Events:
    found = caps.get(EVENTS)
    if found is None:
        raise CapabilityMissing("the event store is not running")
    return found  # type: ignore[no-any-return]  # registered under this key by the events capability
