"""Fault injection: the failures scenarios and tests put into the simulated cluster.

Targets are `(namespace, name)` where `name` is a pod or any owner up its chain (Deployment,
StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). A fault with `fixed_by_restart=True` sticks to the
pods that exist when it is injected, so deleting them or a rollout restart cures it; with False it
follows the workload into every new pod until `clear()`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openclaw.sandbox.kube import events
from openclaw.sandbox.kube.meta import controller_of, timestamp

if TYPE_CHECKING:
    from openclaw.sandbox.kube.runtime import Runtime

PVC_USED_BYTES = "sandbox.openclaw.dev/used-bytes"
PVC_FILL_RATE = "sandbox.openclaw.dev/fill-bytes-per-second"
# The fraction of CFS periods a pod's containers are throttled in (what cAdvisor counts).
CPU_THROTTLED = "sandbox.openclaw.dev/cpu-throttled"
VOLUME_ATTACHMENTS = "volumeattachments.storage.k8s.io"
DEFAULT_ATTACHER = "driver.longhorn.io"


def attachment_name(volume: str, attacher: str, node: str) -> str:
    """The name the CSI attach code gives a VolumeAttachment: csi- and the sha256 of volume, driver and node."""
    return "csi-" + hashlib.sha256(f"{volume}{attacher}{node}".encode()).hexdigest()


def volume_attachment(volume: str, node: str, attacher: str = DEFAULT_ATTACHER) -> dict[str, Any]:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttachment", "metadata": {"name": attachment_name(volume, attacher, node)},
            "spec": {"attacher": attacher, "nodeName": node, "source": {"persistentVolumeName": volume}}, "status": {"attached": True}}


def rwo_volumes(store: Any, pod: dict[str, Any]) -> dict[str, str]:
    """The bound ReadWriteOnce claims a pod mounts: volume (PV) name -> the pod's volume name."""
    out: dict[str, str] = {}
    namespace = pod["metadata"].get("namespace")
    for vol in pod["spec"].get("volumes") or []:
        claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
        pvc = store.find("persistentvolumeclaims", namespace, claim) if claim else None
        if pvc is None or "ReadWriteOnce" not in (pvc["spec"].get("accessModes") or []):
            continue
        volume = pvc["spec"].get("volumeName")
        if volume and (pvc.get("status") or {}).get("phase") == "Bound":
            out[volume] = vol["name"]
    return out


@dataclass
class Fault:
    kind: str  # "crashloop", "unready", "jobfail"
    namespace: str
    target: str
    container: str | None = None
    exit_code: int = 1
    message: str = ""
    fixed_by_restart: bool = True
    pod_uids: set[str] = field(default_factory=set)
    reason: str = "Error"  # the termination reason the kubelet reports (OOMKilled for the kernel's OOM killer)


def parse_quantity(text: str | int | float) -> int:
    """Bytes in a Kubernetes quantity like `10Gi`, `500M`, `1073741824`."""
    if isinstance(text, int | float):
        return int(text)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15}
    for suffix in sorted(units, key=len, reverse=True):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * units[suffix])
    return int(float(text))


class Faults:
    """Inject and clear failures. Every method takes effect at once on the running controllers."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._bad_images: dict[str, str] = {}
        self._rt: Runtime | None = None
        self._listeners: list[Callable[[], None]] = []

    def attach(self, rt: Runtime) -> None:
        self._rt = rt

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    @property
    def rt(self) -> Runtime:
        if self._rt is None:
            raise RuntimeError("faults are not attached to a running cluster")
        return self._rt

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def _add(self, fault: Fault) -> Fault:
        if fault.fixed_by_restart:
            fault.pod_uids = {p["metadata"]["uid"] for p in self.rt.store.list("pods", fault.namespace) if self.targets(p, fault)}
        self._faults.append(fault)
        self._changed()
        return fault

    # ---- pods ---------------------------------------------------------------------------------
    def crashloop(self, namespace: str, target: str, *, container: str | None = None, exit_code: int = 1, message: str = "Error: unrecoverable failure, exiting",
                  fixed_by_restart: bool = True, reason: str = "Error") -> Fault:
        """Make the target's containers exit with `exit_code` shortly after each start, writing
        `message` to their log, so they go into CrashLoopBackOff with a growing restart count.
        `reason="OOMKilled"` is the kernel's OOM killer: exit 137, nothing more in the log."""
        return self._add(Fault("crashloop", namespace, target, container, exit_code, message, fixed_by_restart, reason=reason))

    def unready(self, namespace: str, target: str, *, container: str | None = None, message: str = "Readiness probe failed: HTTP probe failed with statuscode: 503", fixed_by_restart: bool = True) -> Fault:
        """Keep the target's containers running but failing their readiness probe."""
        return self._add(Fault("unready", namespace, target, container, 0, message, fixed_by_restart))

    def fail_jobs(self, namespace: str, target: str, *, exit_code: int = 1, message: str = "backup failed: destination unreachable") -> Fault:
        """Make pods of a Job (or of every Job a CronJob creates) exit with `exit_code` until cleared."""
        return self._add(Fault("jobfail", namespace, target, None, exit_code, message, False))

    def bad_image(self, image: str, *, message: str = "manifest unknown") -> None:
        """Make pulls of `image` fail (ErrImagePull, then ImagePullBackOff) until `clear_image(image)`:
        a rollout to a mistyped tag. Pods already running it are not affected."""
        self._bad_images[image] = message
        self._changed()

    def clear_image(self, image: str) -> None:
        self._bad_images.pop(image, None)
        self._changed()

    def pull_error(self, image: str) -> str | None:
        """Why pulling `image` fails now, or None."""
        return self._bad_images.get(image)

    def clear(self, namespace: str | None = None, target: str | None = None, kind: str | None = None) -> int:
        """Remove matching faults (all when no filter); returns how many. Running pods recover at their next start."""
        before = len(self._faults)
        self._faults = [f for f in self._faults if not ((namespace is None or f.namespace == namespace) and (target is None or f.target == target) and (kind is None or f.kind == kind))]
        self._changed()
        return before - len(self._faults)

    def active(self) -> list[Fault]:
        return list(self._faults)

    def owner_chain(self, pod: dict[str, Any]) -> list[str]:
        """Names of the pod and its controllers up the chain (pod, rs, deployment...)."""
        names = [pod["metadata"]["name"]]
        obj: dict[str, Any] | None = pod
        namespace = pod["metadata"].get("namespace")
        for _ in range(4):
            ref = controller_of(obj) if obj else None
            if ref is None:
                break
            names.append(ref["name"])
            obj = self.rt.store.find(ref["kind"], namespace, ref["name"]) if ref["kind"] in ("ReplicaSet", "Job", "Deployment", "StatefulSet", "DaemonSet", "CronJob") else None
        return names

    def targets(self, pod: dict[str, Any], fault: Fault) -> bool:
        if pod["metadata"].get("namespace") != fault.namespace:
            return False
        return fault.target in self.owner_chain(pod)

    def for_container(self, pod: dict[str, Any], container: str, kind: str) -> Fault | None:
        """The fault of `kind` that applies to this container of this pod now, if any."""
        for fault in self._faults:
            if fault.kind != kind or (fault.container and fault.container != container):
                continue
            if fault.fixed_by_restart and pod["metadata"]["uid"] not in fault.pod_uids:
                continue
            if self.targets(pod, fault):
                return fault
        return None

    # ---- nodes and volumes --------------------------------------------------------------------
    def lose_node_holding_volumes(self, namespace: str, target: str, *, attacher: str = DEFAULT_ATTACHER) -> tuple[str, list[str]]:
        """The node running `target`'s pod goes NotReady while its ReadWriteOnce volumes stay attached
        there: a VolumeAttachment per volume, bound to that node, that nothing detaches (the CSI driver
        cannot reach the node). A replacement pod elsewhere then fails to attach them (Multi-Attach).
        Returns the node and the attachments' names."""
        store = self.rt.store
        probe = Fault("multi-attach", namespace, target)
        pods = [p for p in store.list("pods", namespace) if self.targets(p, probe) and p["spec"].get("nodeName") and not p["metadata"].get("deletionTimestamp")]
        held = [(p, rwo_volumes(store, p)) for p in pods]
        held = [(p, vols) for p, vols in held if vols]
        if not held:
            raise ValueError(f"{namespace}/{target} has no running pod with a bound ReadWriteOnce claim")
        pod, volumes = held[0]
        node = str(pod["spec"]["nodeName"])
        names = []
        for volume in sorted(volumes):
            attachment = volume_attachment(volume, node, attacher)
            if store.find(VOLUME_ATTACHMENTS, None, attachment["metadata"]["name"]) is None:
                store.create(attachment)
            names.append(str(attachment["metadata"]["name"]))
        self.set_node_ready(node, False)
        return node, names

    def set_node_ready(self, node: str, ready: bool, *, reason: str | None = None) -> None:
        """Flip a node's Ready condition (NotReady: kubelet stopped posting status)."""
        now = timestamp(self.rt.clock.now())

        def change(obj: dict[str, Any]) -> None:
            for cond in obj.setdefault("status", {}).setdefault("conditions", []):
                if cond["type"] == "Ready":
                    status = "True" if ready else "Unknown"
                    if cond.get("status") != status:
                        cond["lastTransitionTime"] = now
                    cond.update(status=status, lastHeartbeatTime=now, reason=reason or ("KubeletReady" if ready else "NodeStatusUnknown"), message="kubelet is posting ready status" if ready else "Kubelet stopped posting node status.")
            taints = [t for t in obj["spec"].get("taints") or [] if t.get("key") != "node.kubernetes.io/unreachable"]
            if not ready:
                taints += [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "timeAdded": now}, {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": now}]
            if taints:
                obj["spec"]["taints"] = taints
            else:
                obj["spec"].pop("taints", None)

        before = self.rt.store.get("nodes", None, node)
        after = self.rt.store.mutate("nodes", None, node, change)
        if after["metadata"]["resourceVersion"] != before["metadata"]["resourceVersion"]:
            if ready:
                events.record(self.rt.store, after, "NodeReady", f"Node {node} status is now: NodeReady", host=node)
            else:
                events.record(self.rt.store, after, "NodeNotReady", f"Node {node} status is now: NodeNotReady", component="node-controller")
        self._changed()

    def set_node_pressure(self, node: str, condition: str, active: bool) -> None:
        """Raise or clear MemoryPressure / DiskPressure / PIDPressure as the kubelet does: the
        condition, its NoSchedule taint (`node.kubernetes.io/<kind>-pressure`) and an event."""
        word = {"MemoryPressure": "memory", "DiskPressure": "disk", "PIDPressure": "pid"}[condition]
        now = timestamp(self.rt.clock.now())
        texts = {"MemoryPressure": ("KubeletHasInsufficientMemory", "kubelet has insufficient memory available", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                 "DiskPressure": ("KubeletHasDiskPressure", "kubelet has disk pressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                 "PIDPressure": ("KubeletHasInsufficientPID", "kubelet has insufficient PID available", "KubeletHasSufficientPID", "kubelet has sufficient PID available")}[condition]
        reason, message = (texts[0], texts[1]) if active else (texts[2], texts[3])
        key = f"node.kubernetes.io/{word}-pressure"

        def change(obj: dict[str, Any]) -> None:
            for cond in obj.setdefault("status", {}).setdefault("conditions", []):
                if cond["type"] == condition:
                    status = "True" if active else "False"
                    if cond.get("status") != status:
                        cond["lastTransitionTime"] = now
                    cond.update(status=status, reason=reason, message=message, lastHeartbeatTime=now)
            taints = [t for t in obj["spec"].get("taints") or [] if t.get("key") != key]
            if active:
                taints.append({"key": key, "effect": "NoSchedule", "timeAdded": now})
            if taints:
                obj["spec"]["taints"] = taints
            else:
                obj["spec"].pop("taints", None)

        after = self.rt.store.mutate("nodes", None, node, change)
        event = reason.replace("Kubelet", "Node")
        events.record(self.rt.store, after, event, f"Node {node} status is now: {event}", type_="Warning" if active else "Normal", host=node)
        self._changed()

    def throttle_cpu(self, namespace: str, target: str, fraction: float) -> int:
        """Mark the target's current pods as throttled in `fraction` of their CFS periods (cAdvisor's
        container_cpu_cfs_throttled_periods_total over container_cpu_cfs_periods_total). Returns how many."""
        probe = Fault("throttle", namespace, target)
        marked = 0
        for pod in self.rt.store.list("pods", namespace):
            if self.targets(pod, probe):
                self.rt.store.mutate("pods", namespace, pod["metadata"]["name"], lambda o: o["metadata"].setdefault("annotations", {}).__setitem__(CPU_THROTTLED, str(fraction)))
                marked += 1
        self._changed()
        return marked

    def set_pvc_usage(self, namespace: str, name: str, *, used_bytes: int | None = None, fraction: float | None = None, fill_bytes_per_second: float | None = None) -> dict[str, Any]:
        """Set a PVC's used bytes (absolute or as a fraction of its capacity) and optionally a fill rate
        at which usage grows in simulated time. Figures live in annotations PVC_USED_BYTES and PVC_FILL_RATE."""
        store = self.rt.store
        pvc = store.get("persistentvolumeclaims", namespace, name)
        capacity = parse_quantity((pvc.get("status", {}).get("capacity") or pvc["spec"].get("resources", {}).get("requests") or {}).get("storage", "1Gi"))
        used = used_bytes if used_bytes is not None else int(capacity * fraction) if fraction is not None else None

        def change(obj: dict[str, Any]) -> None:
            ann = obj["metadata"].setdefault("annotations", {})
            if used is not None:
                ann[PVC_USED_BYTES] = str(min(used, capacity))
            if fill_bytes_per_second is not None:
                if fill_bytes_per_second > 0:
                    ann[PVC_FILL_RATE] = str(fill_bytes_per_second)
                else:
                    ann.pop(PVC_FILL_RATE, None)

        result = store.mutate("persistentvolumeclaims", namespace, name, change)
        self._changed()
        return result
