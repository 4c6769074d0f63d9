"""The seeded homelab: nodes, namespaces, the media stack, monitoring, ArgoCD, kube-system, openclaw.

`seed(store)` fills an empty `KubeStore`; controllers then create the pods. Objects ArgoCD manages
carry its tracking label and annotation. PVC usage is in the annotation `sandbox.openclaw.dev/used-bytes`
(bytes, next to `status.capacity.storage`), which the alert source reads as kubelet_volume_stats.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from croniter import croniter

from openclaw.sandbox.kube.faults import PVC_USED_BYTES, parse_quantity
from openclaw.sandbox.kube.meta import timestamp
from openclaw.sandbox.kube.store import KubeStore

NODES = [
    # name, role, internal IP, pod CIDR octet
    ("homelab-cp", "control-plane", "192.168.1.10", 0),
    ("homelab-w1", "worker", "192.168.1.11", 1),
    ("homelab-w2", "worker", "192.168.1.12", 2),
    ("homelab-w3", "worker", "192.168.1.13", 3),
]
NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "media", "monitoring", "argocd", "openclaw"]
# app, image, port, config size, used fraction
MEDIA_APPS = [
    ("sonarr", "lscr.io/linuxserver/sonarr:4.0.14", 8989, "5Gi", 0.42),
    ("radarr", "lscr.io/linuxserver/radarr:5.21.1", 7878, "5Gi", 0.38),
    ("lidarr", "lscr.io/linuxserver/lidarr:2.10.3", 8686, "2Gi", 0.25),
    ("prowlarr", "lscr.io/linuxserver/prowlarr:1.34.1", 9696, "1Gi", 0.12),
    ("qbittorrent", "lscr.io/linuxserver/qbittorrent:5.0.4", 8080, "1Gi", 0.08),
    ("jellyseerr", "fallenbagel/jellyseerr:2.5.2", 5055, "1Gi", 0.2),
    ("jellyfin", "jellyfin/jellyfin:10.10.7", 8096, "20Gi", 0.55),
]
ARGO_INSTANCE = "app.kubernetes.io/instance"
ARGO_TRACKING = "argocd.argoproj.io/tracking-id"
BACKUP_SCHEDULE = "0 3 * * *"


def _argo(app: str, group_kind: str, namespace: str, name: str) -> tuple[dict[str, str], dict[str, str]]:
    return {ARGO_INSTANCE: app, "app.kubernetes.io/managed-by": "argocd"}, {ARGO_TRACKING: f"{app}:{group_kind}:{namespace}/{name}"}


def _deployment(namespace: str, name: str, image: str, port: int | None, *, replicas: int = 1, argo_app: str | None = None, volumes: list[tuple[str, str, str]] | None = None, labels: dict[str, str] | None = None, strategy: str = "RollingUpdate") -> dict[str, Any]:
    pod_labels = {"app.kubernetes.io/name": name, **(labels or {})}
    meta_labels = dict(pod_labels)
    annotations: dict[str, str] = {}
    if argo_app:
        extra_labels, annotations = _argo(argo_app, "apps/Deployment", namespace, name)
        meta_labels.update(extra_labels)
        pod_labels[ARGO_INSTANCE] = argo_app
    container: dict[str, Any] = {"name": "app", "image": image, "env": [{"name": "TZ", "value": "Europe/Amsterdam"}], "resources": {"requests": {"cpu": "50m", "memory": "128Mi"}}}
    if port:
        container["ports"] = [{"name": "http", "containerPort": port}]
        container["readinessProbe"] = {"httpGet": {"path": "/ping" if name not in ("jellyfin",) else "/health", "port": port}, "periodSeconds": 10}
    spec: dict[str, Any] = {"containers": [container]}
    if volumes:
        container["volumeMounts"] = [{"name": vol, "mountPath": path} for vol, _, path in volumes]
        spec["volumes"] = [{"name": vol, "persistentVolumeClaim": {"claimName": claim}} if claim else {"name": vol, "emptyDir": {}} for vol, claim, _ in volumes]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": meta_labels, "annotations": annotations},
        "spec": {"replicas": replicas, "strategy": {"type": strategy}, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}, "template": {"metadata": {"labels": pod_labels}, "spec": spec}},
    }


def _service(namespace: str, name: str, port: int, argo_app: str | None = None) -> dict[str, Any]:
    labels, annotations = _argo(argo_app, "/Service", namespace, name) if argo_app else ({}, {})
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": name, **labels}, "annotations": annotations}, "spec": {"selector": {"app.kubernetes.io/name": name}, "ports": [{"name": "http", "port": port, "targetPort": "http"}]}}


def _pvc(namespace: str, name: str, size: str, used: float, argo_app: str | None = None, mode: str = "ReadWriteOnce") -> dict[str, Any]:
    labels, annotations = _argo(argo_app, "/PersistentVolumeClaim", namespace, name) if argo_app else ({}, {})
    annotations = {**annotations, PVC_USED_BYTES: str(int(parse_quantity(size) * used))}
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": namespace, "labels": labels, "annotations": annotations}, "spec": {"accessModes": [mode], "resources": {"requests": {"storage": size}}, "storageClassName": "local-path"}}


def _daemonset(namespace: str, name: str, image: str, *, tolerate_all: bool = True, argo_app: str | None = None) -> dict[str, Any]:
    labels, annotations = _argo(argo_app, "apps/DaemonSet", namespace, name) if argo_app else ({}, {})
    spec: dict[str, Any] = {"containers": [{"name": name, "image": image}], "hostNetwork": True}
    if tolerate_all:
        spec["tolerations"] = [{"operator": "Exists"}]
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": name, **labels}, "annotations": annotations}, "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": name}}, "template": {"metadata": {"labels": {"app.kubernetes.io/name": name}}, "spec": spec}}}


def _statefulset(namespace: str, name: str, image: str, port: int, size: str, argo_app: str | None = None) -> dict[str, Any]:
    labels, annotations = _argo(argo_app, "apps/StatefulSet", namespace, name) if argo_app else ({}, {})
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": name, **labels}, "annotations": annotations},
        "spec": {
            "replicas": 1,
            "serviceName": name,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {"metadata": {"labels": {"app.kubernetes.io/name": name}}, "spec": {"containers": [{"name": name, "image": image, "ports": [{"name": "http", "containerPort": port}], "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}}],
        },
    }


def _node(name: str, role: str, ip: str, octet: int, created: str) -> dict[str, Any]:
    labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64"}
    if role == "control-plane":
        labels["node-role.kubernetes.io/control-plane"] = ""
    conditions = [
        {"type": t, "status": "False", "reason": r, "message": m, "lastHeartbeatTime": created, "lastTransitionTime": created}
        for t, r, m in (("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"), ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"), ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"))
    ]
    conditions.append({"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": created, "lastTransitionTime": created})
    capacity = {"cpu": "4" if role == "control-plane" else "8", "memory": "16318772Ki" if role == "control-plane" else "32657948Ki", "pods": "110", "ephemeral-storage": "479151816Ki"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels, "annotations": {"sandbox.openclaw.dev/pod-cidr-octet": str(octet), "node.alpha.kubernetes.io/ttl": "0"}},
        "spec": {"podCIDR": f"10.42.{octet}.0/24", "podCIDRs": [f"10.42.{octet}.0/24"], **({"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]} if role == "control-plane" else {})},
        "status": {
            "conditions": conditions,
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "capacity": capacity,
            "allocatable": capacity,
            "nodeInfo": {"machineID": f"{octet:02d}" * 16, "systemUUID": f"4c4c4544-00{octet}0-1010-8050-b2c04f4e3{octet}32", "bootID": f"9b1c7e2a-5f3d-4e8b-a1c6-0{octet}d4e5f6a7b8", "kubeletVersion": "v1.32.4", "kubeProxyVersion": "v1.32.4", "osImage": "Debian GNU/Linux 12 (bookworm)", "kernelVersion": "6.1.0-31-amd64", "containerRuntimeVersion": "containerd://1.7.24", "operatingSystem": "linux", "architecture": "amd64"},
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        },
    }


def _backdate(store: KubeStore, ref: str, namespace: str | None, name: str, created: str) -> None:
    store.mutate(ref, namespace, name, lambda o: o["metadata"].__setitem__("creationTimestamp", created))


def seed(store: KubeStore, *, age_days: int = 42) -> None:
    """Fill `store` with the homelab. Long-lived objects are backdated by `age_days`."""
    now = store.clock.now()
    created = timestamp(now - timedelta(days=age_days))
    for ns in NAMESPACES:
        store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        _backdate(store, "namespaces", None, ns, created)
    store.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
                  "volumeBindingMode": "WaitForFirstConsumer",
                  "metadata": {"name": "local-path", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}})
    for name, role, ip, octet in NODES:
        store.create(_node(name, role, ip, octet, created))
        _backdate(store, "nodes", None, name, created)
    objects: list[dict[str, Any]] = []
    # kube-system
    objects.append(_deployment("kube-system", "coredns", "registry.k8s.io/coredns/coredns:v1.11.3", 53, replicas=2, labels={"k8s-app": "kube-dns"}))
    objects.append(_deployment("kube-system", "local-path-provisioner", "rancher/local-path-provisioner:v0.0.30", None))
    objects.append(_deployment("kube-system", "metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.7.2", 10250))
    objects.append(_daemonset("kube-system", "kube-proxy", "registry.k8s.io/kube-proxy:v1.32.4"))
    objects.append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "coredns", "namespace": "kube-system"}, "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "coredns"}}}})
    objects.append(_service("kube-system", "kube-dns", 53))
    # monitoring (the kube-prometheus-stack chart, managed by ArgoCD)
    objects.append(_statefulset("monitoring", "prometheus-kube-prometheus-stack-prometheus", "quay.io/prometheus/prometheus:v3.2.1", 9090, "50Gi", "kube-prometheus-stack"))
    objects.append(_statefulset("monitoring", "alertmanager-kube-prometheus-stack-alertmanager", "quay.io/prometheus/alertmanager:v0.28.1", 9093, "1Gi", "kube-prometheus-stack"))
    objects.append(_deployment("monitoring", "kube-prometheus-stack-grafana", "docker.io/grafana/grafana:11.5.2", 3000, argo_app="kube-prometheus-stack"))
    objects.append(_deployment("monitoring", "kube-prometheus-stack-kube-state-metrics", "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0", 8080, argo_app="kube-prometheus-stack"))
    objects.append(_daemonset("monitoring", "kube-prometheus-stack-prometheus-node-exporter", "quay.io/prometheus/node-exporter:v1.9.0", argo_app="kube-prometheus-stack"))
    # argocd
    for name, image in (("argocd-server", "quay.io/argoproj/argocd:v2.14.8"), ("argocd-repo-server", "quay.io/argoproj/argocd:v2.14.8"), ("argocd-redis", "public.ecr.aws/docker/library/redis:7.4.2-alpine")):
        objects.append(_deployment("argocd", name, image, 8080))
    objects.append(_statefulset("argocd", "argocd-application-controller", "quay.io/argoproj/argocd:v2.14.8", 8082, "1Gi"))
    # media
    objects.append(_pvc("media", "media-library", "4Ti", 0.71, "media-storage", "ReadWriteMany"))
    for app, image, port, size, used in MEDIA_APPS:
        objects.append(_pvc("media", f"{app}-config", size, used, app))
        volumes = [("config", f"{app}-config", "/config"), ("media", "media-library", "/data")]
        if app == "qbittorrent":
            volumes.append(("tmp", "", "/tmp"))
        # The bjw-s app-template chart deploys with Recreate: a ReadWriteOnce config volume cannot be shared by two pods.
        objects.append(_deployment("media", app, image, port, argo_app=app, volumes=volumes, strategy="Recreate"))
        objects.append(_service("media", app, port, app))
    backup_labels, backup_annotations = _argo("media-backup", "batch/CronJob", "media", "media-backup")
    objects.append(
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "media-backup", "namespace": "media", "labels": {"app.kubernetes.io/name": "media-backup", **backup_labels}, "annotations": backup_annotations},
            "spec": {
                "schedule": BACKUP_SCHEDULE,
                "concurrencyPolicy": "Forbid",
                "jobTemplate": {"spec": {"backoffLimit": 2, "template": {"metadata": {"labels": {"app.kubernetes.io/name": "media-backup"}}, "spec": {"restartPolicy": "Never", "containers": [{"name": "restic", "image": "docker.io/restic/restic:0.17.3", "args": ["backup", "/config"]}]}}}},
            },
        }
    )
    # openclaw itself
    objects.append(_deployment("openclaw", "openclaw", "ghcr.io/openclaw/openclaw:latest", 18789, argo_app="openclaw"))
    objects.append(_service("openclaw", "openclaw", 18789, "openclaw"))
    for app, *_ in MEDIA_APPS:
        objects.append(_application(app, "media"))
    for app, namespace in (("kube-prometheus-stack", "monitoring"), ("media-backup", "media"), ("media-storage", "media"), ("openclaw", "openclaw")):
        objects.append(_application(app, namespace))
    for obj in objects:
        made = store.create(obj)
        ref = store.registry.for_object(made).key
        _backdate(store, ref, made["metadata"].get("namespace"), made["metadata"]["name"], created)
    last = croniter(BACKUP_SCHEDULE, now).get_prev(datetime)
    store.mutate("cronjobs.batch", "media", "media-backup", lambda o: o.setdefault("status", {}).__setitem__("lastScheduleTime", timestamp(last)))


def _application(app: str, namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": app, "namespace": "argocd"},
        "spec": {"project": "default", "source": {"repoURL": "https://git.homelab.local/homelab/cluster.git", "path": f"apps/{namespace}/{app}", "targetRevision": "main"}, "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace}, "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}},
        "status": {"sync": {"status": "Synced", "revision": "4f2c9e1"}, "health": {"status": "Healthy"}},
    }
