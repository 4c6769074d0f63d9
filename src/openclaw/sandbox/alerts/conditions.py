"""What each rule's expression yields over the simulated cluster: the series that are true now.

kube-state-metrics is scraped through a Service, so its series carry the scrape target's labels
(`pod`/`container`/`instance` of the kube-state-metrics pod itself, `namespace` monitoring) except
where the metric exports its own (`pod`, `container`, `namespace` on pod metrics). That is why
KubeDeploymentReplicasMismatch's `pod` names kube-state-metrics, not the broken workload.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from openclaw.sandbox.kube.faults import CPU_THROTTLED, PVC_USED_BYTES, parse_quantity
from openclaw.sandbox.kube.meta import parse_time
from openclaw.sandbox.kube.store import KubeStore

PROMETHEUS = "monitoring/kube-prometheus-stack-prometheus"
KSM_SERVICE = "kube-prometheus-stack-kube-state-metrics"


@dataclass(frozen=True, slots=True)
class Sample:
    rule: str
    labels: dict[str, str]
    value: float


@dataclass
class History:
    """What range functions (`max_over_time`, `changes`, `predict_linear`) need from past evaluations."""

    crashloop_seen: dict[tuple[str, ...], tuple[float, dict[str, str]]] = field(default_factory=dict)
    updated_replicas: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    pvc_available: dict[tuple[str, str], deque[tuple[float, float]]] = field(default_factory=dict)
    sts_updated: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    ds_updated: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)


def ksm_target(store: KubeStore) -> dict[str, str]:
    """The scrape-target labels of the kube-state-metrics pod (found in the cluster when it runs there)."""
    pods = [p for p in store.list("pods", "monitoring") if "kube-state-metrics" in p["metadata"]["name"]
            and p.get("status", {}).get("phase") == "Running"]
    pod = pods[0] if pods else None
    name = pod["metadata"]["name"] if pod else f"{KSM_SERVICE}-6d4cbb6f5d-x7k2p"
    ip = (pod.get("status", {}).get("podIP") if pod else None) or "10.42.0.15"
    return {"container": "kube-state-metrics", "endpoint": "http", "instance": f"{ip}:8080", "job": "kube-state-metrics",
            "namespace": "monitoring", "pod": name, "service": KSM_SERVICE}


def _ready(pod: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in pod.get("status", {}).get("conditions") or [])


def _owner_kind(pod: dict[str, Any]) -> str:
    refs = pod["metadata"].get("ownerReferences") or []
    return str(refs[0]["kind"]) if refs else "<none>"


def evaluate(store: KubeStore, now: float, history: History) -> list[Sample]:
    ksm = ksm_target(store)
    out: list[Sample] = [Sample("Watchdog", {}, 1.0)]
    pods = store.list("pods")

    # KubePodCrashLooping: max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1
    for pod in pods:
        meta = pod["metadata"]
        for cs in pod.get("status", {}).get("containerStatuses") or []:
            if (cs.get("state", {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff":
                labels = {**ksm, "namespace": meta["namespace"], "pod": meta["name"], "container": cs["name"],
                          "reason": "CrashLoopBackOff", "uid": meta["uid"]}
                history.crashloop_seen[(meta["namespace"], meta["name"], cs["name"], meta["uid"])] = (now, labels)
    for key, (seen, labels) in list(history.crashloop_seen.items()):
        if now - seen <= 300:
            out.append(Sample("KubePodCrashLooping", labels, 1.0))
        else:
            del history.crashloop_seen[key]

    # KubePodNotReady: Pending/Unknown, or Running but not Ready, for pods not owned by a Job.
    for pod in pods:
        phase = pod.get("status", {}).get("phase", "Pending")
        if _owner_kind(pod) == "Job" or phase in ("Succeeded", "Failed"):
            continue
        if phase in ("Pending", "Unknown") or (phase == "Running" and not _ready(pod)):
            meta = pod["metadata"]
            out.append(Sample("KubePodNotReady", {"namespace": meta["namespace"], "pod": meta["name"], "job": "kube-state-metrics"}, 1.0))

    # KubeDeploymentReplicasMismatch: spec > available and changes(updated[10m]) == 0.
    seen_deploys = set()
    for dep in store.list("deployments"):
        meta, spec, status = dep["metadata"], dep.get("spec", {}), dep.get("status", {})
        key = (meta["namespace"], meta["name"])
        seen_deploys.add(key)
        updated = int(status.get("updatedReplicas", 0) or 0)
        last = history.updated_replicas.get(key)
        if last is None or last[0] != updated:
            history.updated_replicas[key] = (updated, now)
        desired, available = int(spec.get("replicas", 1)), int(status.get("availableReplicas", 0) or 0)
        if desired > available and now - history.updated_replicas[key][1] >= 600:
            out.append(Sample("KubeDeploymentReplicasMismatch", {**ksm, "namespace": meta["namespace"], "deployment": meta["name"]}, float(desired)))
    for key in set(history.updated_replicas) - seen_deploys:
        del history.updated_replicas[key]

    # KubeJobFailed: kube_job_failed{condition="true"} > 0
    for job in store.list("jobs"):
        conds = job.get("status", {}).get("conditions") or []
        if any(c.get("type") == "Failed" and c.get("status") == "True" for c in conds):
            meta = job["metadata"]
            out.append(Sample("KubeJobFailed", {**ksm, "namespace": meta["namespace"], "job_name": meta["name"], "condition": "true"}, 1.0))

    # KubeNodeNotReady: Ready condition not "true" and the node not cordoned (unschedulable == 0).
    for node in store.list("nodes"):
        ready = next((c for c in node.get("status", {}).get("conditions") or [] if c.get("type") == "Ready"), None)
        if (ready is None or ready.get("status") != "True") and not node.get("spec", {}).get("unschedulable"):
            out.append(Sample("KubeNodeNotReady", {**ksm, "node": node["metadata"]["name"], "condition": "Ready", "status": "true"}, 0.0))

    out.extend(_pvc_samples(store, now, history))
    out.extend(_target_samples(store, pods))
    out.extend(_more_app_samples(store, pods, ksm, now, history))
    return out


def _changed_within(history: dict[tuple[str, str], tuple[int, float]], key: tuple[str, str], value: int, now: float) -> float:
    """Seconds since `value` last changed for `key` (what `changes(x[w]) == 0` compares with w)."""
    last = history.get(key)
    if last is None or last[0] != value:
        history[key] = (value, now)
    return now - history[key][1]


def _more_app_samples(store: KubeStore, pods: list[dict[str, Any]], ksm: dict[str, str], now: float, history: History) -> list[Sample]:
    """StatefulSets, DaemonSets, rollouts, waiting containers, long Jobs, CPU throttling, node pressure."""
    out: list[Sample] = []
    # KubeStatefulSetReplicasMismatch: ready != replicas and changes(updated[10m]) == 0
    for sts in store.list("statefulsets.apps"):
        meta, status = sts["metadata"], sts.get("status", {})
        key = (meta["namespace"], meta["name"])
        still = _changed_within(history.sts_updated, key, int(status.get("updatedReplicas", 0) or 0), now)
        if int(status.get("readyReplicas", 0) or 0) != int(sts["spec"].get("replicas", 1)) and still >= 600:
            out.append(Sample("KubeStatefulSetReplicasMismatch", {**ksm, "namespace": meta["namespace"], "statefulset": meta["name"]}, 1.0))
    # KubeDeploymentRolloutStuck: kube_deployment_status_condition{condition="Progressing", status="false"} != 0
    for dep in store.list("deployments.apps"):
        if any(c.get("type") == "Progressing" and c.get("status") == "False" for c in dep.get("status", {}).get("conditions") or []):
            meta = dep["metadata"]
            out.append(Sample("KubeDeploymentRolloutStuck", {**ksm, "namespace": meta["namespace"], "deployment": meta["name"], "condition": "Progressing", "status": "false"}, 1.0))
    # KubeDaemonSetRolloutStuck (any of four counts off, updated unchanged 5m) and KubeDaemonSetNotScheduled (desired - current > 0)
    for ds in store.list("daemonsets.apps"):
        meta, st = ds["metadata"], ds.get("status", {})
        desired, current = int(st.get("desiredNumberScheduled", 0) or 0), int(st.get("currentNumberScheduled", 0) or 0)
        updated, available = int(st.get("updatedNumberScheduled", 0) or 0), int(st.get("numberAvailable", 0) or 0)
        labels = {**ksm, "namespace": meta["namespace"], "daemonset": meta["name"]}
        still = _changed_within(history.ds_updated, (meta["namespace"], meta["name"]), updated, now)
        if (current != desired or int(st.get("numberMisscheduled", 0) or 0) != 0 or updated != desired or available != desired) and still >= 300:
            out.append(Sample("KubeDaemonSetRolloutStuck", labels, 1.0))
        if desired - current > 0:
            out.append(Sample("KubeDaemonSetNotScheduled", labels, float(desired - current)))
    # KubeContainerWaiting: kube_pod_container_status_waiting_reason{reason!="CrashLoopBackOff"} > 0
    # CPUThrottlingHigh: throttled / total CFS periods over 5m > 25 % (the fault sets the ratio per pod)
    for pod in pods:
        meta = pod["metadata"]
        for cs in pod.get("status", {}).get("containerStatuses") or []:
            reason = (cs.get("state", {}).get("waiting") or {}).get("reason")
            if reason and reason != "CrashLoopBackOff":
                out.append(Sample("KubeContainerWaiting", {**ksm, "namespace": meta["namespace"], "pod": meta["name"], "container": cs["name"], "reason": reason, "uid": meta["uid"]}, 1.0))
        throttled = float((meta.get("annotations") or {}).get(CPU_THROTTLED, 0) or 0)
        if throttled > 0.25 and pod.get("status", {}).get("phase") == "Running":
            node = pod["spec"].get("nodeName", "")
            for c in pod["spec"].get("containers") or []:
                out.append(Sample("CPUThrottlingHigh", {"namespace": meta["namespace"], "pod": meta["name"], "container": c["name"], "instance": f"{node}:10250", "service": "kube-prometheus-stack-kubelet"}, throttled))
    # KubeJobNotCompleted: active for more than 43200 s
    for job in store.list("jobs"):
        st = job.get("status", {})
        started = parse_time(st.get("startTime"))
        if int(st.get("active", 0) or 0) > 0 and started is not None and (store.clock.now() - started).total_seconds() > 43200:
            out.append(Sample("KubeJobNotCompleted", {"namespace": job["metadata"]["namespace"], "job_name": job["metadata"]["name"]}, 1.0))
    # KubeNodePressure: a pressure condition true on a node that is not cordoned
    for node in store.list("nodes"):
        if node.get("spec", {}).get("unschedulable"):
            continue
        for cond in node.get("status", {}).get("conditions") or []:
            if cond.get("type") in ("MemoryPressure", "DiskPressure", "PIDPressure") and cond.get("status") == "True":
                out.append(Sample("KubeNodePressure", {**ksm, "node": node["metadata"]["name"], "condition": cond["type"], "status": "true"}, 1.0))
    # KubePersistentVolumeErrors: kube_persistentvolume_status_phase{phase=~"Failed|Pending"} > 0
    for pv in store.list("persistentvolumes"):
        phase = pv.get("status", {}).get("phase")
        if phase in ("Failed", "Pending"):
            out.append(Sample("KubePersistentVolumeErrors", {**ksm, "persistentvolume": pv["metadata"]["name"], "phase": phase}, 1.0))
    return out


def _pvc_samples(store: KubeStore, now: float, history: History) -> list[Sample]:
    out = []
    nodes = {n["metadata"]["name"]: n for n in store.list("nodes")}
    mounted_on: dict[tuple[str, str], str] = {}
    for pod in store.list("pods"):
        for vol in pod.get("spec", {}).get("volumes") or []:
            claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            if claim and pod.get("spec", {}).get("nodeName"):
                mounted_on[(pod["metadata"]["namespace"], claim)] = pod["spec"]["nodeName"]
    for pvc in store.list("persistentvolumeclaims"):
        meta = pvc["metadata"]
        ann = meta.get("annotations") or {}
        if PVC_USED_BYTES not in ann:
            continue
        capacity = parse_quantity((pvc.get("status", {}).get("capacity") or pvc.get("spec", {}).get("resources", {}).get("requests") or {}).get("storage", "1Gi"))
        used = int(ann[PVC_USED_BYTES])
        available = max(capacity - used, 0)
        key = (meta["namespace"], meta["name"])
        samples = history.pvc_available.setdefault(key, deque())
        samples.append((now, float(available)))
        while samples and now - samples[0][0] > 6 * 3600:
            samples.popleft()
        node = mounted_on.get(key) or next(iter(nodes), "")
        ip = next((a["address"] for a in (nodes.get(node, {}).get("status", {}).get("addresses") or []) if a.get("type") == "InternalIP"), "192.168.1.10")
        labels = {"endpoint": "https-metrics", "instance": f"{ip}:10250", "job": "kubelet", "metrics_path": "/metrics",
                  "namespace": meta["namespace"], "node": node, "persistentvolumeclaim": meta["name"],
                  "service": "kube-prometheus-stack-kubelet"}
        free = available / capacity if capacity else 1.0
        if used <= 0 or (meta.get("labels") or {}).get("excluded_from_alerts") == "true" or "ReadOnlyMany" in (pvc.get("spec", {}).get("accessModes") or []):
            continue
        if free < 0.03:
            out.append(Sample("KubePersistentVolumeFillingUp:critical", labels, free))
        if free < 0.15 and len(samples) >= 2:
            (t0, a0), (t1, a1) = samples[0], samples[-1]
            slope = (a1 - a0) / (t1 - t0) if t1 > t0 else 0.0
            if a1 + slope * 4 * 24 * 3600 < 0:
                out.append(Sample("KubePersistentVolumeFillingUp:warning", labels, free))
    return out


def scraped(svc: dict[str, Any]) -> bool:
    """Services a ServiceMonitor scrapes: the stack's own (monitoring, kube-system), any with a
    `metrics` port, and any annotated `prometheus.io/scrape: "true"`."""
    meta, spec = svc["metadata"], svc.get("spec", {})
    if meta.get("namespace") in ("monitoring", "kube-system"):
        return True
    if (meta.get("annotations") or {}).get("prometheus.io/scrape") == "true":
        return True
    return any("metrics" in str(p.get("name", "")) for p in spec.get("ports") or [])


def _target_samples(store: KubeStore, pods: list[dict[str, Any]]) -> list[Sample]:
    """TargetDown: scrape targets are the pods behind scraped Services; `up` is 0 while a pod is not ready."""
    out = []
    for svc in store.list("services"):
        spec = svc.get("spec", {})
        selector = spec.get("selector") or {}
        if not selector or not scraped(svc):
            continue
        ns = svc["metadata"]["namespace"]
        targets = [p for p in pods if p["metadata"]["namespace"] == ns
                   and all((p["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())
                   and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]
        if not targets:
            continue
        down = sum(1 for p in targets if not _ready(p))
        percent = 100.0 * down / len(targets)
        if percent > 10:
            name = svc["metadata"]["name"]
            # kube-prometheus-stack's ServiceMonitors take `job` from the Service's `jobLabel` label.
            job = (svc["metadata"].get("labels") or {}).get("jobLabel", name)
            out.append(Sample("TargetDown", {"job": job, "namespace": ns, "service": name}, percent))
    return out
