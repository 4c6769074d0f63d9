"""`as=Table` responses: the columns and cells kubectl prints for each kind, as the apiserver's printers compute them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from openclaw.sandbox.kube.meta import parse_time
from openclaw.sandbox.kube.selectors import selector_string

Column = tuple[str, str, int]  # name, type, priority (1 = only with -o wide)


def human_duration(seconds: float) -> str:
    """kubectl's HumanDuration: 45s, 5m10s, 3h20m, 2d4h, 400d."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    return f"{hours // (24 * 365)}y{(hours // 24) % 365}d"


class Printer:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def age(self, stamp: str | None) -> str:
        moment = parse_time(stamp)
        return "<unknown>" if moment is None else human_duration((self.now - moment).total_seconds())

    # ---- per kind -----------------------------------------------------------------------------
    def pod(self, o: dict[str, Any]) -> list[Any]:
        status = o.get("status") or {}
        reason = status.get("reason") or status.get("phase") or "Unknown"
        statuses = status.get("containerStatuses") or []
        restarts, ready, last_restart = 0, 0, None
        for cs in reversed(statuses):
            restarts += int(cs.get("restartCount", 0))
            finished = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
            if finished and (last_restart is None or finished > last_restart):
                last_restart = finished
            state = cs.get("state") or {}
            if state.get("waiting", {}).get("reason"):
                reason = state["waiting"]["reason"]
            elif "terminated" in state:
                term = state["terminated"]
                reason = term.get("reason") or (f"Signal:{term['signal']}" if term.get("signal") else f"ExitCode:{term.get('exitCode')}")
            elif "running" in state and cs.get("ready"):
                ready += 1
        if reason == "Completed" and any("running" in (cs.get("state") or {}) for cs in statuses):
            reason = "Running" if any(c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions") or []) else "NotReady"
        if o["metadata"].get("deletionTimestamp"):
            reason = "Terminating"
        restart_text = str(restarts)
        if restarts and last_restart:
            restart_text = f"{restarts} ({self.age(last_restart)} ago)"
        node = o["spec"].get("nodeName") or "<none>"
        ip = status.get("podIP") or "<none>"
        gates = o["spec"].get("readinessGates")
        return [o["metadata"]["name"], f"{ready}/{len(o['spec'].get('containers') or [])}", reason, restart_text, self.age(o["metadata"].get("creationTimestamp")), ip, node, status.get("nominatedNodeName") or "<none>", "<none>" if not gates else str(len(gates))]

    def _containers(self, spec: dict[str, Any]) -> tuple[str, str]:
        containers = spec.get("containers") or []
        return ",".join(c["name"] for c in containers), ",".join(c.get("image", "") for c in containers)

    def deployment(self, o: dict[str, Any]) -> list[Any]:
        s, spec = o.get("status") or {}, o["spec"]
        names, images = self._containers(spec["template"]["spec"])
        return [o["metadata"]["name"], f"{s.get('readyReplicas', 0)}/{spec.get('replicas', 1)}", s.get("updatedReplicas", 0), s.get("availableReplicas", 0), self.age(o["metadata"].get("creationTimestamp")), names, images, selector_string(spec.get("selector"))]

    def replicaset(self, o: dict[str, Any]) -> list[Any]:
        s, spec = o.get("status") or {}, o["spec"]
        names, images = self._containers(spec["template"]["spec"])
        return [o["metadata"]["name"], spec.get("replicas", 1), s.get("replicas", 0), s.get("readyReplicas", 0), self.age(o["metadata"].get("creationTimestamp")), names, images, selector_string(spec.get("selector"))]

    def statefulset(self, o: dict[str, Any]) -> list[Any]:
        s, spec = o.get("status") or {}, o["spec"]
        names, images = self._containers(spec["template"]["spec"])
        return [o["metadata"]["name"], f"{s.get('readyReplicas', 0)}/{spec.get('replicas', 1)}", self.age(o["metadata"].get("creationTimestamp")), names, images]

    def daemonset(self, o: dict[str, Any]) -> list[Any]:
        s, spec = o.get("status") or {}, o["spec"]
        names, images = self._containers(spec["template"]["spec"])
        selector = ",".join(f"{k}={v}" for k, v in (spec["template"]["spec"].get("nodeSelector") or {}).items()) or "<none>"
        return [o["metadata"]["name"], s.get("desiredNumberScheduled", 0), s.get("currentNumberScheduled", 0), s.get("numberReady", 0), s.get("updatedNumberScheduled", 0), s.get("numberAvailable", 0), selector, self.age(o["metadata"].get("creationTimestamp")), names, images, selector_string(spec.get("selector"))]

    def job(self, o: dict[str, Any]) -> list[Any]:
        s, spec = o.get("status") or {}, o["spec"]
        conds = {c["type"]: c["status"] for c in s.get("conditions") or []}
        state = "Complete" if conds.get("Complete") == "True" else "Failed" if conds.get("Failed") == "True" else "Suspended" if spec.get("suspend") else "FailureTarget" if conds.get("FailureTarget") == "True" else "Running"
        start, end = parse_time(s.get("startTime")), parse_time(s.get("completionTime"))
        duration = human_duration(((end or self.now) - start).total_seconds()) if start else ""
        names, images = self._containers(spec["template"]["spec"])
        return [o["metadata"]["name"], state, f"{s.get('succeeded', 0)}/{spec.get('completions', 1)}", duration, self.age(o["metadata"].get("creationTimestamp")), names, images, selector_string(spec.get("selector"))]

    def cronjob(self, o: dict[str, Any]) -> list[Any]:
        s, spec = o.get("status") or {}, o["spec"]
        last = s.get("lastScheduleTime")
        names, images = self._containers(spec["jobTemplate"]["spec"]["template"]["spec"])
        return [o["metadata"]["name"], spec.get("schedule"), spec.get("timeZone") or "<none>", str(bool(spec.get("suspend"))), len(s.get("active") or []), self.age(last) if last else "<none>", self.age(o["metadata"].get("creationTimestamp")), names, images, "<none>"]

    def node(self, o: dict[str, Any]) -> list[Any]:
        s = o.get("status") or {}
        ready = next((c for c in s.get("conditions") or [] if c["type"] == "Ready"), None)
        state = "Ready" if ready and ready["status"] == "True" else "NotReady" if ready else "Unknown"
        if o["spec"].get("unschedulable"):
            state += ",SchedulingDisabled"
        labels = o["metadata"].get("labels") or {}
        roles = sorted(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/")) or ["<none>"]
        info = s.get("nodeInfo") or {}
        addr = {a["type"]: a["address"] for a in s.get("addresses") or []}
        return [o["metadata"]["name"], state, ",".join(roles), self.age(o["metadata"].get("creationTimestamp")), info.get("kubeletVersion", ""), addr.get("InternalIP", "<none>"), addr.get("ExternalIP", "<none>"), info.get("osImage", ""), info.get("kernelVersion", ""), info.get("containerRuntimeVersion", "")]

    def namespace(self, o: dict[str, Any]) -> list[Any]:
        return [o["metadata"]["name"], (o.get("status") or {}).get("phase", "Active"), self.age(o["metadata"].get("creationTimestamp"))]

    def service(self, o: dict[str, Any]) -> list[Any]:
        spec = o["spec"]
        ports = ",".join(f"{p['port']}{'/' + str(p['nodePort']) if p.get('nodePort') else ''}/{p.get('protocol', 'TCP')}" for p in spec.get("ports") or []) or "<none>"
        ingress = ((o.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        external = ",".join(i.get("ip", "") for i in ingress) or ("<pending>" if spec.get("type") == "LoadBalancer" else "<none>")
        selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items())) or "<none>"
        return [o["metadata"]["name"], spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"), external, ports, self.age(o["metadata"].get("creationTimestamp")), selector]

    def configmap(self, o: dict[str, Any]) -> list[Any]:
        return [o["metadata"]["name"], len(o.get("data") or {}) + len(o.get("binaryData") or {}), self.age(o["metadata"].get("creationTimestamp"))]

    def secret(self, o: dict[str, Any]) -> list[Any]:
        return [o["metadata"]["name"], o.get("type", "Opaque"), len(o.get("data") or {}), self.age(o["metadata"].get("creationTimestamp"))]

    def pvc(self, o: dict[str, Any]) -> list[Any]:
        s, spec = o.get("status") or {}, o["spec"]
        modes = ",".join({"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}.get(m, m) for m in s.get("accessModes") or [])
        return [o["metadata"]["name"], s.get("phase", "Pending"), spec.get("volumeName", ""), (s.get("capacity") or {}).get("storage", ""), modes, spec.get("storageClassName", "<unset>"), spec.get("volumeAttributesClassName") or "<unset>", self.age(o["metadata"].get("creationTimestamp")), spec.get("volumeMode", "Filesystem")]

    def volumeattachment(self, o: dict[str, Any]) -> list[Any]:
        spec = o.get("spec") or {}
        return [o["metadata"]["name"], spec.get("attacher", ""), (spec.get("source") or {}).get("persistentVolumeName", ""), spec.get("nodeName", ""),
                bool((o.get("status") or {}).get("attached")), self.age(o["metadata"].get("creationTimestamp"))]

    def event(self, o: dict[str, Any]) -> list[Any]:
        inv = o.get("involvedObject") or {}
        last = o.get("lastTimestamp") or o.get("eventTime") or o["metadata"].get("creationTimestamp")
        source = (o.get("source") or {}).get("component", "")
        return [self.age(last), o.get("type", ""), o.get("reason", ""), f"{str(inv.get('kind', '')).lower()}/{inv.get('name', '')}", inv.get("fieldPath", ""), source, o.get("message", ""), self.age(o.get("firstTimestamp")), o.get("count", 1), o["metadata"]["name"]]

    def lease(self, o: dict[str, Any]) -> list[Any]:
        return [o["metadata"]["name"], (o.get("spec") or {}).get("holderIdentity", "<none>"), self.age(o["metadata"].get("creationTimestamp"))]

    def pdb(self, o: dict[str, Any]) -> list[Any]:
        spec, s = o["spec"], o.get("status") or {}
        return [o["metadata"]["name"], str(spec.get("minAvailable", "N/A")), str(spec.get("maxUnavailable", "N/A")), s.get("disruptionsAllowed", 0), self.age(o["metadata"].get("creationTimestamp"))]

    def application(self, o: dict[str, Any]) -> list[Any]:
        s = o.get("status") or {}
        return [o["metadata"]["name"], (s.get("sync") or {}).get("status", "Unknown"), (s.get("health") or {}).get("status", "Unknown"), self.age(o["metadata"].get("creationTimestamp"))]

    def default(self, o: dict[str, Any]) -> list[Any]:
        return [o["metadata"]["name"], self.age(o["metadata"].get("creationTimestamp"))]


S, I = "string", "integer"
COLUMNS: dict[str, tuple[list[Column], Callable[[Printer, dict[str, Any]], list[Any]]]] = {
    "Pod": ([("Name", S, 0), ("Ready", S, 0), ("Status", S, 0), ("Restarts", S, 0), ("Age", S, 0), ("IP", S, 1), ("Node", S, 1), ("Nominated Node", S, 1), ("Readiness Gates", S, 1)], Printer.pod),
    "Deployment": ([("Name", S, 0), ("Ready", S, 0), ("Up-to-date", I, 0), ("Available", I, 0), ("Age", S, 0), ("Containers", S, 1), ("Images", S, 1), ("Selector", S, 1)], Printer.deployment),
    "ReplicaSet": ([("Name", S, 0), ("Desired", I, 0), ("Current", I, 0), ("Ready", I, 0), ("Age", S, 0), ("Containers", S, 1), ("Images", S, 1), ("Selector", S, 1)], Printer.replicaset),
    "StatefulSet": ([("Name", S, 0), ("Ready", S, 0), ("Age", S, 0), ("Containers", S, 1), ("Images", S, 1)], Printer.statefulset),
    "DaemonSet": ([("Name", S, 0), ("Desired", I, 0), ("Current", I, 0), ("Ready", I, 0), ("Up-to-date", I, 0), ("Available", I, 0), ("Node Selector", S, 0), ("Age", S, 0), ("Containers", S, 1), ("Images", S, 1), ("Selector", S, 1)], Printer.daemonset),
    "Job": ([("Name", S, 0), ("Status", S, 0), ("Completions", S, 0), ("Duration", S, 0), ("Age", S, 0), ("Containers", S, 1), ("Images", S, 1), ("Selector", S, 1)], Printer.job),
    "CronJob": ([("Name", S, 0), ("Schedule", S, 0), ("Timezone", S, 0), ("Suspend", "boolean", 0), ("Active", I, 0), ("Last Schedule", S, 0), ("Age", S, 0), ("Containers", S, 1), ("Images", S, 1), ("Selector", S, 1)], Printer.cronjob),
    "Node": ([("Name", S, 0), ("Status", S, 0), ("Roles", S, 0), ("Age", S, 0), ("Version", S, 0), ("Internal-IP", S, 1), ("External-IP", S, 1), ("OS-Image", S, 1), ("Kernel-Version", S, 1), ("Container-Runtime", S, 1)], Printer.node),
    "Namespace": ([("Name", S, 0), ("Status", S, 0), ("Age", S, 0)], Printer.namespace),
    "Service": ([("Name", S, 0), ("Type", S, 0), ("Cluster-IP", S, 0), ("External-IP", S, 0), ("Port(s)", S, 0), ("Age", S, 0), ("Selector", S, 1)], Printer.service),
    "ConfigMap": ([("Name", S, 0), ("Data", I, 0), ("Age", S, 0)], Printer.configmap),
    "Secret": ([("Name", S, 0), ("Type", S, 0), ("Data", I, 0), ("Age", S, 0)], Printer.secret),
    "PersistentVolumeClaim": ([("Name", S, 0), ("Status", S, 0), ("Volume", S, 0), ("Capacity", S, 0), ("Access Modes", S, 0), ("StorageClass", S, 0), ("VolumeAttributesClass", S, 0), ("Age", S, 0), ("VolumeMode", S, 1)], Printer.pvc),
    "VolumeAttachment": ([("Name", S, 0), ("Attacher", S, 0), ("PV", S, 0), ("Node", S, 0), ("Attached", "boolean", 0), ("Age", S, 0)], Printer.volumeattachment),
    "Event": ([("Last Seen", S, 0), ("Type", S, 0), ("Reason", S, 0), ("Object", S, 0), ("Subobject", S, 1), ("Source", S, 1), ("Message", S, 0), ("First Seen", S, 1), ("Count", S, 1), ("Name", S, 1)], Printer.event),
    "Lease": ([("Name", S, 0), ("Holder", S, 0), ("Age", S, 0)], Printer.lease),
    "PodDisruptionBudget": ([("Name", S, 0), ("Min Available", S, 0), ("Max Unavailable", S, 0), ("Allowed Disruptions", I, 0), ("Age", S, 0)], Printer.pdb),
    "Application": ([("Name", S, 0), ("Sync Status", S, 0), ("Health Status", S, 0), ("Age", S, 0)], Printer.application),
}
DEFAULT: tuple[list[Column], Callable[[Printer, dict[str, Any]], list[Any]]] = ([("Name", S, 0), ("Age", S, 0)], Printer.default)


def table(kind: str, objects: list[dict[str, Any]], now: datetime, *, resource_version: str, include: str = "Metadata", continue_token: str | None = None, remaining: int | None = None) -> dict[str, Any]:
    """A `meta.k8s.io/v1` Table of `objects`; each row carries the object or its metadata per `include`."""
    columns, render = COLUMNS.get(kind, DEFAULT)
    printer = Printer(now)
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": render(printer, obj)}
        if include == "Object":
            row["object"] = obj
        elif include != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}
        rows.append(row)
    meta: dict[str, Any] = {"resourceVersion": resource_version}
    if continue_token:
        meta["continue"] = continue_token
    if remaining is not None:
        meta["remainingItemCount"] = remaining
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": [{"name": n, "type": t, "format": "name" if n == "Name" else "", "description": "", "priority": p} for n, t, p in columns],
        "rows": rows,
    }
