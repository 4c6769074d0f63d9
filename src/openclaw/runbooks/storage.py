"""Volumes: KubePersistentVolumeFillingUp (report usage and consumers, never act), and a pod whose
ReadWriteOnce volume a lost node still holds (`held_elsewhere`, reached from the pod runbooks)."""

from __future__ import annotations

from typing import Any

from openclaw.ops import attachments, reads
from openclaw.ops.refs import ObjectRef, meta
from openclaw.policy.models import ActionKind, Outcome
from openclaw.runbooks.models import Report, Status
from openclaw.runbooks.registry import RunContext
from openclaw.runbooks.steps import from_decision, missing_labels


async def volume_filling_up(ctx: RunContext) -> Report:
    bad = missing_labels(ctx, "namespace", "persistentvolumeclaim")
    if bad:
        return bad
    ns, claim = str(ctx.alert.label("namespace")), str(ctx.alert.label("persistentvolumeclaim"))
    pvc = await ctx.client.find(ObjectRef("PersistentVolumeClaim", claim, ns))
    capacity = ((pvc or {}).get("status") or {}).get("capacity", {}).get("storage") if pvc else None
    consumers = []
    for pod in await ctx.client.list("Pod", ns):
        for vol in (pod.get("spec") or {}).get("volumes") or []:
            if (vol.get("persistentVolumeClaim") or {}).get("claimName") == claim:
                consumers.append(str(meta(pod).get("name")))
    evidence = {
        "claim": f"{ns}/{claim}",
        "capacity": capacity,
        "storageClass": ((pvc or {}).get("spec") or {}).get("storageClassName"),
        "consumers": sorted(consumers),
        # The rule's own text, quoted as untrusted data: it carries the measured free space.
        "alertDescription": ctx.alert.annotations.get("description", "")[:300],
    }
    summary = f"volume {ns}/{claim} ({capacity or 'capacity unknown'}) is filling up; used by {', '.join(sorted(consumers)) or 'no running pod'}; no action taken"
    return Report(ctx.runbook, Status.REPORTED, summary, "disk usage needs a person: prune data or grow the claim", evidence)


async def held_elsewhere(ctx: RunContext, pod: reads.PodSummary) -> Report | None:
    """A pod waiting in ContainerCreating because its ReadWriteOnce volume is still attached to a lost
    node (Multi-Attach): ask policy to detach the stale VolumeAttachment (an operator signs it off by
    default), then check that the pod starts; otherwise escalate with what was found. None when the
    pod's events show no Multi-Attach error (another runbook step decides then)."""
    events = await reads.events_for(ctx.client, pod.ref)
    volumes = {v for e in events if e.reason == "FailedAttachVolume" for v in [attachments.multi_attach_volume(e.message)] if v}
    if not volumes:
        return None
    spec = (await ctx.client.get(pod.ref)).get("spec") or {}
    claims = [str(c) for v in spec.get("volumes") or [] for c in [(v.get("persistentVolumeClaim") or {}).get("claimName")] if c]
    found = None
    for name in claims:
        read = await attachments.read(ctx.client, ObjectRef("PersistentVolumeClaim", name, pod.namespace))
        if read.volume in volumes:
            found = read
            break
    evidence: dict[str, Any] = {"pod": pod.ref.key, "node": pod.node, "volumes": sorted(volumes), "events": [str(e) for e in events]}
    if found is not None:
        evidence.update({
            "claim": found.claim.key, "volume": found.volume,
            "attachments": [{"name": a.name, "node": a.node, "attached": a.attached, "nodeReady": a.node_ready} for a in found.attachments],
            "mounts": [{"pod": m.pod, "node": m.node, "nodeReady": m.node_ready, "running": m.running} for m in found.mounts],
        })
    why_not = not_detachable(pod, volumes, found)
    if why_not is not None or found is None:
        return Report(ctx.runbook, Status.ESCALATED, str(why_not), "a volume attached to another node", evidence,
                      cause=found.claim.key if found else pod.ref.key)
    claim = found.claim
    diagnosis = f"volume {found.volume} of {claim} is still attached to NotReady node " + ", ".join(sorted({a.node for a in found.stale}))
    parked = next((r for r in ctx.policy.audit.pending() if r.kind == str(ActionKind.VOLUME_DETACH) and r.target == claim.key and r.resolution is None), None)
    if parked is not None:
        # One detach per claim: the one already asked for is this pod's way out too.
        return Report(ctx.runbook, Status.IGNORED, f"volume.detach of {claim} already awaits approval ({parked.id})", diagnosis, evidence, cause=claim.key)
    nodes = ", ".join(sorted({a.node for a in found.stale}))
    why = f"{pod.name} waits in ContainerCreating: Multi-Attach error, volume {found.volume} still attached to NotReady node {nodes}"
    decision = await ctx.submit(ActionKind.VOLUME_DETACH, claim, why)
    if decision.outcome is Outcome.PENDING:
        # Wait for the operator's answer: its execution and verification (the pod running) come back here.
        decision = await ctx.answered(decision)
    return from_decision(ctx, decision, done=f"detached volume {found.volume} ({claim}) from NotReady node {nodes}; {pod.ref} attached it and runs",
                         diagnosis=diagnosis, evidence=evidence, cause=claim.key)


def not_detachable(pod: reads.PodSummary, volumes: set[str], found: attachments.ClaimAttachments | None) -> str | None:
    """Why the runbook does not ask for a detach (it escalates instead), or None to ask policy. The
    policy rules then decide on the live-mount, event and NotReady-time conditions."""
    if found is None:
        return f"{pod.ref} cannot attach {', '.join(sorted(volumes))} (Multi-Attach), and none of its claims is bound to it"
    if not found.stale:
        held = ", ".join(a.node for a in found.attachments) or "no node"
        return (f"{pod.ref} waits for volume {found.volume} ({found.claim}), attached to Ready node {held}: a pod there may still use it; "
                "not detached")
    return None
