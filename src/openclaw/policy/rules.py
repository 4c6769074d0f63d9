"""The policy rules, as one pure function over the request, the settings and gathered facts.

`evaluate()` checks, always in this order: namespace allowed/protected, action enabled, rate limits,
(media: item cooldown, per-app search cap, what the backend's facts object to), blast radius,
stale volume attachment (volume.detach), GitOps-managed target, approval needed, then the mode. The first rule that objects
decides; its reason names the config key involved, so an operator knows what to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from openclaw.config.schema import OpsPolicySettings
from openclaw.ops.refs import ObjectRef
from openclaw.policy.models import ActionKind, ActionRequest, Outcome, Verdict
from openclaw.policy.targets import Target


@dataclass(frozen=True, slots=True)
class RateCounts:
    """Executed actions in the last rolling hour: of this kind anywhere, and of this kind on this object."""

    kind: int = 0
    object: int = 0
    scope: int = 0  # of this kind on targets in the same scope (a media app instance)
    since_last: float | None = None  # seconds since this kind last ran on this object; None: never


@dataclass(frozen=True, slots=True)
class AttachmentFacts:
    """What volume.detach's rule reads: the claim's volume, its attachments to NotReady nodes, how long
    those nodes had been NotReady when the attach last failed, and who mounts the claim."""

    claim: str
    volume: str | None
    read_write_once: bool
    stale: tuple[str, ...]  # "VolumeAttachment/<name> (node <node>)"
    not_ready_s: float | None
    multi_attach_pods: tuple[str, ...]
    live_mounts: tuple[str, ...]  # pods on Ready nodes running with the claim mounted


@dataclass(frozen=True, slots=True)
class ClusterFacts:
    """What the engine read from the cluster before deciding (empty for actions that need none)."""

    schedulable_nodes: tuple[str, ...] = ()
    agent_cordoned_nodes: tuple[str, ...] = ()
    affected_pods: int = 0
    gitops_tracked_by: str | None = None  # e.g. "argocd app media (label app.kubernetes.io/instance)"
    planned: tuple[str, ...] = ()  # keys of the objects a fan-out kind will touch (the Approval permits them)
    attachment: AttachmentFacts | None = None  # volume.detach only
    objection: Verdict | None = None  # a backend rule that refuses, from what its facts showed (protected tag, indexers down)
    needs_approval: str | None = None  # why this request needs an operator although its kind does not (it deletes data)


def _action_key(kind: ActionKind, field: str) -> str:
    return f'ops.policy.actions["{kind}"].{field}'


def evaluate(
    request: ActionRequest[Target], policy: OpsPolicySettings, facts: ClusterFacts, rate: RateCounts, *, approved: bool = False
) -> Verdict:
    """Decide one request. `approved` is True when an operator already signed this request off."""
    early = precheck(request, policy)
    if early is not None:
        return early
    for check in (_rate, _media, _blast_radius, _stale_attachment, _gitops):
        verdict = check(request, policy, facts, rate)
        if verdict is not None:
            return verdict
    action = policy.action(request.kind)
    if policy.mode == "observe":
        return Verdict(Outcome.OBSERVED, "mode is observe: recorded, nothing executed", "ops.policy.mode")
    approval_setting = _action_key(request.kind, "requireApproval") if action.require_approval else "ops.policy.media.deleteRequiresApproval"
    needs = action.require_approval or facts.needs_approval is not None
    if policy.mode == "dry-run":
        extra = f"; would need approval ({approval_setting})" if needs and not approved else ""
        what = "nothing sent to the media app" if request.kind.on_media else "server-side dry run"
        return Verdict(Outcome.DRY_RUN, f"mode is dry-run: {what}, nothing changed{extra}", "ops.policy.mode")
    if needs and not approved:
        why = f": {facts.needs_approval}" if facts.needs_approval and not action.require_approval else ""
        return Verdict(Outcome.PENDING, f"{request.kind} needs an operator's approval{why}", approval_setting)
    why = "approved by an operator; all rules passed" if approved else "all rules passed"
    return Verdict(Outcome.APPLIED, why, "ops.policy.mode")


def precheck(request: ActionRequest[Target], policy: OpsPolicySettings) -> Verdict | None:
    """The rules that need no cluster read (namespace, enabled): a refusal here means nothing is even looked at."""
    return _namespace(request, policy) or _enabled(request, policy)


def _namespace(request: ActionRequest[Target], policy: OpsPolicySettings) -> Verdict | None:
    ns = request.namespace
    if ns is None:
        return None
    if ns in policy.protected_namespaces:
        return Verdict(Outcome.REFUSED, f"namespace {ns} is protected", "ops.policy.protectedNamespaces")
    if policy.allowed_namespaces and ns not in policy.allowed_namespaces:
        return Verdict(Outcome.REFUSED, f"namespace {ns} is not in the allowed list", "ops.policy.allowedNamespaces")
    return None


def _enabled(request: ActionRequest[Target], policy: OpsPolicySettings) -> Verdict | None:
    if not policy.action(request.kind).enabled:
        return Verdict(Outcome.REFUSED, f"action {request.kind} is disabled", _action_key(request.kind, "enabled"))
    return None


def _rate(request: ActionRequest[Target], policy: OpsPolicySettings, facts: ClusterFacts, rate: RateCounts) -> Verdict | None:
    action = policy.action(request.kind)
    if rate.object >= action.max_per_object_per_hour:
        return Verdict(
            Outcome.REFUSED,
            f"rate limit: {request.kind} on {request.target} already ran {rate.object} time(s) in the last hour "
            f"(limit {action.max_per_object_per_hour})",
            _action_key(request.kind, "maxPerObjectPerHour"),
        )
    if rate.kind >= action.max_per_hour:
        return Verdict(
            Outcome.REFUSED,
            f"rate limit: {request.kind} already ran {rate.kind} time(s) in the last hour (limit {action.max_per_hour})",
            _action_key(request.kind, "maxPerHour"),
        )
    return None


def _media(request: ActionRequest[Target], policy: OpsPolicySettings, facts: ClusterFacts, rate: RateCounts) -> Verdict | None:
    if not request.kind.on_media:
        return None
    rules = policy.media
    if rate.since_last is not None and rate.since_last < rules.item_cooldown:
        return Verdict(
            Outcome.REFUSED,
            f"cooldown: {request.kind} ran on {request.target} {rate.since_last:.0f}s ago (wait {rules.item_cooldown:.0f}s between two)",
            "ops.policy.media.itemCooldown",
        )
    if request.kind is ActionKind.MEDIA_SEARCH and rate.scope >= rules.searches_per_app_per_hour:
        return Verdict(
            Outcome.REFUSED,
            f"search cap: {rate.scope} searches on {request.target.scope} in the last hour (limit {rules.searches_per_app_per_hour})",
            "ops.policy.media.searchesPerAppPerHour",
        )
    return facts.objection


def _blast_radius(request: ActionRequest[Target], policy: OpsPolicySettings, facts: ClusterFacts, rate: RateCounts) -> Verdict | None:
    if facts.affected_pods > policy.max_pods_per_action:
        return Verdict(
            Outcome.REFUSED,
            f"blast radius: {request.kind} on {request.target} would remove {facts.affected_pods} pods (cap {policy.max_pods_per_action})",
            "ops.policy.maxPodsPerAction",
        )
    if request.kind in (ActionKind.NODE_CORDON, ActionKind.NODE_DRAIN):
        node = request.target.name if isinstance(request.target, ObjectRef) else request.target.key
        others = [n for n in facts.schedulable_nodes if n != node]
        if not others:
            return Verdict(
                Outcome.REFUSED,
                f"blast radius: {node} is the last schedulable node; {request.kind} would leave nothing to schedule on "
                "(a fixed rule: the last schedulable node is never cordoned or drained)",
                None,
            )
        already = [n for n in facts.agent_cordoned_nodes if n != node]
        if len(already) >= policy.max_agent_cordoned_nodes:
            return Verdict(
                Outcome.REFUSED,
                f"blast radius: openclaw already has {len(already)} node(s) cordoned ({', '.join(already)}; cap {policy.max_agent_cordoned_nodes})",
                "ops.policy.maxAgentCordonedNodes",
            )
    return None


def _stale_attachment(request: ActionRequest[Target], policy: OpsPolicySettings, facts: ClusterFacts, rate: RateCounts) -> Verdict | None:
    """A volume is detached from a node only when that is all that keeps its pod from starting: a
    Multi-Attach event, the holding node NotReady long enough, and nothing running with it mounted."""
    if request.kind is not ActionKind.VOLUME_DETACH:
        return None
    att = facts.attachment
    if att is None or not att.volume:
        return Verdict(Outcome.REFUSED, f"volume.detach: {request.target} is not bound to a volume", None)
    if not att.read_write_once:
        return Verdict(Outcome.REFUSED, f"volume.detach: {att.claim} is not ReadWriteOnce; only a ReadWriteOnce volume is held by one node", None)
    if not att.multi_attach_pods:
        return Verdict(Outcome.REFUSED, f"volume.detach: no Multi-Attach event for volume {att.volume} of {att.claim}: no pod is waiting for it", None)
    if not att.stale:
        return Verdict(Outcome.REFUSED, f"volume.detach: volume {att.volume} is attached to no NotReady node; nothing stale to detach", None)
    if att.live_mounts:
        return Verdict(Outcome.REFUSED, f"volume.detach: {', '.join(att.live_mounts)} on a Ready node runs with {att.claim} mounted; "
                       "detaching could corrupt what it writes (a fixed rule)", None)
    wait = policy.stale_attachment_after
    if att.not_ready_s is None or att.not_ready_s < wait:
        held = "for an unknown time" if att.not_ready_s is None else f"for {att.not_ready_s:.0f}s"
        return Verdict(Outcome.REFUSED, f"volume.detach: the node holding volume {att.volume} has been NotReady {held} (at least {wait:.0f}s needed); "
                       "it may still come back", "ops.policy.staleAttachmentAfter")
    return None


def _gitops(request: ActionRequest[Target], policy: OpsPolicySettings, facts: ClusterFacts, rate: RateCounts) -> Verdict | None:
    if policy.argocd_aware and request.kind.changes_spec and facts.gitops_tracked_by:
        return Verdict(
            Outcome.PROPOSED,
            f"{request.target} is managed by {facts.gitops_tracked_by}; self-heal would revert a spec change, so it is proposed for git instead",
            "ops.policy.argocdAware",
        )
    return None
