"""A simulated Kubernetes API server with controllers, that real kubectl and client libraries accept.

`SandboxCluster` runs one (store + controllers + TLS API server + kubeconfig); `KubeStore` is its
object store (get/list/create/update/patch/delete, watch, listeners); `Faults` injects failures;
`Timing` sets how long simulated container steps take. See docs/sandbox.md.
"""

from __future__ import annotations

from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.kube.errors import ApiError
from openclaw.sandbox.kube.faults import PVC_FILL_RATE, PVC_USED_BYTES, Fault, Faults
from openclaw.sandbox.kube.runtime import Timing
from openclaw.sandbox.kube.store import Change, KubeStore
from openclaw.sandbox.kube.watch import WatchEvent, Watcher

__all__ = ["PVC_FILL_RATE", "PVC_USED_BYTES", "ApiError", "Change", "Fault", "Faults", "KubeStore", "SandboxCluster", "Timing", "WatchEvent", "Watcher"]
