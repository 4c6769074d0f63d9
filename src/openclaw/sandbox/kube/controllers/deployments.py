"""Deployment: one ReplicaSet per pod-template hash; rolls new pods in and old ones out; reports rollout status."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from openclaw.sandbox.kube import events
from openclaw.sandbox.kube.controllers.base import Controller, Key
from openclaw.sandbox.kube.controllers.pods import owned, owned_pods
from openclaw.sandbox.kube.meta import controller_of, owner_ref, parse_time, template_hash, timestamp
from openclaw.sandbox.kube.store import Change

REVISION = "deployment.kubernetes.io/revision"


class Deployments(Controller):
    name = "deployment-controller"
    resync_kinds = ("deployments.apps",)

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "Deployment" and change.type != "DELETED":
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])
        elif change.rtype.kind == "ReplicaSet":
            ref = controller_of(change.obj)
            if ref and ref["kind"] == "Deployment":
                yield (change.obj["metadata"]["namespace"], ref["name"])
        elif change.rtype.kind == "Pod" and change.type == "DELETED":
            # Recreate waits for old pods to be gone, which changes no ReplicaSet status.
            ref = controller_of(change.obj)
            rs = self.store.find("replicasets.apps", change.obj["metadata"]["namespace"], ref["name"]) if ref and ref["kind"] == "ReplicaSet" else None
            owner = controller_of(rs) if rs else None
            if owner and owner["kind"] == "Deployment":
                yield (change.obj["metadata"]["namespace"], owner["name"])

    def reconcile(self, namespace: str, name: str) -> None:
        dep = self.store.find("deployments.apps", namespace, name)
        if dep is None or dep["metadata"].get("deletionTimestamp"):
            return
        want = int(dep["spec"].get("replicas", 1))
        template = copy.deepcopy(dep["spec"]["template"])
        pth = template_hash(template)
        sets = owned(self.store, "replicasets.apps", dep)
        new_rs = next((rs for rs in sets if (rs["metadata"].get("labels") or {}).get("pod-template-hash") == pth), None)
        revisions = [int((rs["metadata"].get("annotations") or {}).get(REVISION, "0")) for rs in sets]
        old_sets = [rs for rs in sets if rs is not new_rs]
        if new_rs is None:
            template["metadata"].setdefault("labels", {})["pod-template-hash"] = pth
            selector = copy.deepcopy(dep["spec"]["selector"])
            selector.setdefault("matchLabels", {})["pod-template-hash"] = pth
            revision = str(max(revisions, default=0) + 1)
            if dep["spec"].get("paused"):
                self._status(namespace, name)
                return
            new_rs = self.store.create(
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "metadata": {
                        "name": f"{name}-{pth}",
                        "namespace": namespace,
                        "labels": {**(template["metadata"].get("labels") or {})},
                        "annotations": {REVISION: revision, "deployment.kubernetes.io/desired-replicas": str(want), "deployment.kubernetes.io/max-replicas": str(want + 1)},
                        "ownerReferences": [owner_ref(dep)],
                    },
                    "spec": {"replicas": want if not old_sets else 0, "selector": selector, "template": template},
                }
            )
            events.record(self.store, dep, "ScalingReplicaSet", f"Scaled up replica set {new_rs['metadata']['name']} from 0 to {new_rs['spec']['replicas']}", component="deployment-controller")
        elif int((new_rs["metadata"].get("annotations") or {}).get(REVISION, "0")) < max(revisions, default=0):
            revision = str(max(revisions) + 1)
            self.store.mutate("replicasets.apps", namespace, new_rs["metadata"]["name"], lambda o: o["metadata"].setdefault("annotations", {}).__setitem__(REVISION, revision))
        if not dep["spec"].get("paused"):  # `kubectl rollout pause` holds the ReplicaSets where they are
            self._scale(dep, new_rs, old_sets, want)
        self._status(namespace, name)

    def _scale(self, dep: dict[str, Any], new_rs: dict[str, Any], old_sets: list[dict[str, Any]], want: int) -> None:
        """A rolling update: the new set grows to `want`; old sets shrink as new pods become available."""
        namespace = dep["metadata"]["namespace"]
        new_name = new_rs["metadata"]["name"]
        if (dep["spec"].get("strategy") or {}).get("type") == "Recreate":
            # Recreate: every old pod goes (and is gone) before the new ReplicaSet scales up.
            for rs in old_sets:
                self._set_replicas(dep, rs["metadata"]["name"], 0)
            old_pods = [p for rs in old_sets for p in owned_pods(self.store, rs)]
            self._set_replicas(dep, new_name, 0 if old_pods else want)
        else:
            new_available = int((self.store.get("replicasets.apps", namespace, new_name).get("status") or {}).get("availableReplicas", 0))
            self._set_replicas(dep, new_name, want)
            budget = max(want - new_available, 0)
            for rs in sorted(old_sets, key=lambda r: r["metadata"]["creationTimestamp"], reverse=True):
                current = int(rs["spec"].get("replicas", 0))
                keep = min(current, budget)
                budget -= keep
                self._set_replicas(dep, rs["metadata"]["name"], keep)
        limit = int(dep["spec"].get("revisionHistoryLimit", 10))
        idle = [rs for rs in old_sets if int(rs["spec"].get("replicas", 0)) == 0 and not (rs.get("status") or {}).get("replicas")]
        idle.sort(key=lambda r: int((r["metadata"].get("annotations") or {}).get(REVISION, "0")))
        for rs in idle[: max(len(idle) - limit, 0)]:
            self.store.delete("replicasets.apps", namespace, rs["metadata"]["name"])

    def _set_replicas(self, dep: dict[str, Any], rs_name: str, replicas: int) -> None:
        namespace = dep["metadata"]["namespace"]
        rs = self.store.get("replicasets.apps", namespace, rs_name)
        current = int(rs["spec"].get("replicas", 0))
        if current == replicas:
            return
        self.store.mutate("replicasets.apps", namespace, rs_name, lambda o: o["spec"].__setitem__("replicas", replicas))
        verb = "up" if replicas > current else "down"
        events.record(self.store, dep, "ScalingReplicaSet", f"Scaled {verb} replica set {rs_name} from {current} to {replicas}", component="deployment-controller")

    def _status(self, namespace: str, name: str) -> None:
        dep = self.store.get("deployments.apps", namespace, name)
        want = int(dep["spec"].get("replicas", 1))
        pth = template_hash(dep["spec"]["template"])
        sets = owned(self.store, "replicasets.apps", dep)
        total = sum(int((rs.get("status") or {}).get("replicas", 0)) for rs in sets)
        ready = sum(int((rs.get("status") or {}).get("readyReplicas", 0)) for rs in sets)
        available = sum(int((rs.get("status") or {}).get("availableReplicas", 0)) for rs in sets)
        new_rs = next((rs for rs in sets if (rs["metadata"].get("labels") or {}).get("pod-template-hash") == pth), None)
        updated = int((new_rs.get("status") or {}).get("replicas", 0)) if new_rs else 0
        revision = (new_rs["metadata"].get("annotations") or {}).get(REVISION) if new_rs else None
        now = timestamp(self.store.clock.now())
        complete = updated == want and total == want and available >= want
        old = dep.get("status") or {}

        def condition(type_: str, status: str, reason: str, message: str) -> dict[str, Any]:
            prev = next((c for c in old.get("conditions") or [] if c["type"] == type_), None)
            changed = prev is None or prev.get("status") != status
            same_reason = prev is not None and prev.get("reason") == reason
            return {
                "type": type_,
                "status": status,
                "lastUpdateTime": prev["lastUpdateTime"] if prev and same_reason and not changed else now,
                "lastTransitionTime": prev["lastTransitionTime"] if prev and not changed else now,
                "reason": reason,
                "message": message,
            }

        rs_name = new_rs["metadata"]["name"] if new_rs else name
        deadline = float(dep["spec"].get("progressDeadlineSeconds", 600))
        progressing = next((c for c in old.get("conditions") or [] if c["type"] == "Progressing"), None)
        key = f"deployment/{namespace}/{name}/progress-deadline"
        if complete:
            self.rt.timers.cancel(key)
            progress = condition("Progressing", "True", "NewReplicaSetAvailable", f'ReplicaSet "{rs_name}" has successfully progressed.')
        elif progressing is not None and ((progressing.get("reason") == "ProgressDeadlineExceeded" and rs_name in str(progressing.get("message"))) or (
                progressing.get("reason") == "ReplicaSetUpdated"
                and (self.store.clock.now() - (parse_time(progressing.get("lastUpdateTime")) or self.store.clock.now())).total_seconds() >= deadline)):
            # The controller's own verdict on a rollout that made no progress for progressDeadlineSeconds.
            progress = condition("Progressing", "False", "ProgressDeadlineExceeded", f'ReplicaSet "{rs_name}" has timed out progressing.')
        else:
            progress = condition("Progressing", "True", "ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.')
            if not self.rt.timers.pending(key):
                self.rt.timers.after(deadline + 1, key, lambda: self._status(namespace, name) if self.store.find("deployments.apps", namespace, name) else None)
        conditions = [
            condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.") if available >= want - _max_unavailable(dep, want) else condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
            progress,
        ]
        status: dict[str, Any] = {"observedGeneration": dep["metadata"].get("generation", 1), "replicas": total, "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": available, "conditions": conditions}
        if total - available > 0:
            status["unavailableReplicas"] = total - available
        for key in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas"):
            if not status[key]:
                status.pop(key)

        def write(obj: dict[str, Any]) -> None:
            obj["status"] = status
            if revision:
                obj["metadata"].setdefault("annotations", {})[REVISION] = revision

        self.store.mutate("deployments.apps", namespace, name, write)


def _max_unavailable(dep: dict[str, Any], want: int) -> int:
    value = ((dep["spec"].get("strategy") or {}).get("rollingUpdate") or {}).get("maxUnavailable", "25%")
    if isinstance(value, str) and value.endswith("%"):
        return int(want * int(value[:-1]) / 100)
    return int(value)
