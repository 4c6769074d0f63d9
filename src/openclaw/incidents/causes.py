"""What an alert is about: the workload and node it names, derived from its labels.

Two alerts share a cause when they name the same workload (namespace + owner name) or the same
node. Workload labels from kube-state-metrics (`deployment`, `statefulset`, ...) win over `pod`,
because on such alerts the `pod`/`container` labels name the kube-state-metrics pod that exported
the metric, not the broken workload (KubeDeploymentReplicasMismatch). A pod name is reduced to its
owner by the suffixes Kubernetes adds: `<deployment>-<template hash>-<5>`, `<statefulset>-<n>`,
`<daemonset or job>-<5>`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Labels that name a workload directly, in the order they are trusted.
WORKLOAD_LABELS = ("deployment", "statefulset", "daemonset", "cronjob", "job_name", "replicaset", "workload")
# Containers / scrape jobs that export metrics about other objects: their pod label is not the subject.
EXPORTERS = frozenset({"kube-state-metrics", "node-exporter", "kube-rbac-proxy", "kube-rbac-proxy-main", "kube-rbac-proxy-self", "prometheus-node-exporter"})

_KUBE_SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]"
_DEPLOYMENT_POD = re.compile(rf"^(?P<owner>.+)-{_KUBE_SUFFIX}{{6,10}}-{_KUBE_SUFFIX}{{5}}$")
_STATEFULSET_POD = re.compile(r"^(?P<owner>.+)-\d+$")
_SHORT_SUFFIX_POD = re.compile(rf"^(?P<owner>.+)-{_KUBE_SUFFIX}{{5}}$")
_REPLICASET = re.compile(rf"^(?P<owner>.+)-{_KUBE_SUFFIX}{{6,10}}$")
_CRONJOB_RUN = re.compile(r"^(?P<owner>.+)-\d{8,}$")


@dataclass(frozen=True, slots=True)
class Target:
    namespace: str | None
    workload: str | None
    node: str | None

    def describe(self) -> str | None:
        if self.workload:
            return f"{self.namespace}/{self.workload}" if self.namespace else self.workload
        return f"node {self.node}" if self.node else self.namespace


def owner_of_pod(pod: str) -> str:
    for pattern in (_DEPLOYMENT_POD, _STATEFULSET_POD, _SHORT_SUFFIX_POD):
        match = pattern.match(pod)
        if match:
            return match.group("owner")
    return pod


def _subject_pod(labels: Mapping[str, str]) -> str | None:
    pod = labels.get("pod")
    if not pod:
        return None
    if labels.get("container") in EXPORTERS:
        return None
    service = labels.get("service")
    if service and pod.startswith(service + "-"):
        return None
    return pod


def workload_of(labels: Mapping[str, str]) -> str | None:
    for key in WORKLOAD_LABELS:
        value = labels.get(key)
        if not value:
            continue
        if key == "replicaset":
            match = _REPLICASET.match(value)
            return match.group("owner") if match else value
        if key == "job_name":
            match = _CRONJOB_RUN.match(value)
            return match.group("owner") if match else value
        return value
    pod = _subject_pod(labels)
    return owner_of_pod(pod) if pod else None


def node_of(labels: Mapping[str, str]) -> str | None:
    for key in ("node", "kubernetes_node", "nodename"):
        if labels.get(key):
            return labels[key]
    if labels.get("job") in ("node-exporter", "node") and labels.get("instance"):
        return labels["instance"].rsplit(":", 1)[0]
    return None


def target_of(labels: Mapping[str, str]) -> Target:
    return Target(namespace=labels.get("namespace"), workload=workload_of(labels), node=node_of(labels))


def cause_keys(labels: Mapping[str, str]) -> list[str]:
    """The shared-cause keys of an alert: `workload:<ns>/<name>` and `node:<name>` when it names them."""
    target = target_of(labels)
    keys = []
    if target.workload:
        keys.append(f"workload:{target.namespace or ''}/{target.workload}")
    if target.node:
        keys.append(f"node:{target.node}")
    return keys
