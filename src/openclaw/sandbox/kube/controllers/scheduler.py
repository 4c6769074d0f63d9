"""Binds pending pods to nodes: Ready, schedulable, taints tolerated, nodeSelector matched, least loaded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openclaw.sandbox.kube import events
from openclaw.sandbox.kube.controllers.base import Controller, Key
from openclaw.sandbox.kube.faults import parse_quantity
from openclaw.sandbox.kube.store import Change


def node_ready(node: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in node.get("status", {}).get("conditions") or [])


def tolerates(pod_spec: dict[str, Any], taint: dict[str, Any]) -> bool:
    for tol in pod_spec.get("tolerations") or []:
        if tol.get("effect") and tol["effect"] != taint.get("effect"):
            continue
        if tol.get("operator") == "Exists" and (not tol.get("key") or tol["key"] == taint.get("key")):
            return True
        if tol.get("key") == taint.get("key") and tol.get("value", "") == taint.get("value", ""):
            return True
    return False


def fits(pod_spec: dict[str, Any], node: dict[str, Any], *, ignore_unschedulable: bool = False) -> str | None:
    """None when the pod may run on the node, else why not (in the scheduler's words)."""
    if node["spec"].get("unschedulable") and not ignore_unschedulable:
        return "node(s) were unschedulable"
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (pod_spec.get("nodeSelector") or {}).items()):
        return "node(s) didn't match Pod's node affinity/selector"
    for taint in node["spec"].get("taints") or []:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(pod_spec, taint):
            return f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value', '')}}}"
    return None


def _requests(pod: dict[str, Any]) -> dict[str, int]:
    total = {"cpu": 0, "memory": 0}
    for c in pod["spec"].get("containers") or []:
        for key, value in ((c.get("resources") or {}).get("requests") or {}).items():
            if key in total:
                total[key] += parse_quantity(value) if key == "memory" else _millicores(value)
    return total


def _millicores(value: str | int | float) -> int:
    text = str(value)
    return int(float(text[:-1])) if text.endswith("m") else int(float(text) * 1000)


def _allocatable(node: dict[str, Any]) -> dict[str, int]:
    alloc = node.get("status", {}).get("allocatable") or {}
    return {"cpu": _millicores(alloc.get("cpu", "0")), "memory": parse_quantity(alloc.get("memory", "0"))}


class Scheduler(Controller):
    name = "scheduler"
    resync_kinds = ("pods",)

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "Pod" and change.type != "DELETED" and not change.obj["spec"].get("nodeName"):
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])
        elif change.rtype.kind == "Node" or (change.rtype.kind == "Pod" and change.type == "DELETED"):
            for pod in self.store.list("pods", field_selector="spec.nodeName="):
                yield (pod["metadata"]["namespace"], pod["metadata"]["name"])

    def _unbound_claim(self, pod: dict[str, Any]) -> str | None:
        for vol in pod["spec"].get("volumes") or []:
            claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                pvc = self.store.find("persistentvolumeclaims", pod["metadata"]["namespace"], claim)
                if pvc is None or (pvc.get("status") or {}).get("phase") != "Bound":
                    return str(claim)
        return None

    def reconcile(self, namespace: str, name: str) -> None:
        pod = self.store.find("pods", namespace, name)
        if pod is None or pod["spec"].get("nodeName") or pod["metadata"].get("deletionTimestamp"):
            return
        nodes = self.store.list("nodes")
        load: dict[str, int] = {}
        used: dict[str, dict[str, int]] = {}
        for p in self.store.list("pods"):
            node = p["spec"].get("nodeName")
            if node and p.get("status", {}).get("phase") not in ("Succeeded", "Failed"):
                load[node] = load.get(node, 0) + 1
                slot = used.setdefault(node, {"cpu": 0, "memory": 0})
                for key, value in _requests(p).items():
                    slot[key] += value
        unbound = self._unbound_claim(pod)
        need = _requests(pod)
        candidates = []
        reasons: dict[str, int] = {}
        for node in nodes:
            why = None if node_ready(node) else "node(s) were not ready"
            why = why or fits(pod["spec"], node)
            if why is None:
                free = {k: v - used.get(node["metadata"]["name"], {}).get(k, 0) for k, v in _allocatable(node).items()}
                short = [k for k in ("cpu", "memory") if need[k] > free[k]]
                why = f"Insufficient {short[0]}" if short else None
            if why:
                reasons[why] = reasons.get(why, 0) + 1
            else:
                candidates.append(node)
        if unbound:
            candidates = []
        if not candidates:
            detail = "pod has unbound immediate PersistentVolumeClaims" if unbound else ", ".join(f"{n} {why}" for why, n in sorted(reasons.items()))
            message = f"0/{len(nodes)} nodes are available: {detail}. preemption: 0/{len(nodes)} nodes are available: {len(nodes)} Preemption is not helpful for scheduling."

            def unschedulable(obj: dict[str, Any]) -> None:
                obj.setdefault("status", {})["phase"] = "Pending"
                obj["status"]["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message, "lastProbeTime": None, "lastTransitionTime": obj["status"].get("startTime") or obj["metadata"]["creationTimestamp"]}]

            before = self.store.get("pods", namespace, name)
            after = self.store.mutate("pods", namespace, name, unschedulable)
            if after["metadata"]["resourceVersion"] != before["metadata"]["resourceVersion"]:
                events.record(self.store, after, "FailedScheduling", message, type_="Warning", component="default-scheduler")
            return
        chosen = min(candidates, key=lambda n: (load.get(n["metadata"]["name"], 0), n["metadata"]["name"]))
        node_name = chosen["metadata"]["name"]
        bound = self.store.mutate("pods", namespace, name, lambda obj: obj["spec"].__setitem__("nodeName", node_name))
        events.record(self.store, bound, "Scheduled", f"Successfully assigned {namespace}/{name} to {node_name}", component="default-scheduler")
