"""volume.detach: a stale attachment is detached only when a pod waits on it (a Multi-Attach event),
its node has been NotReady for `ops.policy.staleAttachmentAfter`, and nothing running mounts the claim."""

from __future__ import annotations

import dataclasses

from openclaw.config.schema import OpsPolicySettings
from openclaw.ops.refs import ObjectRef
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Outcome
from openclaw.policy.rules import AttachmentFacts, ClusterFacts, RateCounts, evaluate

STUCK = AttachmentFacts(
    claim="PersistentVolumeClaim/media/sonarr-config", volume="pvc-0b7e", read_write_once=True,
    stale=("VolumeAttachment/csi-3f2a (node homelab-w1)",), not_ready_s=1800.0,
    multi_attach_pods=("Pod/media/sonarr-6d9f-abcde",), live_mounts=(),
)


def decide(facts: AttachmentFacts | None, *, approved: bool = True, **policy: object) -> tuple[Outcome, str, str | None]:
    request = ActionRequest(ActionKind.VOLUME_DETACH, ObjectRef("PersistentVolumeClaim", "sonarr-config", "media"), Actor.runbook("test"), "stuck")
    verdict = evaluate(request, OpsPolicySettings.model_validate(policy), ClusterFacts(attachment=facts), RateCounts(), approved=approved)
    return verdict.outcome, verdict.reason, verdict.setting


def test_a_stale_attachment_a_pod_waits_on_is_detached_once_approved() -> None:
    assert decide(STUCK, approved=False)[::2] == (Outcome.PENDING, 'ops.policy.actions["volume.detach"].requireApproval')
    assert decide(STUCK)[0] is Outcome.APPLIED


def test_a_node_not_ready_for_less_than_stale_attachment_after_may_still_come_back() -> None:
    outcome, reason, setting = decide(dataclasses.replace(STUCK, not_ready_s=420.0))
    assert (outcome, setting) == (Outcome.REFUSED, "ops.policy.staleAttachmentAfter")
    assert "NotReady for 420s (at least 600s needed)" in reason
    # The setting decides: a shorter wait allows the same request.
    assert decide(dataclasses.replace(STUCK, not_ready_s=420.0), staleAttachmentAfter="5m")[0] is Outcome.APPLIED


def test_a_live_pod_on_a_ready_node_with_the_claim_mounted_is_never_cut_off() -> None:
    outcome, reason, setting = decide(dataclasses.replace(STUCK, live_mounts=("Pod/media/sonarr-old",)))
    assert (outcome, setting) == (Outcome.REFUSED, None)
    assert "Pod/media/sonarr-old on a Ready node runs with PersistentVolumeClaim/media/sonarr-config mounted" in reason


def test_without_a_multi_attach_event_nothing_is_waiting_for_the_volume() -> None:
    outcome, reason, _ = decide(dataclasses.replace(STUCK, multi_attach_pods=()))
    assert outcome is Outcome.REFUSED and "no Multi-Attach event for volume pvc-0b7e" in reason


def test_an_attachment_to_a_ready_node_an_unbound_claim_or_a_shared_volume_is_not_stale() -> None:
    assert "attached to no NotReady node" in decide(dataclasses.replace(STUCK, stale=()))[1]
    assert "not bound to a volume" in decide(dataclasses.replace(STUCK, volume=None))[1]
    assert "not ReadWriteOnce" in decide(dataclasses.replace(STUCK, read_write_once=False))[1]
    assert decide(None)[0] is Outcome.REFUSED


def test_an_unknown_not_ready_time_counts_as_too_fresh() -> None:
    outcome, reason, setting = decide(dataclasses.replace(STUCK, not_ready_s=None))
    assert (outcome, setting) == (Outcome.REFUSED, "ops.policy.staleAttachmentAfter") and "for an unknown time" in reason


def test_a_protected_namespace_is_refused_before_anything_is_read() -> None:
    request = ActionRequest(ActionKind.VOLUME_DETACH, ObjectRef("PersistentVolumeClaim", "data", "kube-system"), Actor.runbook("test"), "stuck")
    verdict = evaluate(request, OpsPolicySettings.model_validate({}), ClusterFacts(attachment=STUCK), RateCounts(), approved=True)
    assert (verdict.outcome, verdict.setting) == (Outcome.REFUSED, "ops.policy.protectedNamespaces")
