"""The object store behind the simulated API server: every object, the resourceVersion counter, watches.

All methods are synchronous and must run on the event loop thread that owns the cluster (watchers
are fed through `asyncio.Queue`s). From another thread use `SandboxCluster.call(...)`.

Objects are plain JSON-shaped dicts exactly as the API serves them. Every read returns a deep copy;
the objects handed to listeners in a `Change` are shared and must not be mutated.
"""

from __future__ import annotations

import copy
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openclaw.sandbox.kube import errors
from openclaw.sandbox.kube.defaults import apply_defaults
from openclaw.sandbox.kube.errors import ApiError
from openclaw.sandbox.kube.meta import random_suffix, timestamp
from openclaw.sandbox.kube.patching import json_patch, merge_patch, strategic_merge_patch
from openclaw.sandbox.kube.resources import Registry, ResourceType
from openclaw.sandbox.kube.selectors import labels_match, parse_fields, parse_labels
from openclaw.sandbox.kube.validation import validate
from openclaw.sandbox.kube.watch import Watcher
from openclaw.sandbox.simclock import SimClock

ResourceRef = str | ResourceType
_List = list  # the store has a `list` method; annotations inside the class use this name
# Types whose spec changes bump metadata.generation (the rest carry no spec or no generation).
_GENERATION_KINDS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "PodDisruptionBudget", "Application"}
# Types whose `status` is only written through the status subresource.
_STATUS_SPLIT = {"Pod", "Node", "Namespace", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "PersistentVolumeClaim", "PersistentVolume", "PodDisruptionBudget"}
PATCH_TYPES = ("merge", "strategic", "json", "apply")


@dataclass(frozen=True)
class Change:
    """One committed change: ADDED, MODIFIED or DELETED, with the object after (and before) it."""

    type: str
    rtype: ResourceType
    obj: dict[str, Any]
    old: dict[str, Any] | None
    rv: int


class KubeStore:
    """In-memory API objects with a global resourceVersion, history for watch resume, and listeners."""

    def __init__(self, clock: SimClock, *, registry: Registry | None = None, history: int = 4096) -> None:
        self.clock = clock
        self.registry = registry or Registry()
        self._objects: dict[str, dict[tuple[str, str], dict[str, Any]]] = {t.key: {} for t in self.registry.types}
        self._rv = 1
        self._history: deque[Change] = deque(maxlen=history)
        self._listeners: _List[Callable[[Change], None]] = []
        self._watchers: set[Watcher] = set()
        self._uids: dict[str, tuple[ResourceType, tuple[str, str]]] = {}

    # ---- reads -------------------------------------------------------------------------------
    @property
    def resource_version(self) -> int:
        """The newest resourceVersion handed out."""
        return self._rv

    def rtype(self, ref: ResourceRef) -> ResourceType:
        """Resolve a kind (`Pod`), plural (`deployments`), short name (`deploy`) or store key (`jobs.batch`)."""
        return self.registry.resolve(ref)

    def _bucket(self, rtype: ResourceType) -> dict[tuple[str, str], dict[str, Any]]:
        return self._objects[rtype.key]

    def _raw(self, rtype: ResourceType, namespace: str | None, name: str) -> dict[str, Any]:
        obj = self._bucket(rtype).get((namespace or "" if rtype.namespaced else "", name))
        if obj is None:
            raise errors.not_found(rtype.plural, name, rtype.group)
        return obj

    def get(self, ref: ResourceRef, namespace: str | None, name: str) -> dict[str, Any]:
        """A copy of one object; 404 `ApiError` when absent. `namespace` is ignored for cluster-scoped types."""
        return copy.deepcopy(self._raw(self.rtype(ref), namespace, name))

    def find(self, ref: ResourceRef, namespace: str | None, name: str) -> dict[str, Any] | None:
        """Like `get` but None when absent."""
        try:
            return self.get(ref, namespace, name)
        except ApiError:
            return None

    def list(
        self,
        ref: ResourceRef,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
    ) -> _List[dict[str, Any]]:
        """Copies of matching objects sorted by namespace/name; `namespace=None` means all namespaces."""
        rtype = self.rtype(ref)
        return [copy.deepcopy(o) for o in self._select(rtype, namespace, label_selector, field_selector, predicate)]

    def _select(self, rtype: ResourceType, namespace: str | None, label_selector: str | None, field_selector: str | None, predicate: Callable[[dict[str, Any]], bool] | None = None) -> _List[dict[str, Any]]:
        reqs = parse_labels(label_selector)
        fields = parse_fields(field_selector)
        out = []
        for (ns, _), obj in sorted(self._bucket(rtype).items()):
            if namespace and rtype.namespaced and ns != namespace:
                continue
            if not labels_match(reqs, obj["metadata"].get("labels")) or not fields(obj):
                continue
            if predicate is not None and not predicate(obj):
                continue
            out.append(obj)
        return out

    def by_uid(self, uid: str) -> tuple[ResourceType, dict[str, Any]] | None:
        """The type and a copy of the object with this uid, if it exists."""
        found = self._uids.get(uid)
        if found is None:
            return None
        obj = self._bucket(found[0]).get(found[1])
        return (found[0], copy.deepcopy(obj)) if obj is not None else None

    def dependents(self, owner_uid: str) -> _List[tuple[ResourceType, dict[str, Any]]]:
        """Objects (copies) whose ownerReferences name `owner_uid`."""
        out = []
        for rtype in self.registry.types:
            for obj in self._bucket(rtype).values():
                if any(r.get("uid") == owner_uid for r in obj["metadata"].get("ownerReferences") or []):
                    out.append((rtype, copy.deepcopy(obj)))
        return out

    # ---- listeners and watches ---------------------------------------------------------------
    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        """Call `listener(change)` synchronously after every commit; returns an unsubscribe function.

        Listeners must not raise and should not write to the store re-entrantly; queue work instead.
        """
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def watch(
        self,
        ref: ResourceRef,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        resource_version: str | None = None,
        send_initial: bool | None = None,
    ) -> Watcher:
        """Start a watch. With no resourceVersion (or "0") it first replays current objects as ADDED;
        with one it replays the changes after it, or raises 410 Expired when history no longer reaches back.
        Iterate the returned `Watcher` (`async for event in watcher`) and `close()` it when done."""
        rtype = self.rtype(ref)
        reqs = parse_labels(label_selector)
        fields = parse_fields(field_selector)
        watcher = Watcher(self, rtype, namespace if rtype.namespaced else None, reqs, fields)
        initial = send_initial if send_initial is not None else resource_version in (None, "", "0")
        if initial:
            for obj in self._select(rtype, namespace, label_selector, field_selector):
                watcher.push("ADDED", copy.deepcopy(obj))
        if resource_version not in (None, "", "0") and not initial:
            try:
                since = int(str(resource_version))
            except ValueError:
                raise errors.bad_request(f"resourceVersion {resource_version!r}: expected an integer") from None
            oldest = self._history[0].rv if self._history else self._rv + 1
            if since < oldest - 1 and since < self._rv:
                raise errors.gone(f"too old resource version: {since} ({oldest - 1})")
            for change in self._history:
                if change.rv > since:
                    watcher.offer(change)
        self._watchers.add(watcher)
        return watcher

    def _unwatch(self, watcher: Watcher) -> None:
        self._watchers.discard(watcher)

    def close_watches(self) -> None:
        """End every open watch stream (server shutdown)."""
        for watcher in list(self._watchers):
            watcher.close()

    # ---- writes ------------------------------------------------------------------------------
    def _commit(self, type_: str, rtype: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        change = Change(type_, rtype, copy.deepcopy(obj), old, self._rv)
        self._history.append(change)
        for watcher in list(self._watchers):
            if watcher.rtype is rtype:
                watcher.offer(change)
        for listener in list(self._listeners):
            listener(change)

    def _next_rv(self) -> str:
        self._rv += 1
        return str(self._rv)

    def create(self, obj: dict[str, Any], *, namespace: str | None = None, dry_run: bool = False) -> dict[str, Any]:
        """Create an object (apiVersion/kind pick the type). Fills uid, resourceVersion, creationTimestamp,
        generation and defaults; 409 AlreadyExists, 422 Invalid. With `dry_run` nothing is stored."""
        rtype = self.registry.for_object(obj)
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if rtype.namespaced:
            meta["namespace"] = meta.get("namespace") or namespace or "default"
            ns_obj = self._bucket(self.rtype("namespaces")).get(("", meta["namespace"]))
            if meta["namespace"] != "default" and rtype.kind != "Event" and ns_obj is None:
                raise errors.ApiError(404, "NotFound", f'namespaces "{meta["namespace"]}" not found', kind="namespaces", name=meta["namespace"])
            if ns_obj is not None and ns_obj["metadata"].get("deletionTimestamp") and rtype.kind != "Event":
                raise errors.ApiError(403, "Forbidden", f'{rtype.plural} "{meta.get("name") or meta.get("generateName", "")}" is forbidden: unable to create new content in namespace {meta["namespace"]} because it is being terminated', kind=rtype.plural, name=meta.get("name"))
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + random_suffix()
        for field in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
            meta.pop(field, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = timestamp(self.clock.now())
        if rtype.kind in _GENERATION_KINDS:
            meta["generation"] = 1
        used_ips = {o["spec"].get("clusterIP", "") for o in self._bucket(self.rtype("services")).values()} if rtype.kind == "Service" else set()
        apply_defaults(rtype.kind, obj, used_ips)
        validate(rtype, obj)
        key = (meta.get("namespace", ""), meta["name"])
        if key in self._bucket(rtype):
            raise errors.already_exists(rtype.plural, meta["name"], rtype.group)
        if dry_run:
            return obj
        meta["resourceVersion"] = self._next_rv()
        self._bucket(rtype)[key] = obj
        self._uids[meta["uid"]] = (rtype, key)
        self._commit("ADDED", rtype, obj, None)
        return copy.deepcopy(obj)

    def update(self, obj: dict[str, Any], *, subresource: str | None = None, dry_run: bool = False, check_version: bool = True) -> dict[str, Any]:
        """Replace an object (PUT). A stale metadata.resourceVersion gets 409 Conflict. The main resource
        keeps the stored status and the `status` subresource keeps the stored spec, as the apiserver does.
        A spec change bumps generation. Clearing the last finalizer of a deleting object removes it."""
        rtype = self.registry.for_object(obj)
        meta = obj.get("metadata") or {}
        current = self._raw(rtype, meta.get("namespace"), str(meta.get("name", "")))
        sent_rv = str(meta.get("resourceVersion") or "")
        if check_version and sent_rv and sent_rv != current["metadata"]["resourceVersion"]:
            raise errors.conflict(rtype.plural, current["metadata"]["name"], rtype.group)
        new = copy.deepcopy(obj)
        new_meta = new.setdefault("metadata", {})
        for field in ("uid", "creationTimestamp", "namespace", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
            if field in current["metadata"]:
                new_meta[field] = current["metadata"][field]
            else:
                new_meta.pop(field, None)
        if rtype.kind in _STATUS_SPLIT:
            if subresource == "status":
                new = {**copy.deepcopy(current), "status": new.get("status", {})}
                new["metadata"] = {**copy.deepcopy(current["metadata"]), **{k: v for k, v in new_meta.items() if k in ("labels", "annotations")}}
            elif "status" in current:
                new["status"] = copy.deepcopy(current["status"])
        if rtype.kind in _GENERATION_KINDS and new.get("spec") != current.get("spec"):
            new["metadata"]["generation"] = int(current["metadata"].get("generation", 1)) + 1
        validate(rtype, new)
        if dry_run:
            new["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            return new
        new["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        if new == current:
            return copy.deepcopy(current)
        return self._replace(rtype, current, new)

    @staticmethod
    def _finalizers(obj: dict[str, Any]) -> _List[str]:
        """What still holds a deleting object: metadata finalizers, and a Namespace's spec finalizers."""
        held = list(obj["metadata"].get("finalizers") or [])
        if obj.get("kind") == "Namespace":
            held += list((obj.get("spec") or {}).get("finalizers") or [])
        return held

    def _replace(self, rtype: ResourceType, current: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        key = (new["metadata"].get("namespace", ""), new["metadata"]["name"])
        if new["metadata"].get("deletionTimestamp") and not self._finalizers(new):
            if rtype.kind != "Pod" or new["metadata"].get("deletionGracePeriodSeconds") == 0:
                return self._remove(rtype, current)
        new["metadata"]["resourceVersion"] = self._next_rv()
        self._bucket(rtype)[key] = new
        self._commit("MODIFIED", rtype, new, current)
        return copy.deepcopy(new)

    def patch(
        self,
        ref: ResourceRef,
        namespace: str | None,
        name: str,
        body: Any,
        patch_type: str = "strategic",
        *,
        subresource: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> dict[str, Any]:
        """Patch an object. `patch_type` is "strategic", "merge", "json" or "apply" (server-side apply:
        creates when absent, else merges the applied fields). A resourceVersion inside the patch is a precondition."""
        rtype = self.rtype(ref)
        if patch_type not in PATCH_TYPES:
            raise errors.ApiError(415, "UnsupportedMediaType", f"patch type {patch_type!r} is not supported; expected one of {', '.join(PATCH_TYPES)}")
        if patch_type == "apply":
            if not field_manager:
                raise errors.bad_request("PATCH with application/apply-patch+yaml requires the fieldManager parameter")
            if self.find(rtype, namespace, name) is None:
                obj = copy.deepcopy(body)
                obj.setdefault("metadata", {})["name"] = name
                return self.create(obj, namespace=namespace, dry_run=dry_run)
        current = self._raw(rtype, namespace, name)
        base = copy.deepcopy(current)
        if patch_type == "json":
            result = json_patch(base, body)
        elif patch_type == "merge":
            result = merge_patch(base, body)
        else:
            result = strategic_merge_patch(base, body)
        if not isinstance(result, dict):
            raise errors.bad_request("patch result is not an object")
        result["apiVersion"], result["kind"] = current["apiVersion"], current["kind"]
        result.setdefault("metadata", {})["name"] = current["metadata"]["name"]
        if rtype.namespaced:
            result["metadata"]["namespace"] = current["metadata"]["namespace"]
        check = isinstance(body, dict) and bool((body.get("metadata") or {}).get("resourceVersion"))
        if not check:
            result["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        return self.update(result, subresource=subresource, dry_run=dry_run, check_version=check)

    def delete(
        self,
        ref: ResourceRef,
        namespace: str | None,
        name: str,
        *,
        propagation: str | None = None,
        grace_period: int | None = None,
        dry_run: bool = False,
        preconditions: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Delete an object; returns it (with deletionTimestamp when removal is pending).

        Pods on a node get a deletionTimestamp and leave when the kubelet finishes (grace 0 removes now).
        Objects with finalizers wait for them. `propagation` Background (default; Orphan for batch/v1 Jobs,
        as the apiserver does), Foreground (owner stays until dependents are gone) or Orphan (dependents
        lose their ownerReference). Dependents are removed by the garbage collector controller."""
        rtype = self.rtype(ref)
        current = self._raw(rtype, namespace, name)
        for key, value in (preconditions or {}).items():
            if value and current["metadata"].get(key) != value:
                raise errors.conflict(rtype.plural, name, rtype.group, f"Precondition failed: {key}: {value}, object's {key}: {current['metadata'].get(key)}")
        policy = propagation or ("Orphan" if rtype.kind == "Job" else "Background")
        if policy not in ("Background", "Foreground", "Orphan"):
            raise errors.bad_request(f"propagationPolicy {policy!r}: expected Background, Foreground or Orphan")
        if dry_run:
            return copy.deepcopy(current)
        if policy == "Orphan":
            uid = current["metadata"]["uid"]
            for dtype, dep in self.dependents(uid):
                dep["metadata"]["ownerReferences"] = [r for r in dep["metadata"]["ownerReferences"] if r.get("uid") != uid]
                self._replace(dtype, self._raw(dtype, dep["metadata"].get("namespace"), dep["metadata"]["name"]), dep)
        new = copy.deepcopy(current)
        meta = new["metadata"]
        if policy == "Foreground" and self.dependents(meta["uid"]):
            meta.setdefault("finalizers", [])
            if "foregroundDeletion" not in meta["finalizers"]:
                meta["finalizers"].append("foregroundDeletion")
        pending = bool(self._finalizers(new))
        if rtype.kind == "Pod":
            grace = grace_period if grace_period is not None else int(new["spec"].get("terminationGracePeriodSeconds", 30))
            running = bool(new["spec"].get("nodeName")) and new.get("status", {}).get("phase") not in ("Succeeded", "Failed")
            if grace > 0 and running:
                if meta.get("deletionTimestamp") and int(meta.get("deletionGracePeriodSeconds", grace)) <= grace:
                    return copy.deepcopy(current)
                meta["deletionGracePeriodSeconds"] = grace
                pending = True
            elif grace == 0 and not meta.get("finalizers"):
                pending = False
        if not pending:
            return self._remove(rtype, current)
        if not meta.get("deletionTimestamp"):
            meta["deletionTimestamp"] = timestamp(self.clock.now())
        if rtype.kind in _GENERATION_KINDS:
            meta["generation"] = int(meta.get("generation", 1)) + 1
        return self._replace(rtype, current, new)

    def _remove(self, rtype: ResourceType, current: dict[str, Any]) -> dict[str, Any]:
        key = (current["metadata"].get("namespace", ""), current["metadata"]["name"])
        self._bucket(rtype).pop(key, None)
        self._uids.pop(current["metadata"]["uid"], None)
        gone = copy.deepcopy(current)
        gone["metadata"]["resourceVersion"] = self._next_rv()
        self._commit("DELETED", rtype, gone, current)
        return copy.deepcopy(gone)

    def mutate(self, ref: ResourceRef, namespace: str | None, name: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply `change(obj)` to a copy of the stored object and write the whole of it back (spec and
        status, no version check); no write when nothing changed. For controllers and fault hooks."""
        rtype = self.rtype(ref)
        current = self._raw(rtype, namespace, name)
        new = copy.deepcopy(current)
        change(new)
        if new == current:
            return copy.deepcopy(current)
        if rtype.kind in _GENERATION_KINDS and new.get("spec") != current.get("spec"):
            new["metadata"]["generation"] = int(current["metadata"].get("generation", 1)) + 1
        validate(rtype, new)
        return self._replace(rtype, current, new)
