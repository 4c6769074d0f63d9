"""StatefulSet: ordinal pods created in order, each with its claims; rolling updates from the highest ordinal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openclaw.sandbox.kube import events
from openclaw.sandbox.kube.controllers.base import Controller, Key
from openclaw.sandbox.kube.controllers.pods import is_active, is_ready, owned_pods, pod_from_template
from openclaw.sandbox.kube.meta import controller_of, template_hash
from openclaw.sandbox.kube.store import Change

REVISION_LABEL = "controller-revision-hash"


class StatefulSets(Controller):
    name = "statefulset-controller"
    resync_kinds = ("statefulsets.apps",)

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "StatefulSet" and change.type != "DELETED":
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])
        elif change.rtype.kind == "Pod":
            ref = controller_of(change.obj)
            if ref and ref["kind"] == "StatefulSet":
                yield (change.obj["metadata"]["namespace"], ref["name"])

    def reconcile(self, namespace: str, name: str) -> None:
        sts = self.store.find("statefulsets.apps", namespace, name)
        if sts is None or sts["metadata"].get("deletionTimestamp"):
            return
        want = int(sts["spec"].get("replicas", 1))
        revision = f"{name}-{template_hash(sts['spec']['template'])}"
        pods = {p["metadata"]["name"]: p for p in owned_pods(self.store, sts)}
        ordered = sts["spec"].get("podManagementPolicy", "OrderedReady") == "OrderedReady"
        for ordinal in range(want):
            pod_name = f"{name}-{ordinal}"
            pod = pods.get(pod_name)
            if pod is None:
                self._claims(sts, ordinal)
                labels = {REVISION_LABEL: revision, "statefulset.kubernetes.io/pod-name": pod_name, "apps.kubernetes.io/pod-index": str(ordinal)}
                # Each claim template becomes a volume of the pod bound to its own claim, as the controller does.
                claims = [{"name": t["metadata"]["name"], "persistentVolumeClaim": {"claimName": f"{t['metadata']['name']}-{name}-{ordinal}"}}
                          for t in sts["spec"].get("volumeClaimTemplates") or []]
                pod_spec = {**sts["spec"]["template"]["spec"], "hostname": pod_name, "subdomain": sts["spec"].get("serviceName", "")}
                pod_spec["volumes"] = [v for v in pod_spec.get("volumes") or [] if v.get("name") not in {c["name"] for c in claims}] + claims
                self.store.create(pod_from_template(sts, sts["spec"]["template"], name=pod_name, extra_labels=labels) | {"spec": pod_spec})
                events.record(self.store, sts, "SuccessfulCreate", f"create Pod {pod_name} in StatefulSet {name} successful", component="statefulset-controller")
                if ordered:
                    break
                continue
            if ordered and not (is_active(pod) and is_ready(pod)):
                break
        for pod_name, pod in pods.items():
            ordinal = int(pod_name.rsplit("-", 1)[1]) if pod_name.rsplit("-", 1)[-1].isdigit() else -1
            if ordinal >= want and is_active(pod):
                self.store.delete("pods", namespace, pod_name)
                events.record(self.store, sts, "SuccessfulDelete", f"delete Pod {pod_name} in StatefulSet {name} successful", component="statefulset-controller")
        current = [p for p in owned_pods(self.store, sts) if is_active(p)]
        if current and all(is_ready(p) for p in current) and len(current) >= want:
            stale = sorted((p for p in current if (p["metadata"].get("labels") or {}).get(REVISION_LABEL) != revision), key=lambda p: p["metadata"]["name"], reverse=True)
            if stale:
                self.store.delete("pods", namespace, stale[0]["metadata"]["name"])
        pods_now = [p for p in owned_pods(self.store, sts) if is_active(p)]
        ready = sum(1 for p in pods_now if is_ready(p))
        updated = sum(1 for p in pods_now if (p["metadata"].get("labels") or {}).get(REVISION_LABEL) == revision)
        status: dict[str, Any] = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": len(pods_now), "readyReplicas": ready, "currentReplicas": updated, "updatedReplicas": updated, "availableReplicas": ready, "currentRevision": revision, "updateRevision": revision, "collisionCount": 0}
        self.store.mutate("statefulsets.apps", namespace, name, lambda obj: obj.__setitem__("status", status))

    def _claims(self, sts: dict[str, Any], ordinal: int) -> None:
        namespace = sts["metadata"]["namespace"]
        for template in sts["spec"].get("volumeClaimTemplates") or []:
            claim = f"{template['metadata']['name']}-{sts['metadata']['name']}-{ordinal}"
            if self.store.find("persistentvolumeclaims", namespace, claim) is None:
                self.store.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": claim, "namespace": namespace, "labels": dict((sts["spec"]["selector"].get("matchLabels") or {}))}, "spec": template.get("spec", {})})
