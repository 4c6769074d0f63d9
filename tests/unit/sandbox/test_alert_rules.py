"""The alert source fires kube-prometheus rules over the simulated cluster like Prometheus + AlertManager."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openclaw.sandbox.alerts.dispatcher import Dispatcher
from openclaw.sandbox.alerts.fingerprint import fingerprint
from openclaw.sandbox.alerts.rules import load_rules, render
from openclaw.sandbox.alerts.source import AlertSource
from openclaw.sandbox.kube.faults import PVC_USED_BYTES
from openclaw.sandbox.kube.store import KubeStore
from openclaw.sandbox.simclock import SimClock

DATA = Path(__file__).resolve().parents[2] / "data" / "alerts"


@pytest.mark.parametrize("name", ["Watchdog", "KubePodCrashLooping"])
def test_fingerprint_matches_alertmanager_for_real_alerts(name: str) -> None:
    raw = json.loads((DATA / f"holmesgpt-alert-{name}.json").read_text())["raw"]
    assert fingerprint(raw["labels"]) == raw["fingerprint"]


def test_fingerprint_matches_for_the_replicas_mismatch_alert() -> None:
    raw = json.loads((DATA / "holmesgpt-alert-KubeDeploymentReplicasMismatch.json").read_text())
    assert fingerprint(raw["labels"]) == raw["fingerprint"]


def test_annotations_render_like_prometheus_templates() -> None:
    rules = load_rules()
    labels = {"namespace": "media", "pod": "sonarr-7d9f-abcde", "container": "sonarr"}
    assert render(rules["KubePodCrashLooping"].annotations["description"], labels, 1) == (
        'Pod media/sonarr-7d9f-abcde (sonarr) is in waiting state (reason: "CrashLoopBackOff") on cluster .')
    pvc = render(rules["KubePersistentVolumeFillingUp:critical"].annotations["description"], {"persistentvolumeclaim": "jellyfin-config", "namespace": "media"}, 0.0213)
    assert pvc.endswith("is only 2.13% free.") and "Cluster" not in pvc


class Cluster:
    """A bare store on a stepped clock: objects written as the controllers would leave them."""

    def __init__(self) -> None:
        self.clock = SimClock(speed=1e-9)
        self.store = KubeStore(self.clock)
        self.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "media"}})
        self.source = AlertSource(self.store, self.clock, dispatcher=Dispatcher(group_wait=30, group_interval=300, repeat_interval=3600))

    def step(self, seconds: float, every: float = 30) -> list[dict[str, Any]]:
        before = len(self.source.sent)
        done = 0.0
        while done < seconds:
            self.clock.advance(every)
            self.source.tick()
            done += every
        return self.source.sent[before:]

    def crashing_pod(self) -> None:
        self.store.create({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "sonarr-7d9f-abcde", "namespace": "media", "labels": {"app": "sonarr"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "sonarr-7d9f", "uid": "u1", "controller": True}]},
            "spec": {"containers": [{"name": "sonarr", "image": "ghcr.io/home-operations/sonarr:4.0.14"}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
                       "containerStatuses": [{"name": "sonarr", "ready": False, "restartCount": 4, "image": "x", "imageID": "",
                                              "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]},
        })


def names(bodies: list[dict[str, Any]]) -> list[str]:
    return [b["groupLabels"]["alertname"] for b in bodies]


def test_watchdog_fires_after_group_wait_and_repeats_at_repeat_interval() -> None:
    c = Cluster()
    first = c.step(60)
    assert names(first) == ["Watchdog"]
    body = first[0]
    assert body["version"] == "4" and body["status"] == "firing" and body["groupKey"] == '{}:{alertname="Watchdog"}'
    assert body["alerts"][0]["endsAt"] == "0001-01-01T00:00:00Z" and body["alerts"][0]["labels"]["severity"] == "none"
    assert names(c.step(1800)) == []
    assert names(c.step(1800)) == ["Watchdog"]


def test_the_sandbox_routes_watchdog_to_repeat_every_five_minutes_and_leaves_other_groups_at_the_root_repeat() -> None:
    from openclaw.sandbox.runtime import AlertTimings

    c = Cluster()
    c.source.dispatcher.routes = AlertTimings().routes
    first = c.step(60)
    assert names(first) == ["Watchdog"] and first[0]["groupKey"] == '{}/{alertname="Watchdog"}:{alertname="Watchdog"}'
    c.crashing_pod()
    sent = c.step(3000)
    watchdog = [b for b in sent if names([b]) == ["Watchdog"]]
    crashloop = [b for b in sent if names([b]) == ["KubePodCrashLooping"]]
    assert len(watchdog) == 10  # every 5 simulated minutes
    assert len(crashloop) == 1  # an unchanged group waits for the root's repeat_interval (1 h in this cluster)
    assert names(c.step(3600)).count("KubePodCrashLooping") == 1  # then re-sent, once


def test_crashloop_fires_only_after_its_for_duration_then_resolves() -> None:
    c = Cluster()
    c.step(60)
    c.crashing_pod()
    assert "KubePodCrashLooping" not in names(c.step(14 * 60))
    fired = [b for b in c.step(6 * 60) if b["groupLabels"]["alertname"] == "KubePodCrashLooping"]
    assert len(fired) == 1
    alert = fired[0]["alerts"][0]
    assert fired[0]["groupLabels"] == {"alertname": "KubePodCrashLooping", "namespace": "media"}
    assert {k: alert["labels"][k] for k in ("pod", "container", "reason", "job", "severity")} == {
        "pod": "sonarr-7d9f-abcde", "container": "sonarr", "reason": "CrashLoopBackOff", "job": "kube-state-metrics", "severity": "warning"}
    assert alert["fingerprint"] == fingerprint(alert["labels"]) and "generatorURL" in alert
    c.store.delete("pods", "media", "sonarr-7d9f-abcde")
    # max_over_time(...[5m]) keeps the series true for five minutes after the pod is gone.
    resolved = [b for b in c.step(15 * 60) if b["groupLabels"]["alertname"] == "KubePodCrashLooping"]
    assert resolved and resolved[0]["status"] == "resolved" and resolved[0]["alerts"][0]["endsAt"] != "0001-01-01T00:00:00Z"


def test_replicas_mismatch_names_kube_state_metrics_in_pod_and_container() -> None:
    c = Cluster()
    c.store.create({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "radarr", "namespace": "media"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "radarr"}},
                 "template": {"metadata": {"labels": {"app": "radarr"}}, "spec": {"containers": [{"name": "radarr", "image": "radarr"}]}}},
        "status": {"replicas": 1, "updatedReplicas": 1, "availableReplicas": 0},
    })
    fired = [b for b in c.step(30 * 60) if b["groupLabels"]["alertname"] == "KubeDeploymentReplicasMismatch"]
    labels = fired[0]["alerts"][0]["labels"]
    assert labels["deployment"] == "radarr" and labels["namespace"] == "media"
    assert labels["container"] == "kube-state-metrics" and labels["pod"].startswith("kube-prometheus-stack-kube-state-metrics")


def test_pvc_almost_full_fires_critical_after_one_minute() -> None:
    c = Cluster()
    c.store.create({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": "jellyfin-config", "namespace": "media", "annotations": {PVC_USED_BYTES: str(int(9.9 * 2**30))}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}},
        "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}},
    })
    fired = [b for b in c.step(5 * 60) if b["groupLabels"]["alertname"] == "KubePersistentVolumeFillingUp"]
    assert fired and fired[0]["commonLabels"]["severity"] == "critical"
    assert fired[0]["commonLabels"]["persistentvolumeclaim"] == "jellyfin-config" and fired[0]["commonLabels"]["job"] == "kubelet"


def second_crashing_pod(c: Cluster, name: str) -> None:
    c.store.create({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "media", "labels": {"app": "radarr"}},
        "spec": {"containers": [{"name": "radarr", "image": "radarr"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
                   "containerStatuses": [{"name": "radarr", "ready": False, "restartCount": 2, "image": "x", "imageID": "",
                                          "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]},
    })


def test_alerts_of_one_group_go_out_together_and_a_late_one_waits_for_the_group_interval() -> None:
    c = Cluster()
    c.crashing_pod()
    second_crashing_pod(c, "radarr-5c8d-fghij")
    first = [b for b in c.step(20 * 60) if b["groupLabels"]["alertname"] == "KubePodCrashLooping"]
    assert len(first) == 1 and len(first[0]["alerts"]) == 2
    assert first[0]["commonLabels"]["namespace"] == "media" and "pod" not in first[0]["commonLabels"]
    assert first[0]["commonAnnotations"]["summary"] == "Pod is crash looping." and "description" not in first[0]["commonAnnotations"]
    second_crashing_pod(c, "lidarr-77f9-klmno")
    # Pending for 15 minutes, then it joins the group and goes out at the group's next 5-minute tick.
    later = [b for b in c.step(25 * 60) if b["groupLabels"]["alertname"] == "KubePodCrashLooping"]
    assert len(later) == 1 and len(later[0]["alerts"]) == 3


def test_node_not_ready_is_silent_while_the_node_is_cordoned() -> None:
    c = Cluster()
    c.store.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "homelab-w2"}, "spec": {"unschedulable": True},
                    "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}})
    assert "KubeNodeNotReady" not in names(c.step(30 * 60))
    c.store.patch("nodes", None, "homelab-w2", {"spec": {"unschedulable": None}}, "merge")
    fired = [b for b in c.step(20 * 60) if b["groupLabels"]["alertname"] == "KubeNodeNotReady"]
    labels = fired[0]["alerts"][0]["labels"]
    assert labels["node"] == "homelab-w2" and labels["namespace"] == "monitoring" and labels["condition"] == "Ready"


def test_failed_job_alert_names_the_job_and_clears_when_the_job_is_deleted() -> None:
    c = Cluster()
    c.store.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "media-backup-29000000", "namespace": "media"},
                    "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "restic", "image": "restic"}]}}},
                    "status": {"failed": 3, "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}})
    fired = [b for b in c.step(20 * 60) if b["groupLabels"]["alertname"] == "KubeJobFailed"]
    assert fired[0]["alerts"][0]["labels"]["job_name"] == "media-backup-29000000"
    assert fired[0]["alerts"][0]["annotations"]["summary"] == "Job failed to complete."
    c.store.delete("jobs", "media", "media-backup-29000000", propagation="Background")
    resolved = [b for b in c.step(10 * 60) if b["groupLabels"]["alertname"] == "KubeJobFailed"]
    assert resolved[0]["status"] == "resolved"


def fixture_labels(name: str) -> dict[str, str]:
    raw = json.loads((DATA / f"holmesgpt-alert-{name}.json").read_text())
    return dict(raw["raw"]["labels"] if "raw" in raw else raw["labels"])


def test_label_sets_match_alerts_captured_from_kube_prometheus_stack() -> None:
    c = Cluster()
    c.crashing_pod()
    c.store.create({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "radarr", "namespace": "media"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "radarr"}},
                 "template": {"metadata": {"labels": {"app": "radarr"}}, "spec": {"containers": [{"name": "radarr", "image": "radarr"}]}}},
        "status": {"replicas": 1, "updatedReplicas": 1, "availableReplicas": 0},
    })
    bodies = c.step(30 * 60)
    by_name = {b["groupLabels"]["alertname"]: b["alerts"][0]["labels"] for b in bodies}
    for name in ("KubePodCrashLooping", "KubeDeploymentReplicasMismatch", "Watchdog"):
        assert set(by_name[name]) == set(fixture_labels(name)), name
    assert by_name["Watchdog"] == {"alertname": "Watchdog", "severity": "none", "prometheus": "monitoring/kube-prometheus-stack-prometheus"}
