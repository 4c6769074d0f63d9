"""Node executors: cordon, uncordon, drain (eviction API, PodDisruptionBudgets respected), labels, taints."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from typing import Any

from openclaw.ops import reads
from openclaw.ops.client import KubeClient, KubeRequestError
from openclaw.ops.executors.result import ExecResult
from openclaw.ops.refs import Obj, ObjectRef, meta, owner_of
from openclaw.policy.grant import Approval

CORDONED_BY = reads.CORDONED_BY_ANNOTATION


async def cordon(client: KubeClient, node: ObjectRef, *, approval: Approval) -> ExecResult:
    """Mark a node unschedulable, noting that openclaw did it (so the cordon cap counts it)."""
    patch = {"spec": {"unschedulable": True}, "metadata": {"annotations": {CORDONED_BY: "openclaw"}}}
    # A drain cordons first under its own approval; anything else must be a cordon approval.
    action = "node.drain" if approval.kind == "node.drain" else "node.cordon"
    await client.patch(node, patch, approval=approval, action=action)
    return ExecResult(("would cordon " if approval.dry_run else "cordoned ") + node.name, {}, (node.key,))


async def uncordon(client: KubeClient, node: ObjectRef, *, approval: Approval) -> ExecResult:
    patch = {"spec": {"unschedulable": None}, "metadata": {"annotations": {CORDONED_BY: None}}}
    await client.patch(node, patch, approval=approval, action="node.uncordon")
    return ExecResult(("would uncordon " if approval.dry_run else "uncordoned ") + node.name, {}, (node.key,))


def evictable(pod: Obj, protected: Collection[str]) -> bool:
    """Pods a drain removes: not DaemonSet-owned, not mirror pods, not finished, not in a protected namespace."""
    m = meta(pod)
    owner = owner_of(pod)
    if owner and owner[0] == "DaemonSet":
        return False
    if "kubernetes.io/config.mirror" in (m.get("annotations") or {}):
        return False
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return False
    return m.get("namespace") not in protected


async def drain_plan(client: KubeClient, node: str, protected: Collection[str]) -> tuple[list[ObjectRef], list[ObjectRef]]:
    """(pods to evict, pods left because their namespace is protected)."""
    pods = await reads.pods_on_node(client, node)
    evict: list[ObjectRef] = []
    kept: list[ObjectRef] = []
    for p in pods:
        ref = ObjectRef("Pod", str(meta(p).get("name")), str(meta(p).get("namespace")))
        if evictable(p, ()):
            (kept if ref.namespace in protected else evict).append(ref)
    return evict, kept


async def drain(
    client: KubeClient, node: ObjectRef, *, approval: Approval, protected: Collection[str], pdb_wait_s: float = 30.0, retry_s: float = 1.0
) -> ExecResult:
    """Cordon, then evict each pod through the eviction API. A PDB refusal (429) is retried until
    `pdb_wait_s`; pods still blocked are reported, never force-deleted. Pods that arrived after the
    decision are not in the approval's plan: they are left and reported, never evicted unapproved."""
    await cordon(client, node, approval=approval)
    found, kept = await drain_plan(client, node.name, protected)
    to_evict = [p for p in found if approval.permits("node.drain", p.key)]
    unplanned = [p.key for p in found if not approval.permits("node.drain", p.key)]
    evicted: list[str] = []
    blocked: dict[str, str] = {}
    deadline = time.monotonic() + pdb_wait_s
    pending = list(to_evict)
    while pending:
        retry = []
        for pod in pending:
            try:
                await client.evict(pod, approval=approval, action="node.drain")
                evicted.append(pod.key)
            except KubeRequestError as exc:
                if exc.status == 404:
                    continue
                if exc.status == 429:
                    retry.append(pod)
                    blocked[pod.key] = str(exc)
                else:
                    raise
        if not retry or approval.dry_run or time.monotonic() >= deadline:
            pending = []
            break
        pending = retry
        await asyncio.sleep(retry_s)
    still_blocked = {k: v for k, v in blocked.items() if k not in evicted}
    verb = "would drain" if approval.dry_run else "drained"
    details: dict[str, Any] = {"evicted": evicted, "blockedByPdb": still_blocked, "leftInProtectedNamespaces": [p.key for p in kept], "protected": sorted(protected)}
    if unplanned:
        details["leftNotInPlan"] = unplanned
    summary = f"{verb} {node.name}: {len(evicted)} pod(s) evicted"
    if still_blocked:
        summary += f", {len(still_blocked)} blocked by a PodDisruptionBudget"
    return ExecResult(summary, details, (node.key, *evicted))


async def label_node(client: KubeClient, node: ObjectRef, labels: dict[str, str | None], *, approval: Approval) -> ExecResult:
    """Set labels (a None value removes the label)."""
    await client.patch(node, {"metadata": {"labels": labels}}, approval=approval, action="node.label")
    verb = "would label" if approval.dry_run else "labelled"
    return ExecResult(f"{verb} {node.name}: {labels}", {"labels": labels}, (node.key,))


async def taint_node(
    client: KubeClient, node: ObjectRef, *, add: list[dict[str, str]], remove: list[str], approval: Approval
) -> ExecResult:
    """Add taints (key, value, effect) and remove taints by key; the taint list is replaced as a whole."""
    for t in add:
        if t.get("effect") not in ("NoSchedule", "PreferNoSchedule", "NoExecute") or not t.get("key"):
            raise ValueError(f"taint {t}: needs a key and an effect of NoSchedule, PreferNoSchedule or NoExecute")
    obj = await client.get(node)
    taints = [t for t in (obj.get("spec") or {}).get("taints") or [] if t.get("key") not in remove]
    keys = {(t.get("key"), t.get("effect")) for t in taints}
    for t in add:
        if (t["key"], t["effect"]) not in keys:
            taints.append({k: v for k, v in t.items() if k in ("key", "value", "effect")})
    await client.patch(node, {"spec": {"taints": taints}}, approval=approval, action="node.taint")
    verb = "would set" if approval.dry_run else "set"
    return ExecResult(f"{verb} taints on {node.name}: {len(taints)} in all", {"taints": taints}, (node.key,))
