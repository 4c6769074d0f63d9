"""A simulated Kubernetes API server with controllers, that real kubectl and client libraries accept.

Use `SandboxCluster` to run one; `KubeStore` is its object store (get/list/create/update/patch/delete,
watch, listeners) and `Faults` injects failures. See docs/sandbox.md.
"""

from __future__ import annotations

from openclaw.sandbox.kube.errors import ApiError
from openclaw.sandbox.kube.store import Change, KubeStore
from openclaw.sandbox.kube.watch import WatchEvent, Watcher

__all__ = ["ApiError", "Change", "KubeStore", "WatchEvent", "Watcher"]
