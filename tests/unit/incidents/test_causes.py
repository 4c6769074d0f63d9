"""What an alert is about, from its labels (real kube-prometheus alerts included)."""

from __future__ import annotations

import pytest

from ingest_bodies import DATA, fixture_alert
from openclaw.incidents.causes import cause_keys, node_of, owner_of_pod, workload_of


def labels_of(name: str) -> dict[str, str]:
    return fixture_alert(DATA / "payloads" / f"holmesgpt-alert-{name}.json")["labels"]


def test_replicas_mismatch_names_the_deployment_not_kube_state_metrics() -> None:
    labels = labels_of("KubeDeploymentReplicasMismatch")
    assert labels["pod"].startswith("robusta-kube-state-metrics")
    assert workload_of(labels) == "user-profile-resources"


def test_the_not_ready_pod_of_that_deployment_has_the_same_cause() -> None:
    assert cause_keys(labels_of("KubePodNotReady")) == cause_keys(labels_of("KubeDeploymentReplicasMismatch")) == ["workload:default/user-profile-resources"]


def test_crashlooping_pod_maps_to_its_deployment() -> None:
    assert workload_of(labels_of("KubePodCrashLooping")) == "payment-processing-worker"


def test_watchdog_names_no_workload_or_node() -> None:
    assert cause_keys(labels_of("Watchdog")) == []


@pytest.mark.parametrize(
    ("pod", "owner"),
    [
        ("web-7d9c8b6f5d-x2x4z", "web"),
        ("postgres-0", "postgres"),
        ("redis-cluster-12", "redis-cluster"),
        ("node-exporter-8wxq2", "node-exporter"),
        ("nginx-proxy", "nginx-proxy"),  # no generated suffix (vowels never appear in one)
        ("standalone", "standalone"),
    ],
)
def test_pod_names_reduce_to_their_owner(pod: str, owner: str) -> None:
    assert owner_of_pod(pod) == owner


def test_workload_labels_win_in_order_and_are_normalized() -> None:
    assert workload_of({"statefulset": "db", "pod": "other-0"}) == "db"
    assert workload_of({"replicaset": "web-7d9c8b6f5d"}) == "web"
    assert workload_of({"job_name": "backup-29150400"}) == "backup"
    assert workload_of({"daemonset": "fluent-bit"}) == "fluent-bit"


def test_an_exporter_pod_label_is_not_the_subject() -> None:
    assert workload_of({"pod": "kube-state-metrics-6d8f7c5b9c-q2w4r", "container": "kube-state-metrics"}) is None
    assert workload_of({"pod": "robusta-ksm-6d8f7c5b9c-q2w4r", "service": "robusta-ksm"}) is None


def test_nodes_come_from_node_labels_or_the_node_exporter_instance() -> None:
    assert node_of({"node": "worker-1"}) == "worker-1"
    assert node_of({"job": "node-exporter", "instance": "worker-2:9100"}) == "worker-2"
    assert node_of({"job": "kubelet", "instance": "10.0.0.1:10250"}) is None
    assert cause_keys({"namespace": "media", "pod": "sonarr-5c9d7b8f6d-kq2vx", "node": "worker-1"}) == ["workload:media/sonarr", "node:worker-1"]
