"""The resource types the simulated API server serves, and the discovery documents built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


@dataclass(frozen=True)
class ResourceType:
    """One REST resource: where it lives (group/version/plural), its kind and how it is scoped."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # Subresources served under `/<name>/<sub>`: sub -> (kind, group, version, verbs).
    subresources: dict[str, tuple[str, str, str, tuple[str, ...]]] = field(default_factory=dict, hash=False, compare=False)
    singular: str = ""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> str:
        """Store key of the type: `plural` for the core group, else `plural.group`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    def discovery_entries(self) -> list[dict[str, Any]]:
        entries = [
            {
                "name": self.plural,
                "singularName": self.singular or self.kind.lower(),
                "namespaced": self.namespaced,
                "kind": self.kind,
                "verbs": ["create"] if self.kind.endswith("Review") else ALL_VERBS,
                **({"shortNames": list(self.short_names)} if self.short_names else {}),
                **({"categories": list(self.categories)} if self.categories else {}),
                "storageVersionHash": "",
            }
        ]
        for sub, (kind, group, version, verbs) in self.subresources.items():
            entry: dict[str, Any] = {"name": f"{self.plural}/{sub}", "singularName": "", "namespaced": self.namespaced, "kind": kind, "verbs": list(verbs)}
            if group != self.group or version != self.version:
                entry["group"] = group
                entry["version"] = version
            entries.append(entry)
        return entries


_STATUS = ("Status", "", "", ("get", "patch", "update"))
_SCALE = ("Scale", "autoscaling", "v1", ("get", "patch", "update"))

TYPES: tuple[ResourceType, ...] = (
    ResourceType("", "v1", "namespaces", "Namespace", False, ("ns",), subresources={"status": _STATUS}),
    ResourceType("", "v1", "nodes", "Node", False, ("no",), subresources={"status": _STATUS}),
    ResourceType(
        "", "v1", "pods", "Pod", True, ("po",), ("all",),
        subresources={
            "status": _STATUS,
            "log": ("Pod", "", "v1", ("get",)),
            "eviction": ("Eviction", "policy", "v1", ("create",)),
        },
    ),
    ResourceType("", "v1", "events", "Event", True, ("ev",)),
    ResourceType("", "v1", "services", "Service", True, ("svc",), ("all",), subresources={"status": _STATUS}),
    ResourceType("", "v1", "configmaps", "ConfigMap", True, ("cm",)),
    ResourceType("", "v1", "secrets", "Secret", True),
    ResourceType("", "v1", "serviceaccounts", "ServiceAccount", True, ("sa",)),
    ResourceType("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ("pvc",), subresources={"status": _STATUS}),
    ResourceType("", "v1", "persistentvolumes", "PersistentVolume", False, ("pv",), subresources={"status": _STATUS}),
    ResourceType("apps", "v1", "deployments", "Deployment", True, ("deploy",), ("all",), subresources={"status": _STATUS, "scale": _SCALE}),
    ResourceType("apps", "v1", "replicasets", "ReplicaSet", True, ("rs",), ("all",), subresources={"status": _STATUS, "scale": _SCALE}),
    ResourceType("apps", "v1", "statefulsets", "StatefulSet", True, ("sts",), ("all",), subresources={"status": _STATUS, "scale": _SCALE}),
    ResourceType("apps", "v1", "daemonsets", "DaemonSet", True, ("ds",), ("all",), subresources={"status": _STATUS}),
    ResourceType("apps", "v1", "controllerrevisions", "ControllerRevision", True),
    ResourceType("batch", "v1", "jobs", "Job", True, (), ("all",), subresources={"status": _STATUS}),
    ResourceType("batch", "v1", "cronjobs", "CronJob", True, ("cj",), ("all",), subresources={"status": _STATUS}),
    ResourceType("coordination.k8s.io", "v1", "leases", "Lease", True),
    ResourceType("storage.k8s.io", "v1", "storageclasses", "StorageClass", False, ("sc",)),
    ResourceType("storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", False, (), subresources={"status": _STATUS}),
    ResourceType("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ("pdb",), subresources={"status": _STATUS}),
    ResourceType("argoproj.io", "v1alpha1", "applications", "Application", True, ("app", "apps"), ("argo",)),
    ResourceType("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", False),
)
# Types that are answered, never stored (create-only reviews).
REVIEW_KINDS = {"SelfSubjectAccessReview"}


class Registry:
    """Looks resource types up by store key, plural+group, kind or short name."""

    def __init__(self, types: tuple[ResourceType, ...] = TYPES) -> None:
        self.types = types
        self._by_key = {t.key: t for t in types}
        self._by_kind: dict[str, ResourceType] = {}
        for t in types:
            self._by_kind.setdefault(t.kind.lower(), t)

    def by_path(self, group: str, version: str, plural: str) -> ResourceType | None:
        t = self._by_key.get(f"{plural}.{group}" if group else plural)
        return t if t is not None and t.version == version else None

    def resolve(self, ref: str | ResourceType) -> ResourceType:
        """A type from a `ResourceType`, a store key (`deployments.apps`), a kind (`Deployment`) or a short name."""
        if isinstance(ref, ResourceType):
            return ref
        if ref in self._by_key:
            return self._by_key[ref]
        low = ref.lower()
        if low in self._by_kind:
            return self._by_kind[low]
        for t in self.types:
            if low == t.plural or low in t.short_names:
                return t
        raise KeyError(f"unknown resource {ref!r}; expected a kind like 'Pod' or a plural like 'deployments.apps'")

    def for_object(self, obj: dict[str, Any]) -> ResourceType:
        api_version = str(obj.get("apiVersion", ""))
        group, _, version = api_version.rpartition("/")
        kind = str(obj.get("kind", ""))
        for t in self.types:
            if t.kind == kind and t.group == group and t.version == version:
                return t
        raise KeyError(f"no resource for apiVersion {api_version!r} kind {kind!r}")

    def groups(self) -> list[tuple[str, str]]:
        """(group, version) pairs of the named groups, in registry order."""
        seen: list[tuple[str, str]] = []
        for t in self.types:
            if t.group and (t.group, t.version) not in seen:
                seen.append((t.group, t.version))
        return seen

    def resource_list(self, group: str, version: str) -> dict[str, Any] | None:
        entries = [e for t in self.types if t.group == group and t.version == version for e in t.discovery_entries()]
        if not entries:
            return None
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version, "resources": entries}

    def group_doc(self, group: str) -> dict[str, Any] | None:
        versions = [v for g, v in self.groups() if g == group]
        if not versions:
            return None
        gv = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": gv, "preferredVersion": gv[0]}

    def group_list(self) -> dict[str, Any]:
        names: list[str] = []
        for g, _ in self.groups():
            if g not in names:
                names.append(g)
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [self.group_doc(g) for g in names]}
