"""Can a pod stranded on a lost node be moved? Its controller, its volumes and the room left elsewhere decide.

Deleting a pod on a NotReady node only helps when something recreates it, its data can follow it
and another node can take it: otherwise the delete costs the pod and buys a Pending one. A
StatefulSet pod with a ReadWriteOnce claim is never moved: the volume stays attached to the
unreachable node, and a replacement either waits on Multi-Attach or, worse, writes beside a pod
that is still running behind a partition (Kubernetes' own advice: fence the node first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from openclaw.ops import quantity
from openclaw.ops.refs import Obj

SINGLE_WRITER_MODES = frozenset({"ReadWriteOnce", "ReadWriteOncePod"})
TERMINAL_PHASES = frozenset({"Succeeded", "Failed"})


@dataclass(frozen=True, slots=True)
class Placement:
    movable: bool
    why: str
    node: str | None = None  # where the replacement fits


def requests_of(pod: Obj) -> dict[str, float]:
    """The pod's summed container requests: cpu in cores, memory in bytes."""
    total = {"cpu": 0.0, "memory": 0.0}
    for c in (pod.get("spec") or {}).get("containers") or []:
        requests = (c.get("resources") or {}).get("requests") or {}
        for key in total:
            if key in requests:
                total[key] += quantity.parse(requests[key])
    return total


def _tolerates(pod: Obj, taint: Mapping[str, object]) -> bool:
    for tol in (pod.get("spec") or {}).get("tolerations") or []:
        if tol.get("effect") and tol["effect"] != taint.get("effect"):
            continue
        if tol.get("operator") == "Exists" and (not tol.get("key") or tol["key"] == taint.get("key")):
            return True
        if tol.get("key") == taint.get("key") and tol.get("value", "") == taint.get("value", ""):
            return True
    return False


def _ready(node: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in (node.get("status") or {}).get("conditions") or [])


def _why_not_there(pod: Obj, node: Obj) -> str | None:
    if not _ready(node):
        return "not Ready"
    if (node.get("spec") or {}).get("unschedulable"):
        return "cordoned"
    labels = (node.get("metadata") or {}).get("labels") or {}
    if any(labels.get(k) != v for k, v in ((pod.get("spec") or {}).get("nodeSelector") or {}).items()):
        return "nodeSelector does not match"
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not _tolerates(pod, taint):
            return f"taint {taint.get('key')} not tolerated"
    return None


def _volume_problem(pod: Obj, owner_kind: str | None, claims: Mapping[str, Obj], volumes: Mapping[str, Obj]) -> str | None:
    for vol in (pod.get("spec") or {}).get("volumes") or []:
        claim_name = (vol.get("persistentVolumeClaim") or {}).get("claimName")
        if not claim_name:
            continue
        claim = claims.get(claim_name) or {}
        pv = volumes.get(str((claim.get("spec") or {}).get("volumeName") or ""))
        pv_spec = (pv or {}).get("spec") or {}
        if pv_spec.get("nodeAffinity") or pv_spec.get("local") or pv_spec.get("hostPath"):
            return f"claim {claim_name} is on a node-local volume: its data stays on the lost node"
        modes = set((claim.get("spec") or {}).get("accessModes") or ["ReadWriteOnce"])
        if owner_kind == "StatefulSet" and modes & SINGLE_WRITER_MODES:
            return (f"StatefulSet pod with ReadWriteOnce claim {claim_name}: the volume stays attached to the unreachable node, "
                    "so a replacement would wait on Multi-Attach or write beside a pod still running behind a partition")
    return None


def place(pod: Obj, owner_kind: str | None, nodes: Iterable[Obj], pods: Iterable[Obj], *, claims: Mapping[str, Obj] | None = None,
          volumes: Mapping[str, Obj] | None = None, reserved: Mapping[str, Mapping[str, float]] | None = None) -> Placement:
    """Whether deleting `pod` (on a NotReady node) lets its controller run it elsewhere.

    `pods` are the cluster's pods (their requests count against their nodes), `claims` the pod's
    namespace's PVCs by name, `volumes` the PVs by name, `reserved` requests already promised to
    replacements on each node in this round."""
    if owner_kind is None:
        return Placement(False, "no controller recreates it: deleting it loses it")
    if owner_kind == "DaemonSet":
        return Placement(False, "a DaemonSet pod belongs to its node: it recovers with the node")
    problem = _volume_problem(pod, owner_kind, claims or {}, volumes or {})
    if problem:
        return Placement(False, problem)
    need = requests_of(pod)
    here = (pod.get("spec") or {}).get("nodeName")
    used: dict[str, dict[str, float]] = {}
    for other in pods:
        node_name = (other.get("spec") or {}).get("nodeName")
        if not node_name or (other.get("status") or {}).get("phase") in TERMINAL_PHASES:
            continue
        slot = used.setdefault(node_name, {"cpu": 0.0, "memory": 0.0})
        for key, value in requests_of(other).items():
            slot[key] += value
    refusals = []
    for node in sorted(nodes, key=lambda n: str((n.get("metadata") or {}).get("name"))):
        name = str((node.get("metadata") or {}).get("name"))
        if name == here:
            continue
        why = _why_not_there(pod, node)
        if why is None:
            allocatable = (node.get("status") or {}).get("allocatable") or {}
            free = {k: quantity.parse(allocatable.get(k, "0")) - used.get(name, {}).get(k, 0.0) - (reserved or {}).get(name, {}).get(k, 0.0) for k in need}
            short = [f"{k} {free[k]:.3g} free, needs {need[k]:.3g}" for k in need if need[k] > free[k]]
            if not short:
                return Placement(True, f"node {name} has room for it", name)
            why = "; ".join(short)
        refusals.append(f"{name}: {why}")
    return Placement(False, "no other node can take it (" + ("; ".join(refusals) or "no other node") + ")")
