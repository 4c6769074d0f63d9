"""ReplicaSet: keeps `spec.replicas` active pods and reports how many are ready and available."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openclaw.sandbox.kube import events
from openclaw.sandbox.kube.controllers.base import Controller, Key
from openclaw.sandbox.kube.controllers.pods import is_active, is_ready, owned_pods, pod_from_template
from openclaw.sandbox.kube.meta import controller_of
from openclaw.sandbox.kube.store import Change


class ReplicaSets(Controller):
    name = "replicaset-controller"
    resync_kinds = ("replicasets.apps",)

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "ReplicaSet" and change.type != "DELETED":
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])
        elif change.rtype.kind == "Pod":
            ref = controller_of(change.obj)
            if ref and ref["kind"] == "ReplicaSet":
                yield (change.obj["metadata"]["namespace"], ref["name"])

    def reconcile(self, namespace: str, name: str) -> None:
        rs = self.store.find("replicasets.apps", namespace, name)
        if rs is None or rs["metadata"].get("deletionTimestamp"):
            return
        pods = owned_pods(self.store, rs)
        active = [p for p in pods if is_active(p)]
        want = int(rs["spec"].get("replicas", 1))
        if len(active) < want:
            for _ in range(want - len(active)):
                pod = self.store.create(pod_from_template(rs, rs["spec"]["template"], generate_name=f"{name}-"))
                events.record(self.store, rs, "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}", component="replicaset-controller")
        elif len(active) > want:
            # Delete the least useful first: not ready before ready, newest first.
            victims = sorted(active, key=lambda p: (is_ready(p), p["metadata"]["creationTimestamp"]), reverse=False)[: len(active) - want]
            for pod in victims:
                self.store.delete("pods", namespace, pod["metadata"]["name"])
                events.record(self.store, rs, "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}", component="replicaset-controller")
        active = [p for p in owned_pods(self.store, rs) if is_active(p)]
        ready = sum(1 for p in active if is_ready(p))
        status: dict[str, Any] = {"replicas": len(active), "fullyLabeledReplicas": len(active), "readyReplicas": ready, "availableReplicas": ready, "observedGeneration": rs["metadata"].get("generation", 1)}
        if not ready:
            status.pop("readyReplicas")
            status.pop("availableReplicas")
        self.store.mutate("replicasets.apps", namespace, name, lambda obj: obj.__setitem__("status", status))
