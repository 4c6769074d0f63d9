"""The compact views runbooks and the model read, built from objects as the API serves them."""

from __future__ import annotations

from openclaw.ops.reads import job_summary, node_summary, pod_summary, workload_status
from openclaw.ops.refs import ObjectRef

CRASHING_POD = {
    "metadata": {"name": "sonarr-7d9f-abcde", "namespace": "media", "labels": {"app": "sonarr"},
                 "ownerReferences": [{"kind": "ReplicaSet", "name": "sonarr-7d9f", "controller": True}]},
    "spec": {"nodeName": "homelab-w1"},
    "status": {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "False"}],
        "containerStatuses": [{
            "name": "app", "ready": False, "restartCount": 7,
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
        }],
    },
}  # fmt: skip


def test_a_crashing_pod_summary_names_owner_restarts_and_reason() -> None:
    p = pod_summary(CRASHING_POD)
    assert (p.name, p.namespace, p.node, p.ready, p.owner, p.restarts) == ("sonarr-7d9f-abcde", "media", "homelab-w1", False, ("ReplicaSet", "sonarr-7d9f"), 7)
    assert p.waiting_reasons == ("CrashLoopBackOff",)
    assert (p.containers[0].last_exit_code, p.containers[0].last_reason) == (1, "Error")
    assert p.ref == ObjectRef("Pod", "sonarr-7d9f-abcde", "media")


def test_a_pod_without_status_is_unknown_not_an_error() -> None:
    p = pod_summary({"metadata": {"name": "x", "namespace": "media"}})
    assert (p.phase, p.ready, p.containers, p.owner) == ("Unknown", False, (), None)


def test_a_deployment_mid_rollout_is_not_healthy() -> None:
    ref = ObjectRef("Deployment", "radarr", "media")
    dep = {"metadata": {"name": "radarr", "generation": 4}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "radarr"}}},
           "status": {"observedGeneration": 3, "readyReplicas": 2, "updatedReplicas": 2}}  # fmt: skip
    assert not workload_status(ref, dep).healthy
    dep["status"]["observedGeneration"] = 4
    w = workload_status(ref, dep)
    assert w.healthy and w.selector == {"app": "radarr"}


def test_daemonset_status_uses_scheduled_counts() -> None:
    ds = {"metadata": {"generation": 1}, "spec": {}, "status": {"observedGeneration": 1, "desiredNumberScheduled": 4, "numberReady": 3, "updatedNumberScheduled": 4}}
    w = workload_status(ObjectRef("DaemonSet", "node-exporter", "monitoring"), ds)
    assert (w.desired, w.ready, w.healthy) == (4, 3, False)


def test_a_notready_cordoned_node_by_openclaw() -> None:
    n = node_summary({
        "metadata": {"name": "homelab-w2", "annotations": {"openclaw.io/cordoned-by": "openclaw"}, "labels": {"role": "worker"}},
        "spec": {"unschedulable": True, "taints": [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]},
        "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]},
    })  # fmt: skip
    assert (n.ready, n.unschedulable, n.cordoned_by_agent, n.schedulable) == (False, True, True, False)
    assert n.taints == ("node.kubernetes.io/unreachable:NoExecute",)


def test_a_failed_job_from_a_cronjob() -> None:
    j = job_summary({
        "metadata": {"name": "media-backup-29123", "namespace": "media", "ownerReferences": [{"kind": "CronJob", "name": "media-backup", "controller": True}]},
        "status": {"failed": 3, "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "lastTransitionTime": "2026-11-24T03:10:00Z"}]},
    })  # fmt: skip
    assert (j.failed_condition, j.finished, j.cronjob, j.reason, j.failed) == (True, True, "media-backup", "BackoffLimitExceeded", 3)
    assert j.finished_at is not None and j.finished_at.isoformat() == "2026-11-24T03:10:00+00:00"


def test_an_active_job_is_not_finished() -> None:
    j = job_summary({"metadata": {"name": "j", "namespace": "media"}, "status": {"active": 1}})
    assert not j.finished and j.cronjob is None
