"""KubePersistentVolumeFillingUp: report usage and the consumers of the volume; never act."""

from __future__ import annotations

from openclaw.ops.refs import ObjectRef, meta
from openclaw.runbooks.models import Report, Status
from openclaw.runbooks.registry import RunContext
from openclaw.runbooks.steps import missing_labels


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
