"""Values of the policy layer: what is asked (`ActionRequest`), by whom (`Actor`), and what was decided."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from openclaw.ops.refs import ObjectRef
from openclaw.policy.targets import Target

T = TypeVar("T", bound=Target)


class ActionKind(enum.StrEnum):
    """Every change openclaw can make (cluster and media apps); written the same way in config, audit and metrics."""

    POD_DELETE = "pod.delete"
    WORKLOAD_RESTART = "workload.restart"
    WORKLOAD_SCALE = "workload.scale"
    JOBS_CLEANUP = "jobs.cleanup"
    CRONJOB_SUSPEND = "cronjob.suspend"
    NODE_CORDON = "node.cordon"
    NODE_UNCORDON = "node.uncordon"
    NODE_DRAIN = "node.drain"
    NODE_LABEL = "node.label"
    NODE_TAINT = "node.taint"
    VOLUME_DETACH = "volume.detach"
    MEDIA_REANNOUNCE = "media.download.reannounce"
    MEDIA_RECHECK = "media.download.recheck"
    MEDIA_DOWNLOAD_RETRY = "media.download.retry"
    MEDIA_QUEUE_REMOVE = "media.queue.remove"
    MEDIA_SEARCH = "media.search"
    MEDIA_SCAN = "media.scan"
    MEDIA_REFRESH = "media.refresh"
    MEDIA_LIBRARY_REFRESH = "media.library.refresh"
    MEDIA_REQUEST_RETRY = "media.request.retry"
    MEDIA_REQUEST_APPROVE = "media.request.approve"
    MEDIA_REQUEST_DECLINE = "media.request.decline"
    MEDIA_REQUEST_SCAN = "media.request.scan"

    @property
    def on_media(self) -> bool:
        return self.value.startswith("media.")

    @property
    def on_node(self) -> bool:
        return self.value.startswith("node.")

    @property
    def changes_spec(self) -> bool:
        """A persistent change to the object's declared state, which GitOps self-heal would revert."""
        return self in (ActionKind.WORKLOAD_SCALE, ActionKind.CRONJOB_SUSPEND)


class Outcome(enum.StrEnum):
    APPLIED = "applied"  # executed for real
    DRY_RUN = "dry_run"  # executed with server-side dryRun=All; nothing changed
    OBSERVED = "observed"  # mode observe: recorded only
    REFUSED = "refused"  # a rule said no
    PENDING = "pending_approval"  # parked until an operator approves or denies
    PROPOSED = "proposed"  # GitOps-managed target: recorded as a proposal, not applied
    DENIED = "denied"  # an operator said no
    EXPIRED = "expired"  # nobody answered within ops.approvalTimeout
    FAILED = "failed"  # the executor or the API failed

    @property
    def final(self) -> bool:
        return self is not Outcome.PENDING

    @property
    def executed(self) -> bool:
        """Counted by rate limits: the executor ran (for real or dry)."""
        return self in (Outcome.APPLIED, Outcome.DRY_RUN, Outcome.FAILED)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks: a runbook, an agent session, or an operator."""

    type: str
    id: str

    @classmethod
    def runbook(cls, runbook_id: str) -> Actor:
        return cls("runbook", runbook_id)

    @classmethod
    def agent(cls, session: str) -> Actor:
        return cls("agent", session)

    @classmethod
    def operator(cls, name: str) -> Actor:
        return cls("operator", name)

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Actor:
        kind, _, ident = text.partition(":")
        return cls(kind, ident)


@dataclass(frozen=True, slots=True)
class ActionRequest(Generic[T]):
    """A mutation as a value, before anything happens; `target` is whatever the kind's backend acts on."""

    kind: ActionKind
    target: T
    actor: Actor
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    incident: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ActionKind):
            object.__setattr__(self, "kind", ActionKind(self.kind))
        if self.kind.on_node and not (isinstance(self.target, ObjectRef) and self.target.kind == "Node"):
            raise ValueError(f"{self.kind} targets a Node, got {self.target.key}")

    @property
    def namespace(self) -> str | None:
        """The Kubernetes namespace acted in (the namespace rules' input); None for node actions and
        for targets of other backends, which have their own scope."""
        return self.target.scope if isinstance(self.target, ObjectRef) else None


@dataclass(frozen=True, slots=True)
class Verdict:
    """A rule's answer: the outcome it forces, why, and the config key that decided."""

    outcome: Outcome
    reason: str
    setting: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """What `policy.submit()` decided and, once executed, what happened."""

    action_id: str
    request: ActionRequest[Any]
    outcome: Outcome
    reason: str
    setting: str | None = None
    mode: str = "enforce"
    result: str | None = None
    verification: str | None = None  # "passed", "failed: ...", "skipped: ..."
    details: dict[str, Any] = field(default_factory=dict)  # what the executor reported (captured logs, evicted pods)

    @property
    def verified(self) -> bool:
        return self.verification == "passed"

    @property
    def verification_failed(self) -> bool:
        return bool(self.verification and self.verification.startswith("failed"))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.action_id,
            "kind": str(self.request.kind),
            "target": self.request.target.key,
            "actor": str(self.request.actor),
            "reason": self.request.reason,
            "incident": self.request.incident,
            "params": self.request.params,
            "outcome": str(self.outcome),
            "decision": self.reason,
            "setting": self.setting,
            "mode": self.mode,
            "result": self.result,
            "verification": self.verification,
            "details": self.details,
        }
