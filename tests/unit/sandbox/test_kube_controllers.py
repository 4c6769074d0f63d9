"""Sandbox controllers driven by simulated time: jobs, cron schedules, node health, volume fill, crash loops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from openclaw.sandbox import homelab
from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.kube.controllers.cronjobs import CronJobs
from openclaw.sandbox.kube.faults import PVC_USED_BYTES
from openclaw.sandbox.simclock import SimClock


@pytest.fixture
async def cluster(tmp_path: Any) -> AsyncIterator[SandboxCluster]:
    running = SandboxCluster(clock=SimClock(speed=50.0), seed=homelab.seed, serve=False)
    await running.start()
    yield running
    await running.stop()


async def until(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := predicate()):
        assert loop.time() < deadline, "condition not met before the deadline"
        await asyncio.sleep(0.02)
    return value


def condition(obj: dict[str, Any], type_: str) -> dict[str, Any] | None:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c["type"] == type_), None)


async def test_seeded_pods_all_become_ready(cluster: SandboxCluster) -> None:
    await until(lambda: all((condition(p, "Ready") or {}).get("status") == "True" for p in cluster.store.list("pods")))
    await until(lambda: all(d["status"].get("availableReplicas") == d["spec"]["replicas"] for d in cluster.store.list("deployments")))
    expected = sum(d["spec"]["replicas"] for d in cluster.store.list("deployments")) + sum(s["spec"]["replicas"] for s in cluster.store.list("statefulsets")) + 4 * len(cluster.store.list("daemonsets"))
    assert len(cluster.store.list("pods")) == expected
    assert {p["spec"]["nodeName"] for p in cluster.store.list("pods", "media")} <= {"homelab-w1", "homelab-w2", "homelab-w3"}


async def test_cronjob_creates_a_job_at_its_schedule_and_it_completes(cluster: SandboxCluster) -> None:
    cj = cluster.store.get("cronjobs.batch", "media", "media-backup")
    due = cluster.controller(CronJobs).next_run(cj)
    cluster.advance((due - cluster.clock.now()).total_seconds() + 1)
    job = await until(lambda: cluster.store.list("jobs.batch", "media"))
    assert job[0]["metadata"]["ownerReferences"][0]["name"] == "media-backup"
    await until(lambda: (condition(cluster.store.get("jobs.batch", "media", job[0]["metadata"]["name"]), "Complete") or {}).get("status") == "True")
    await until(lambda: cluster.store.get("cronjobs.batch", "media", "media-backup")["status"].get("lastSuccessfulTime"))


async def test_failing_job_retries_then_fails_with_backoff_limit(cluster: SandboxCluster) -> None:
    cluster.faults.fail_jobs("media", "media-backup")
    cj = cluster.store.get("cronjobs.batch", "media", "media-backup")
    job = cluster.store.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "backup-manual", "namespace": "media", "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "media-backup", "uid": cj["metadata"]["uid"], "controller": True}]}, "spec": cj["spec"]["jobTemplate"]["spec"]})
    failed = await until(lambda: condition(cluster.store.get("jobs.batch", "media", job["metadata"]["name"]), "Failed"), timeout=15)
    assert failed["reason"] == "BackoffLimitExceeded"
    status = cluster.store.get("jobs.batch", "media", "backup-manual")["status"]
    assert status["failed"] == 3  # backoffLimit 2: the first try and two retries
    pod = cluster.store.list("pods", "media", label_selector="job-name=backup-manual")[0]
    assert "destination unreachable" in cluster.logs.read(pod["metadata"]["uid"], "restic")


async def test_node_not_ready_makes_its_pods_unready_and_back(cluster: SandboxCluster) -> None:
    await until(lambda: all((condition(p, "Ready") or {}).get("status") == "True" for p in cluster.store.list("pods")))
    cluster.faults.set_node_ready("homelab-w2", False)
    node = cluster.store.get("nodes", None, "homelab-w2")
    assert condition(node, "Ready")["status"] == "Unknown"  # type: ignore[index]
    assert {t["key"] for t in node["spec"]["taints"]} == {"node.kubernetes.io/unreachable"}
    assert [e["reason"] for e in cluster.store.list("events", "default", field_selector="involvedObject.name=homelab-w2")] == ["NodeNotReady"]
    on_node = lambda: cluster.store.list("pods", field_selector="spec.nodeName=homelab-w2")  # noqa: E731
    await until(lambda: all((condition(p, "Ready") or {}).get("status") == "False" for p in on_node()))
    cluster.faults.set_node_ready("homelab-w2", True)
    await until(lambda: all((condition(p, "Ready") or {}).get("status") == "True" for p in on_node()))
    assert "taints" not in cluster.store.get("nodes", None, "homelab-w2")["spec"]


async def test_crashloop_fixed_by_restart_is_cured_by_deleting_the_pod(cluster: SandboxCluster) -> None:
    pod = (await until(lambda: cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=sonarr")))[0]
    cluster.faults.crashloop("media", "sonarr", fixed_by_restart=True)
    name = pod["metadata"]["name"]
    await until(lambda: cluster.store.get("pods", "media", name)["status"]["containerStatuses"][0]["restartCount"] >= 1)
    waiting = cluster.store.get("pods", "media", name)["status"]["containerStatuses"][0]["state"]
    assert waiting["waiting"]["reason"] == "CrashLoopBackOff"
    cluster.store.delete("pods", "media", name, grace_period=0)
    fresh = await until(lambda: [p for p in cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=sonarr") if (condition(p, "Ready") or {}).get("status") == "True"])
    cluster.advance(30)
    await asyncio.sleep(0.1)
    assert cluster.store.get("pods", "media", fresh[0]["metadata"]["name"])["status"]["containerStatuses"][0]["restartCount"] == 0


async def test_crashloop_not_fixed_by_restart_follows_new_pods(cluster: SandboxCluster) -> None:
    await until(lambda: cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=radarr"))
    cluster.faults.crashloop("media", "radarr", fixed_by_restart=False)
    for pod in cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=radarr"):
        cluster.store.delete("pods", "media", pod["metadata"]["name"], grace_period=0)
    await until(lambda: any(cs["restartCount"] >= 1 for p in cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=radarr") for cs in p["status"].get("containerStatuses") or []))
    dep = await until(lambda: (d := cluster.store.get("deployments.apps", "media", "radarr"))["status"].get("availableReplicas", 0) == 0 and d)
    assert dep["status"]["unavailableReplicas"] == 1


async def test_pvc_fill_rate_grows_usage_up_to_capacity(cluster: SandboxCluster) -> None:
    await until(lambda: cluster.store.get("persistentvolumeclaims", "media", "sonarr-config")["status"].get("phase") == "Bound")
    cluster.faults.set_pvc_usage("media", "sonarr-config", fraction=0.9, fill_bytes_per_second=10 * 2**20)
    start = int(cluster.store.get("persistentvolumeclaims", "media", "sonarr-config")["metadata"]["annotations"][PVC_USED_BYTES])
    assert start == int(5 * 2**30 * 0.9)
    cluster.advance(60)
    await until(lambda: int(cluster.store.get("persistentvolumeclaims", "media", "sonarr-config")["metadata"]["annotations"][PVC_USED_BYTES]) > start)
    for _ in range(20):
        cluster.advance(60)
        await asyncio.sleep(0.01)
    assert int(cluster.store.get("persistentvolumeclaims", "media", "sonarr-config")["metadata"]["annotations"][PVC_USED_BYTES]) == 5 * 2**30


async def test_scaling_a_statefulset_adds_ordinal_pods_with_claims(cluster: SandboxCluster) -> None:
    cluster.store.patch("statefulsets.apps", "monitoring", "alertmanager-kube-prometheus-stack-alertmanager", {"spec": {"replicas": 2}}, "merge")
    await until(lambda: cluster.store.find("pods", "monitoring", "alertmanager-kube-prometheus-stack-alertmanager-1"))
    assert cluster.store.find("persistentvolumeclaims", "monitoring", "data-alertmanager-kube-prometheus-stack-alertmanager-1") is not None


async def test_events_expire_an_hour_after_last_seen(cluster: SandboxCluster) -> None:
    await until(lambda: all((condition(p, "Ready") or {}).get("status") == "True" for p in cluster.store.list("pods")))
    assert cluster.store.list("events", "media")
    cluster.advance(3601)
    await until(lambda: not cluster.store.list("events", "media"))


async def test_every_object_the_controllers_write_matches_the_kubernetes_schema(cluster: SandboxCluster) -> None:
    from openclaw.sandbox.kube.fieldcheck import FieldChecker

    cluster.faults.crashloop("media", "sonarr")
    cluster.faults.set_node_ready("homelab-w3", False)
    cluster.store.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "fails", "namespace": "media"}, "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}})
    cluster.faults.fail_jobs("media", "fails")
    await until(lambda: condition(cluster.store.get("jobs.batch", "media", "fails"), "Failed"))
    await until(lambda: any(cs["restartCount"] for p in cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=sonarr") for cs in p["status"].get("containerStatuses") or []))
    checker = FieldChecker()
    problems = [(t.kind, o["metadata"]["name"], checker.problems(o)) for t in cluster.store.registry.types for o in cluster.store.list(t)]
    assert [p for p in problems if p[2] != ([], [])] == []
    assert len(problems) > 100


async def test_recreate_strategy_removes_old_pods_before_new_ones_start(cluster: SandboxCluster) -> None:
    await until(lambda: cluster.store.get("deployments.apps", "media", "lidarr")["status"].get("availableReplicas") == 1)
    cluster.store.patch("deployments.apps", "media", "lidarr", {"spec": {"strategy": {"type": "Recreate", "rollingUpdate": None}}}, "merge")
    old = {p["metadata"]["uid"] for p in cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=lidarr")}
    seen_overlap: list[bool] = []
    unsubscribe = cluster.store.subscribe(lambda ch: seen_overlap.append(ch.rtype.kind == "Pod" and ch.type == "ADDED" and "lidarr" in ch.obj["metadata"]["name"] and any(cluster.store.find("pods", "media", p["metadata"]["name"]) for p in cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=lidarr") if p["metadata"]["uid"] in old)))
    cluster.store.patch("deployments.apps", "media", "lidarr", {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "now"}}}}})
    uids = lambda: {p["metadata"]["uid"] for p in cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=lidarr")}  # noqa: E731
    await until(lambda: uids() and not uids() & old and (d := cluster.store.get("deployments.apps", "media", "lidarr"))["status"].get("availableReplicas") == 1 and d["status"]["observedGeneration"] == d["metadata"]["generation"])
    unsubscribe()
    assert not any(seen_overlap)


async def test_a_bad_image_tag_leaves_the_new_pod_in_image_pull_backoff_until_rolled_back(cluster: SandboxCluster) -> None:
    await until(lambda: cluster.store.get("deployments.apps", "media", "prowlarr")["status"].get("availableReplicas") == 1)
    good = cluster.store.get("deployments.apps", "media", "prowlarr")["spec"]["template"]["spec"]["containers"][0]["image"]
    cluster.faults.bad_image("lscr.io/linuxserver/prowlarr:1.99.9")
    cluster.store.patch("deployments.apps", "media", "prowlarr", {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "lscr.io/linuxserver/prowlarr:1.99.9"}]}}}})

    def waiting_reason() -> str | None:
        for pod in cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=prowlarr"):
            for cs in pod["status"].get("containerStatuses") or []:
                if cs["image"].endswith("1.99.9"):
                    return str((cs["state"].get("waiting") or {}).get("reason"))
        return None

    await until(lambda: waiting_reason() == "ImagePullBackOff")
    assert cluster.store.get("deployments.apps", "media", "prowlarr")["status"].get("availableReplicas", 0) == 0
    cluster.store.patch("deployments.apps", "media", "prowlarr", {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": good}]}}}})
    await until(lambda: (d := cluster.store.get("deployments.apps", "media", "prowlarr"))["status"].get("availableReplicas") == 1 and d["status"]["observedGeneration"] == d["metadata"]["generation"] and waiting_reason() is None)


async def test_a_paused_deployment_does_not_roll_until_resumed(cluster: SandboxCluster) -> None:
    await until(lambda: cluster.store.get("deployments.apps", "media", "jellyfin")["status"].get("availableReplicas") == 1)
    before = {rs["metadata"]["name"] for rs in cluster.store.list("replicasets.apps", "media", label_selector="app.kubernetes.io/name=jellyfin")}
    cluster.store.patch("deployments.apps", "media", "jellyfin", {"spec": {"paused": True}}, "merge")
    cluster.store.patch("deployments.apps", "media", "jellyfin", {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "now"}}}}})
    await asyncio.sleep(0.3)
    assert {rs["metadata"]["name"] for rs in cluster.store.list("replicasets.apps", "media", label_selector="app.kubernetes.io/name=jellyfin")} == before
    cluster.store.patch("deployments.apps", "media", "jellyfin", {"spec": {"paused": None}}, "merge")
    await until(lambda: len(cluster.store.list("replicasets.apps", "media", label_selector="app.kubernetes.io/name=jellyfin")) == 2)


async def test_a_job_past_its_active_deadline_fails(cluster: SandboxCluster) -> None:
    cluster.store.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "slow", "namespace": "media"}, "spec": {"activeDeadlineSeconds": 30, "template": {"metadata": {"annotations": {"sandbox.openclaw.dev/run-seconds": "3600"}}, "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}})
    await until(lambda: cluster.store.list("pods", "media", label_selector="job-name=slow"))
    cluster.advance(31)
    failed = await until(lambda: condition(cluster.store.get("jobs.batch", "media", "slow"), "Failed"))
    assert failed["reason"] == "DeadlineExceeded"
    await until(lambda: not [p for p in cluster.store.list("pods", "media", label_selector="job-name=slow") if not p["metadata"].get("deletionTimestamp")])
