"""The policy capability inside the gateway: Kubernetes client, audit log, engine, approval sweep,
WebSocket methods (`actions.list`, `approvals.list|approve|deny`) and `action.*` / `approval.*` events.

Others reach the engine as `policy_of(services)` and submit every cluster change through it.
The audit table lives in the event database file (`<state>/events.db`, table `ops_actions`); the
engine writes it through the event database's writer, the CLI through its own connection.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openclaw.core.slots import Slot
from openclaw.core.notices import Notice
from openclaw.core.topics import Topic
from openclaw.errors import KubeError, StateError
from openclaw.core.methods import APPROVALS, READ, MethodCall, MethodError
from openclaw.events.capability import events_of
from openclaw.logs import redact_data
from openclaw.media.capability import MEDIA
from openclaw.ops.clock import CLOCK, OfferedClock
from openclaw.policy.audit import SCHEMA as audit_schema
from openclaw.policy.audit import AuditLog
from openclaw.policy.engine import PolicyEngine

if TYPE_CHECKING:
    from openclaw.core.services import Services
    from openclaw.ops.client import KubeClient

log = logging.getLogger(__name__)

# The kubeconfig another capability (the embedded sandbox) may offer.
KUBECONFIG: Slot[Path] = Slot("kubeconfig", "no kubeconfig was offered")
AUDIT_DB_FILE = "events.db"  # the event store's file: the audit log sits beside the events


def audit_path(state_dir: Path) -> Path:
    return state_dir / AUDIT_DB_FILE


POLICY: Slot[PolicyEngine] = Slot("policy", "the policy engine is not running, so no cluster action can be taken")


def policy_of(services: Services) -> PolicyEngine:
    return services.get(POLICY)


def connect_kube(services: Services) -> KubeClient | None:
    """The cluster client for the gateway: `ops.kube.kubeconfig`, else a kubeconfig another
    capability offered (the sandbox), else in-cluster / KUBECONFIG. None when there is none."""
    from openclaw.ops.client import KubeClient

    kube = services.config.settings.ops.kube
    offered = services.find(KUBECONFIG)
    path = Path(kube.kubeconfig) if kube.kubeconfig else offered
    try:
        return KubeClient.connect(path, kube.context, timeout_s=kube.request_timeout)
    except KubeError as exc:
        log.warning("ops.kube_unavailable", extra={"detail": str(exc)})
        return None


def _limit(params: dict[str, Any]) -> int:
    limit = params.get("limit", 100)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
        raise MethodError("INVALID_REQUEST", "limit: expected an integer from 1 to 1000", {"field": "limit"})
    return limit


def _id(params: dict[str, Any]) -> str:
    action_id = params.get("id")
    if not isinstance(action_id, str) or not action_id:
        raise MethodError("INVALID_REQUEST", "id: expected an action id such as act_0123abcd (see approvals.list)", {"field": "id"})
    return action_id


def install(services: Services) -> PolicyEngine:
    from prometheus_client import Counter

    decided = Counter("openclaw_actions", "Cluster actions by kind and final outcome (as in the audit log)", ["kind", "outcome"], registry=services.metrics)
    failed_checks = Counter("openclaw_action_verifications_failed", "Actions whose expected state did not follow", ["kind"], registry=services.metrics)

    def publish(event: str, payload: dict[str, Any]) -> None:
        if event == "action.completed":
            decided.labels(payload["kind"], payload["outcome"]).inc()
        elif event == "action.verification_failed":
            failed_checks.labels(payload["kind"]).inc()
        # Posted, not awaited: the engine never waits for a subscriber (a slow Slack post must not delay a drain).
        services.notices.post(Notice(Topic(event), payload))

    # Reads, and the CLI's answers, on its own connection; every write masked with the config's secrets.
    audit = AuditLog(audit_path(services.state_dir), mask=lambda value: redact_data(value, services.redactor.secrets))
    events = events_of(services)
    events.db.add_schema(audit_schema)
    # Writes go through the event database's single writer: batched with ingest, the fsync off the loop.
    engine = PolicyEngine(None, audit, lambda: services.config.settings.ops, publish, write=events.db.run,
                          waits=OfferedClock(lambda: services.find(CLOCK)))
    services.put(POLICY, engine)
    media = services.find(MEDIA)
    if media is not None:
        engine.backends.media = lambda: media.clients
        media.actions_for = lambda item_id: [r.to_json() for r in audit.list(limit=1000) if r.target.endswith("/" + item_id)]
    m = services.methods

    @m.method("actions.list", READ)
    async def actions_list(call: MethodCall) -> dict[str, Any]:
        incident = call.params.get("incident")
        outcome = call.params.get("outcome")
        if incident is not None and not isinstance(incident, str):
            raise MethodError("INVALID_REQUEST", "incident: expected an incident id", {"field": "incident"})
        if outcome is not None and not isinstance(outcome, str):
            raise MethodError("INVALID_REQUEST", "outcome: expected an outcome such as applied or refused", {"field": "outcome"})
        rows = audit.list(limit=_limit(call.params), incident=incident, outcome=outcome)
        return {"actions": [r.to_json() for r in rows]}

    @m.method("approvals.list", APPROVALS)
    async def approvals_list(call: MethodCall) -> dict[str, Any]:
        return {"approvals": [r.to_json() for r in audit.pending() if r.resolution is None]}

    async def answer(call: MethodCall, approve: bool) -> dict[str, Any]:
        action_id = _id(call.params)
        who = f"operator:{call.caller.operator}"
        try:
            decision = await engine.resolve(action_id, approve=approve, by=who)
        except StateError as exc:
            raise MethodError("INVALID_REQUEST", str(exc), {"field": "id"}) from None
        return {"action": decision.to_json()}

    @m.method("approvals.approve", APPROVALS)
    async def approvals_approve(call: MethodCall) -> dict[str, Any]:
        return await answer(call, True)

    @m.method("approvals.deny", APPROVALS)
    async def approvals_deny(call: MethodCall) -> dict[str, Any]:
        return await answer(call, False)

    async def start() -> None:
        engine.backends.kube = connect_kube(services)
        services.supervisor.start("policy.approvals", engine.run_sweeper())

    async def stop() -> None:
        if engine.backends.kube is not None:
            await engine.backends.kube.aclose()
        audit.close()

    # No readiness check on the cluster: a gateway without one still serves webhooks, chat and media;
    # every action is then refused with the reason ("no Kubernetes client configured (ops.kube)").
    services.startup.append(start)
    services.shutdown.append(stop)
    return engine
