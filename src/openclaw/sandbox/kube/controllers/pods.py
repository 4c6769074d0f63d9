"""Shared by the workload controllers: pods from templates, pod state predicates, owner lookups."""

from __future__ import annotations

import copy
from typing import Any

from openclaw.sandbox.kube.meta import owner_ref
from openclaw.sandbox.kube.store import KubeStore


def is_active(pod: dict[str, Any]) -> bool:
    """Counts toward replicas: not terminating and not finished."""
    return not pod["metadata"].get("deletionTimestamp") and pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")


def is_ready(pod: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in pod.get("status", {}).get("conditions") or [])


def owned_pods(store: KubeStore, owner: dict[str, Any]) -> list[dict[str, Any]]:
    uid = owner["metadata"]["uid"]
    return [p for p in store.list("pods", owner["metadata"]["namespace"]) if any(r.get("uid") == uid and r.get("controller") for r in p["metadata"].get("ownerReferences") or [])]


def owned(store: KubeStore, ref: str, owner: dict[str, Any]) -> list[dict[str, Any]]:
    uid = owner["metadata"]["uid"]
    return [o for o in store.list(ref, owner["metadata"]["namespace"]) if any(r.get("uid") == uid and r.get("controller") for r in o["metadata"].get("ownerReferences") or [])]


def pod_from_template(owner: dict[str, Any], template: dict[str, Any], *, name: str | None = None, generate_name: str | None = None, extra_labels: dict[str, str] | None = None, node: str | None = None) -> dict[str, Any]:
    template = copy.deepcopy(template)
    meta = template.get("metadata") or {}
    metadata: dict[str, Any] = {
        "namespace": owner["metadata"]["namespace"],
        "labels": {**(meta.get("labels") or {}), **(extra_labels or {})},
        "ownerReferences": [owner_ref(owner)],
    }
    if meta.get("annotations"):
        metadata["annotations"] = meta["annotations"]
    if name:
        metadata["name"] = name
    else:
        metadata["generateName"] = generate_name or owner["metadata"]["name"] + "-"
    spec = template.get("spec") or {}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
