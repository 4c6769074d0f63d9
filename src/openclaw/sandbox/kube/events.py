"""Records core/v1 Events the way components do: one per (object, reason, message), counted on repeat."""

from __future__ import annotations

import hashlib
from typing import Any

from openclaw.sandbox.kube.meta import timestamp
from openclaw.sandbox.kube.store import KubeStore


def record(store: KubeStore, involved: dict[str, Any], reason: str, message: str, *, type_: str = "Normal", component: str = "kubelet", host: str | None = None) -> None:
    """Create or bump the Event for `involved` (a full object) with this reason and message."""
    meta = involved["metadata"]
    namespace = meta.get("namespace") or "default"
    digest = hashlib.sha1(f"{meta.get('uid')}/{reason}/{message}".encode()).hexdigest()[:16]
    name = f"{meta['name']}.{digest}"
    now = timestamp(store.clock.now())
    existing = store.find("events", namespace, name)
    if existing is not None:

        def bump(ev: dict[str, Any]) -> None:
            ev["count"] = int(ev.get("count", 1)) + 1
            ev["lastTimestamp"] = now

        store.mutate("events", namespace, name, bump)
        return
    source: dict[str, str] = {"component": component}
    if host:
        source["host"] = host
    store.create(
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": {
                "apiVersion": involved.get("apiVersion"),
                "kind": involved.get("kind"),
                "name": meta["name"],
                "namespace": meta.get("namespace", ""),
                "uid": meta.get("uid"),
                "resourceVersion": meta.get("resourceVersion"),
            },
            "reason": reason,
            "message": message,
            "type": type_,
            "count": 1,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "source": source,
            "reportingComponent": component,
            "reportingInstance": host or "",
        }
    )
