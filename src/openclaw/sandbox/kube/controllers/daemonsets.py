"""DaemonSet: one pod on every node it tolerates and selects; replaces pods of an old template one at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openclaw.sandbox.kube import events
from openclaw.sandbox.kube.controllers.base import Controller, Key
from openclaw.sandbox.kube.controllers.pods import is_active, is_ready, owned_pods, pod_from_template
from openclaw.sandbox.kube.controllers.scheduler import fits
from openclaw.sandbox.kube.meta import controller_of, template_hash
from openclaw.sandbox.kube.store import Change

# DaemonSet pods tolerate these taints, as the DaemonSet controller adds them.
DAEMON_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


class DaemonSets(Controller):
    name = "daemonset-controller"
    resync_kinds = ("daemonsets.apps",)

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "DaemonSet" and change.type != "DELETED":
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])
        elif change.rtype.kind == "Pod":
            ref = controller_of(change.obj)
            if ref and ref["kind"] == "DaemonSet":
                yield (change.obj["metadata"]["namespace"], ref["name"])
        elif change.rtype.kind == "Node" and (change.type != "MODIFIED" or (change.old or {}).get("spec") != change.obj.get("spec") or (change.old or {}).get("metadata", {}).get("labels") != change.obj["metadata"].get("labels")):
            for ds in self.store.list("daemonsets.apps"):
                yield (ds["metadata"]["namespace"], ds["metadata"]["name"])

    def reconcile(self, namespace: str, name: str) -> None:
        ds = self.store.find("daemonsets.apps", namespace, name)
        if ds is None or ds["metadata"].get("deletionTimestamp"):
            return
        template = ds["spec"]["template"]
        spec = {**template["spec"], "tolerations": list(template["spec"].get("tolerations") or []) + DAEMON_TOLERATIONS}
        revision = template_hash(template)
        nodes = [n for n in self.store.list("nodes") if fits(spec, n, ignore_unschedulable=True) is None]
        pods = [p for p in owned_pods(self.store, ds) if is_active(p)]
        by_node: dict[str, list[dict[str, Any]]] = {}
        for pod in pods:
            by_node.setdefault(pod["spec"].get("nodeName", ""), []).append(pod)
        wanted = {n["metadata"]["name"] for n in nodes}
        for node in sorted(wanted):
            if not by_node.get(node):
                pod = pod_from_template(ds, {"metadata": template.get("metadata", {}), "spec": spec}, generate_name=f"{name}-", extra_labels={"controller-revision-hash": revision, "pod-template-generation": str(ds["metadata"].get("generation", 1))}, node=node)
                created = self.store.create(pod)
                events.record(self.store, ds, "SuccessfulCreate", f"Created pod: {created['metadata']['name']}", component="daemonset-controller")
        for node, node_pods in by_node.items():
            for pod in node_pods[1:] if node in wanted else node_pods:
                self.store.delete("pods", namespace, pod["metadata"]["name"])
        stale = [p for p in pods if (p["metadata"].get("labels") or {}).get("controller-revision-hash") != revision]
        if stale and all(is_ready(p) for p in pods):
            self.store.delete("pods", namespace, stale[0]["metadata"]["name"])
        pods = [p for p in owned_pods(self.store, ds) if is_active(p)]
        ready = sum(1 for p in pods if is_ready(p))
        updated = sum(1 for p in pods if (p["metadata"].get("labels") or {}).get("controller-revision-hash") == revision)
        status = {"currentNumberScheduled": len(pods), "desiredNumberScheduled": len(wanted), "numberMisscheduled": 0, "numberReady": ready, "numberAvailable": ready, "updatedNumberScheduled": updated, "observedGeneration": ds["metadata"].get("generation", 1)}
        if len(wanted) - ready > 0:
            status["numberUnavailable"] = len(wanted) - ready
        self.store.mutate("daemonsets.apps", namespace, name, lambda obj: obj.__setitem__("status", status))
