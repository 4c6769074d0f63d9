"""References to cluster objects, the shape every operation and policy rule speaks in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

# Kinds the ops layer knows; the client maps each to its API resource.
Kind = Literal[
    "Pod",
    "Node",
    "Namespace",
    "Event",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "PodDisruptionBudget",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "VolumeAttachment",
    "Service",
    "Endpoints",
]
WORKLOAD_KINDS: tuple[Kind, ...] = ("Deployment", "StatefulSet", "DaemonSet")
CLUSTER_SCOPED: frozenset[str] = frozenset({"Node", "Namespace", "PersistentVolume", "VolumeAttachment"})

# A Kubernetes object as the API returned it, parsed from JSON.
Obj = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """One object: kind, name, and namespace (None for cluster-scoped kinds)."""

    kind: Kind
    name: str
    namespace: str | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError(f"{self.kind} reference needs a name")
        if self.kind in CLUSTER_SCOPED and self.namespace is not None:
            raise ValueError(f"{self.kind} is cluster-scoped; got namespace {self.namespace!r}")
        if self.kind not in CLUSTER_SCOPED and not self.namespace:
            raise ValueError(f"{self.kind} {self.name} needs a namespace")

    @property
    def key(self) -> str:
        """Stable text form used by rate limits and the audit log: `Kind/ns/name` or `Kind/name`."""
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"

    @property
    def scope(self) -> str | None:
        """The namespace it lives in (a Namespace is its own); None for other cluster-scoped kinds."""
        return self.name if self.kind == "Namespace" else self.namespace

    def __str__(self) -> str:
        return self.key

    @classmethod
    def parse(cls, text: str) -> ObjectRef:
        """Read `Kind/ns/name` or `Kind/name` back (the form `key` writes)."""
        parts = text.split("/")
        if len(parts) == 3:
            return cls(parts[0], parts[2], parts[1])  # type: ignore[arg-type]  # validated by the API on use
        if len(parts) == 2:
            return cls(parts[0], parts[1])  # type: ignore[arg-type]  # validated by the API on use
        raise ValueError(f"object reference {text!r}: expected Kind/namespace/name or Kind/name")


def meta(obj: Obj) -> dict[str, Any]:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def labels_of(obj: Obj) -> dict[str, str]:
    return dict(meta(obj).get("labels") or {})


def annotations_of(obj: Obj) -> dict[str, str]:
    return dict(meta(obj).get("annotations") or {})


def owner_of(obj: Obj) -> tuple[str, str] | None:
    """The controlling owner's (kind, name), if any."""
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("kind")), str(ref.get("name"))
    refs = meta(obj).get("ownerReferences") or []
    return (str(refs[0].get("kind")), str(refs[0].get("name"))) if refs else None
