"""Garbage collection of dependents, namespace deletion, claim binding and disruption budgets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openclaw.sandbox.kube import events
from openclaw.sandbox.kube.controllers.base import Controller, Key
from openclaw.sandbox.kube.controllers.pods import is_active, is_ready
from openclaw.sandbox.kube.errors import ApiError
from openclaw.sandbox.kube.selectors import labels_match, selector_from_spec
from openclaw.sandbox.kube.store import Change


class GarbageCollector(Controller):
    """Deletes objects whose owners are all gone, and finishes Foreground deletions."""

    name = "garbage-collector"

    def keys_for(self, change: Change) -> Iterable[Key]:
        meta = change.obj["metadata"]
        if change.type == "DELETED":
            yield ("uid", meta["uid"])
            for ref in meta.get("ownerReferences") or []:
                yield ("uid", ref["uid"])
        elif "foregroundDeletion" in (meta.get("finalizers") or []):
            yield ("uid", meta["uid"])

    def _find_uid(self, uid: str) -> tuple[str, dict[str, Any]] | None:
        found = self.store.by_uid(uid)
        return (found[0].key, found[1]) if found else None

    def reconcile(self, _: str, uid: str) -> None:
        found = self._find_uid(uid)
        if found is not None and "foregroundDeletion" not in (found[1]["metadata"].get("finalizers") or []):
            return
        dependents = self.store.dependents(uid)
        if found is None:
            for rtype, dep in dependents:
                owners = [r for r in dep["metadata"].get("ownerReferences") or [] if r["uid"] != uid]
                if any(self._find_uid(r["uid"]) for r in owners):
                    continue
                if not dep["metadata"].get("deletionTimestamp"):
                    try:
                        self.store.delete(rtype, dep["metadata"].get("namespace"), dep["metadata"]["name"], propagation="Background")
                    except ApiError:
                        continue
            return
        key, owner = found
        if "foregroundDeletion" not in (owner["metadata"].get("finalizers") or []):
            return
        blocking = [(t, d) for t, d in dependents if any(r["uid"] == uid and r.get("blockOwnerDeletion") for r in d["metadata"].get("ownerReferences") or [])]
        for rtype, dep in blocking:
            if not dep["metadata"].get("deletionTimestamp"):
                self.store.delete(rtype, dep["metadata"].get("namespace"), dep["metadata"]["name"], propagation="Foreground")
        if not blocking:
            namespace = owner["metadata"].get("namespace")
            self.store.mutate(key, namespace, owner["metadata"]["name"], lambda o: o["metadata"].__setitem__("finalizers", [f for f in o["metadata"]["finalizers"] if f != "foregroundDeletion"]))


class Namespaces(Controller):
    """A deleted namespace goes Terminating, its objects are deleted, then it goes."""

    name = "namespace-controller"

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "Namespace" and change.obj["metadata"].get("deletionTimestamp") and change.type != "DELETED":
            yield ("", change.obj["metadata"]["name"])
        elif change.type == "DELETED" and change.rtype.namespaced:
            ns = self.store.find("namespaces", None, change.obj["metadata"].get("namespace", ""))
            if ns is not None and ns["metadata"].get("deletionTimestamp"):
                yield ("", ns["metadata"]["name"])

    def reconcile(self, _: str, name: str) -> None:
        ns = self.store.find("namespaces", None, name)
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return
        if ns.get("status", {}).get("phase") != "Terminating":
            self.store.mutate("namespaces", None, name, lambda o: o.setdefault("status", {}).__setitem__("phase", "Terminating"))
        left = 0
        for rtype in self.store.registry.types:
            if not rtype.namespaced:
                continue
            for obj in self.store.list(rtype, name):
                left += 1
                if not obj["metadata"].get("deletionTimestamp"):
                    self.store.delete(rtype, name, obj["metadata"]["name"], propagation="Background")
        if not left:
            self.store.mutate("namespaces", None, name, lambda o: o["metadata"].__setitem__("finalizers", []) or o["spec"].__setitem__("finalizers", []))


class ClaimBinder(Controller):
    """Binds each pending PersistentVolumeClaim to a volume of the requested size."""

    name = "persistentvolume-binder"
    resync_kinds = ("persistentvolumeclaims",)

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "PersistentVolumeClaim" and change.type == "ADDED":
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])

    def reconcile(self, namespace: str, name: str) -> None:
        pvc = self.store.find("persistentvolumeclaims", namespace, name)
        if pvc is None or pvc.get("status", {}).get("phase") == "Bound":
            return
        size = ((pvc["spec"].get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
        klass = pvc["spec"].get("storageClassName")
        if klass and self.store.find("storageclasses.storage.k8s.io", None, klass) is None and self.store.list("storageclasses.storage.k8s.io"):
            # No provisioner answers for a class that does not exist: the claim waits, as on a real cluster.
            self.store.mutate("persistentvolumeclaims", namespace, name, lambda obj: obj.__setitem__("status", {"phase": "Pending"}))
            events.record(self.store, pvc, "ProvisioningFailed", f'storageclass.storage.k8s.io "{klass}" not found', type_="Warning",
                          component="persistentvolume-controller")
            return

        def bind(obj: dict[str, Any]) -> None:
            obj["spec"].setdefault("volumeName", f"pvc-{obj['metadata']['uid']}")
            obj["status"] = {"phase": "Bound", "accessModes": obj["spec"].get("accessModes") or ["ReadWriteOnce"], "capacity": {"storage": size}}
            ann = obj["metadata"].setdefault("annotations", {})
            ann.setdefault("pv.kubernetes.io/bind-completed", "yes")
            ann.setdefault("pv.kubernetes.io/bound-by-controller", "yes")

        self.store.mutate("persistentvolumeclaims", namespace, name, bind)


class DisruptionBudgets(Controller):
    """Keeps PodDisruptionBudget status (healthy pods, disruptions allowed) current for the eviction API."""

    name = "disruption-controller"
    resync_kinds = ("poddisruptionbudgets.policy",)

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "PodDisruptionBudget" and change.type != "DELETED":
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])
        elif change.rtype.kind == "Pod":
            ns = change.obj["metadata"]["namespace"]
            for pdb in self.store.list("poddisruptionbudgets.policy", ns):
                yield (ns, pdb["metadata"]["name"])

    def reconcile(self, namespace: str, name: str) -> None:
        pdb = self.store.find("poddisruptionbudgets.policy", namespace, name)
        if pdb is None:
            return
        reqs = selector_from_spec(pdb["spec"].get("selector"))
        pods = [p for p in self.store.list("pods", namespace) if is_active(p) and labels_match(reqs, p["metadata"].get("labels"))]
        expected = len(pods)
        healthy = sum(1 for p in pods if is_ready(p))
        spec = pdb["spec"]
        if "minAvailable" in spec:
            desired = _resolve(spec["minAvailable"], expected)
        else:
            desired = expected - _resolve(spec.get("maxUnavailable", 0), expected)
        status = {"observedGeneration": pdb["metadata"].get("generation", 1), "currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": expected, "disruptionsAllowed": max(healthy - desired, 0), "conditions": [{"type": "DisruptionAllowed", "status": "True" if healthy > desired else "False", "reason": "SufficientPods" if healthy > desired else "InsufficientPods", "message": "", "observedGeneration": pdb["metadata"].get("generation", 1), "lastTransitionTime": pdb["metadata"]["creationTimestamp"]}]}
        self.store.mutate("poddisruptionbudgets.policy", namespace, name, lambda o: o.__setitem__("status", status))


def _resolve(value: int | str, total: int) -> int:
    if isinstance(value, str) and value.endswith("%"):
        return -(-total * int(value[:-1]) // 100)
    return int(value)


class VolumeUsage(Controller):
    """Grows a claim's used bytes at its fill rate (annotation), one step per simulated minute."""

    name = "volume-usage"
    resync_kinds = ("persistentvolumeclaims",)
    step = 60.0

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "PersistentVolumeClaim" and change.type != "DELETED":
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])

    def reconcile(self, namespace: str, name: str) -> None:
        from openclaw.sandbox.kube.faults import PVC_FILL_RATE, PVC_USED_BYTES, parse_quantity

        pvc = self.store.find("persistentvolumeclaims", namespace, name)
        if pvc is None:
            return
        key = f"pvc/{pvc['metadata']['uid']}/fill"
        rate = float((pvc["metadata"].get("annotations") or {}).get(PVC_FILL_RATE, "0") or 0)
        if rate <= 0:
            self.rt.timers.cancel(key)
            return
        if self.rt.timers.pending(key):
            return

        def grow() -> None:
            current = self.store.find("persistentvolumeclaims", namespace, name)
            if current is None:
                return
            capacity = parse_quantity((current.get("status", {}).get("capacity") or {}).get("storage", "1Gi"))
            ann = current["metadata"].get("annotations") or {}
            used = min(int(ann.get(PVC_USED_BYTES, "0")) + int(rate * self.step), capacity)
            self.store.mutate("persistentvolumeclaims", namespace, name, lambda o: o["metadata"].setdefault("annotations", {}).__setitem__(PVC_USED_BYTES, str(used)))
            if used < capacity:
                self.rt.timers.after(self.step, key, grow)

        self.rt.timers.after(self.step, key, grow)


class EventExpiry(Controller):
    """Deletes Events an hour (simulated) after they were last seen, as the apiserver's event TTL does."""

    name = "event-ttl"
    ttl = 3600.0

    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "Event" and change.type != "DELETED":
            yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])

    def reconcile(self, namespace: str, name: str) -> None:
        from openclaw.sandbox.kube.meta import parse_time

        event = self.store.find("events", namespace, name)
        if event is None:
            return
        last = parse_time(event.get("lastTimestamp") or event["metadata"]["creationTimestamp"]) or self.store.clock.now()
        left = self.ttl - (self.store.clock.now() - last).total_seconds()
        uid = event["metadata"]["uid"]

        def expire() -> None:
            current = self.store.find("events", namespace, name)
            if current is None or current["metadata"]["uid"] != uid:
                return
            if current.get("lastTimestamp") != event.get("lastTimestamp"):
                self.enqueue(namespace, name)  # seen again meanwhile: re-arm from the new time
            else:
                self.store.delete("events", namespace, name)

        self.rt.timers.after(max(left, 0.0), f"event/{uid}/ttl", expire)
