"""Defaulting on create, as the apiserver fills in fields a manifest leaves out."""

from __future__ import annotations

import ipaddress
from typing import Any

from openclaw.sandbox.kube.meta import random_suffix

SERVICE_CIDR = ipaddress.ip_network("10.43.0.0/16")


def _pod_spec(spec: dict[str, Any]) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    for c in spec.get("containers") or []:
        c.setdefault("imagePullPolicy", "Always" if str(c.get("image", "")).endswith(":latest") or ":" not in str(c.get("image", "")) else "IfNotPresent")
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("resources", {})
        for p in c.get("ports") or []:
            p.setdefault("protocol", "TCP")


def _template(spec: dict[str, Any]) -> None:
    template = spec.setdefault("template", {})
    template.setdefault("metadata", {})
    _pod_spec(template.setdefault("spec", {}))


def apply_defaults(kind: str, obj: dict[str, Any], used_ips: set[str]) -> None:
    """Fill defaults in place; `used_ips` are the Service cluster IPs already allocated."""
    spec = obj.get("spec")
    if kind == "Pod":
        _pod_spec(obj.setdefault("spec", {}))
        obj.setdefault("status", {"phase": "Pending", "qosClass": "BestEffort"})
    elif kind == "Deployment":
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        strategy = spec.setdefault("strategy", {})
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            strategy.setdefault("rollingUpdate", {"maxSurge": "25%", "maxUnavailable": "25%"})
        _template(spec)
        obj.setdefault("status", {})
    elif kind in ("ReplicaSet", "StatefulSet"):
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        if kind == "StatefulSet":
            spec.setdefault("podManagementPolicy", "OrderedReady")
            spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
            spec.setdefault("serviceName", "")
        _template(spec)
        obj.setdefault("status", {"replicas": 0})
    elif kind == "DaemonSet":
        spec = obj.setdefault("spec", {})
        spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        _template(spec)
        obj.setdefault("status", {"currentNumberScheduled": 0, "desiredNumberScheduled": 0, "numberMisscheduled": 0, "numberReady": 0})
    elif kind == "Job":
        spec = obj.setdefault("spec", {})
        spec.setdefault("backoffLimit", 6)
        spec.setdefault("completions", 1)
        spec.setdefault("parallelism", 1)
        spec.setdefault("completionMode", "NonIndexed")
        spec.setdefault("suspend", False)
        template = spec.setdefault("template", {})
        template.setdefault("metadata", {})
        _pod_spec(template.setdefault("spec", {}))
        template["spec"].setdefault("restartPolicy", "Never")
        if not spec.get("selector") and not spec.get("manualSelector"):
            uid = obj["metadata"]["uid"]
            spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
            labels = template["metadata"].setdefault("labels", {})
            labels.update({"batch.kubernetes.io/controller-uid": uid, "controller-uid": uid, "batch.kubernetes.io/job-name": obj["metadata"]["name"], "job-name": obj["metadata"]["name"]})
        obj.setdefault("status", {})
    elif kind == "CronJob":
        spec = obj.setdefault("spec", {})
        spec.setdefault("concurrencyPolicy", "Allow")
        spec.setdefault("suspend", False)
        spec.setdefault("successfulJobsHistoryLimit", 3)
        spec.setdefault("failedJobsHistoryLimit", 1)
        jt = spec.setdefault("jobTemplate", {}).setdefault("spec", {})
        jt.setdefault("template", {}).setdefault("metadata", {})
        _pod_spec(jt["template"].setdefault("spec", {}))
        obj.setdefault("status", {})
    elif kind == "Service":
        spec = obj.setdefault("spec", {})
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        if "clusterIP" not in spec:
            spec["clusterIP"] = _allocate_ip(used_ips)
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        for p in spec.get("ports") or []:
            p.setdefault("protocol", "TCP")
            p.setdefault("targetPort", p.get("port"))
        obj.setdefault("status", {"loadBalancer": {}})
    elif kind == "Secret":
        obj.setdefault("type", "Opaque")
    elif kind == "Namespace":
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj.setdefault("status", {}).setdefault("phase", "Active")
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
    elif kind == "PersistentVolumeClaim":
        spec = obj.setdefault("spec", {})
        spec.setdefault("volumeMode", "Filesystem")
        spec.setdefault("storageClassName", "local-path")
        obj.setdefault("status", {"phase": "Pending"})
    elif kind == "PodDisruptionBudget":
        obj.setdefault("status", {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0, "observedGeneration": 0})
    elif kind == "Event":
        obj.setdefault("count", 1)
        obj.setdefault("type", "Normal")
    del spec


def _allocate_ip(used: set[str]) -> str:
    for _ in range(200):
        host = int.from_bytes(random_suffix(4).encode(), "big") % (SERVICE_CIDR.num_addresses - 20) + 10
        ip = str(SERVICE_CIDR.network_address + host)
        if ip not in used:
            return ip
    raise RuntimeError("service CIDR exhausted")
