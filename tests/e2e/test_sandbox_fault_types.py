"""Each scenario fault type shows what a real cluster and kube-prometheus show: the status fields and
events kubectl would print, and the alert the rule fires (at the gateway's webhook shape)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from openclaw.sandbox import scenario as scenarios
from openclaw.sandbox.runtime import Sandbox, SandboxOptions

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
async def box() -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(SandboxOptions(speed=3000))
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


async def fire(box: Sandbox, fault: dict[str, Any], alert: str, labels: dict[str, str], within: str = "2h") -> scenarios.ScenarioRun:
    """Install a one-fault scenario and wait until `alert` with `labels` reached the webhook."""
    loaded = scenarios.parse({"name": "fault", "description": "one fault", "faults": [fault],
                              "expect": {"alerts": [{"alertname": alert, "labels": labels, "within": within}]}})
    assert await scenarios.settle(box)
    run = scenarios.ScenarioRun(loaded, box)
    run.install()
    deadline = time.monotonic() + 40
    while scenarios.expectations(run)[0]:
        assert time.monotonic() < deadline, f"{alert} did not fire; firing: {box.alerts.firing()}"
        await asyncio.sleep(0.05)
    return run


def pods(box: Sandbox, namespace: str, prefix: str) -> list[dict[str, Any]]:
    return [p for p in box.cluster.store.list("pods", namespace) if p["metadata"]["name"].startswith(prefix) and not p["metadata"].get("deletionTimestamp")]


def waiting(pod: dict[str, Any]) -> dict[str, Any]:
    return (pod["status"]["containerStatuses"][0].get("state") or {}).get("waiting") or {}


def events_of(box: Sandbox, namespace: str, name: str) -> list[tuple[str, str, str]]:
    return [(e.get("type", ""), e["reason"], e.get("message", "")) for e in box.cluster.store.list("events", namespace)
            if e["involvedObject"]["name"] == name]


def sent_alert(box: Sandbox, name: str) -> dict[str, Any]:
    return next(a for body in box.alerts.sent for a in body["alerts"] if a["labels"]["alertname"] == name and a["status"] == "firing")


async def until(check: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.05)
    return value


async def test_oomkilled_exits_137_with_reason_oomkilled(box: Sandbox) -> None:
    await fire(box, {"type": "crashloop", "namespace": "media", "target": "sonarr", "reason": "OOMKilled", "fixedByRestart": False},
               "KubePodCrashLooping", {"namespace": "media"})
    [pod] = pods(box, "media", "sonarr-")
    last = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (137, "OOMKilled")
    assert waiting(pod)["reason"] == "CrashLoopBackOff"


async def test_an_image_that_cannot_be_pulled_backs_off_and_the_container_waits(box: Sandbox) -> None:
    image = "ghcr.io/home-operations/sonarr:4.0.99-typo"
    await fire(box, {"type": "image-pull", "namespace": "media", "workload": "Deployment/sonarr", "image": image},
               "KubeContainerWaiting", {"namespace": "media", "reason": "ImagePullBackOff"})
    [pod] = [p for p in pods(box, "media", "sonarr-") if p["spec"]["containers"][0]["image"] == image]
    assert waiting(pod)["reason"] == "ImagePullBackOff" and pod["status"]["phase"] == "Pending"
    assert ("Warning", "Failed", f'Failed to pull image "{image}": manifest unknown') in events_of(box, "media", pod["metadata"]["name"])
    # the rollout made no progress for progressDeadlineSeconds: the controller says so, and the rule fires
    await until(lambda: any(a["labels"]["alertname"] == "KubeDeploymentRolloutStuck" for b in box.alerts.sent for a in b["alerts"]), timeout=40)
    dep = box.cluster.store.get("deployments", "media", "sonarr")
    progressing = next(c for c in dep["status"]["conditions"] if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")


async def test_a_missing_secret_is_create_container_config_error(box: Sandbox) -> None:
    await fire(box, {"type": "missing-config", "namespace": "media", "workload": "Deployment/radarr", "kind": "secret", "name": "radarr-api-key"},
               "KubeContainerWaiting", {"namespace": "media", "reason": "CreateContainerConfigError"})
    [pod] = [p for p in pods(box, "media", "radarr-") if waiting(p).get("reason") == "CreateContainerConfigError"]
    assert waiting(pod)["message"] == 'secret "radarr-api-key" not found'
    assert ("Warning", "Failed", 'Error: secret "radarr-api-key" not found') in events_of(box, "media", pod["metadata"]["name"])


async def test_requests_no_node_can_meet_leave_the_pod_pending_insufficient(box: Sandbox) -> None:
    await fire(box, {"type": "resource-request", "namespace": "media", "workload": "Deployment/jellyfin", "memory": "64Gi"},
               "KubePodNotReady", {"namespace": "media"})
    [pod] = [p for p in pods(box, "media", "jellyfin-") if not p["spec"].get("nodeName")]
    cond = next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")
    assert (cond["status"], cond["reason"]) == ("False", "Unschedulable") and "Insufficient memory" in cond["message"]
    assert any(r == "FailedScheduling" and "Insufficient memory" in m for _t, r, m in events_of(box, "media", pod["metadata"]["name"]))


async def test_a_claim_of_a_missing_storage_class_stays_pending_and_so_does_its_pod(box: Sandbox) -> None:
    await fire(box, {"type": "pvc-pending", "namespace": "media", "workload": "Deployment/lidarr", "claim": "lidarr-cache", "storageClass": "fast-ssd"},
               "KubePodNotReady", {"namespace": "media"})
    pvc = box.cluster.store.get("persistentvolumeclaims", "media", "lidarr-cache")
    assert pvc["status"]["phase"] == "Pending"
    assert ("Warning", "ProvisioningFailed", 'storageclass.storage.k8s.io "fast-ssd" not found') in events_of(box, "media", "lidarr-cache")
    [pod] = [p for p in pods(box, "media", "lidarr-") if not p["spec"].get("nodeName")]
    assert any(r == "FailedScheduling" and "unbound immediate PersistentVolumeClaims" in m for _t, r, m in events_of(box, "media", pod["metadata"]["name"]))


@pytest.mark.parametrize(("condition", "taint"), [("DiskPressure", "node.kubernetes.io/disk-pressure"), ("MemoryPressure", "node.kubernetes.io/memory-pressure")])
async def test_node_pressure_sets_the_condition_and_taint_and_fires_kube_node_pressure(box: Sandbox, condition: str, taint: str) -> None:
    await fire(box, {"type": "node-pressure", "node": "homelab-w2", "condition": condition}, "KubeNodePressure", {"node": "homelab-w2", "condition": condition})
    node = box.cluster.store.get("nodes", None, "homelab-w2")
    assert next(c for c in node["status"]["conditions"] if c["type"] == condition)["status"] == "True"
    assert {"key": taint, "effect": "NoSchedule"}.items() <= next(t for t in node["spec"]["taints"] if t["key"] == taint).items()
    assert sent_alert(box, "KubeNodePressure")["labels"]["severity"] == "info"


async def test_readiness_failures_carry_their_own_probe_message(box: Sandbox) -> None:
    message = 'Readiness probe failed: Get "http://10.42.1.12:8989/ping": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
    await fire(box, {"type": "unready", "namespace": "media", "target": "sonarr", "message": message}, "KubePodNotReady", {"namespace": "media"})
    [pod] = pods(box, "media", "sonarr-")
    assert ("Warning", "Unhealthy", message) in events_of(box, "media", pod["metadata"]["name"])


async def test_cpu_throttling_fires_cpu_throttling_high(box: Sandbox) -> None:
    await fire(box, {"type": "cpu-throttling", "namespace": "media", "target": "jellyfin", "fraction": 0.8}, "CPUThrottlingHigh", {"namespace": "media"})
    alert = sent_alert(box, "CPUThrottlingHigh")
    assert alert["labels"]["pod"].startswith("jellyfin-") and alert["annotations"]["description"].startswith("80% throttling of CPU")


async def test_a_job_that_hangs_fires_kube_job_not_completed_after_twelve_hours(box: Sandbox) -> None:
    await fire(box, {"type": "job-hang", "namespace": "media", "cronjob": "media-backup"}, "KubeJobNotCompleted", {"namespace": "media"}, within="14h")
    job = next(j for j in box.cluster.store.list("jobs", "media"))
    assert job["status"].get("active") == 1 and not job["status"].get("conditions")


async def test_statefulset_pods_mount_their_claims_and_a_mismatch_fires(box: Sandbox) -> None:
    await fire(box, {"type": "crashloop", "namespace": "monitoring", "target": "alertmanager-kube-prometheus-stack-alertmanager", "fixedByRestart": False},
               "KubeStatefulSetReplicasMismatch", {"namespace": "monitoring", "statefulset": "alertmanager-kube-prometheus-stack-alertmanager"})
    [pod] = pods(box, "monitoring", "alertmanager-")
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v]
    assert claims == ["data-alertmanager-kube-prometheus-stack-alertmanager-0"]


async def test_a_daemonset_rollout_to_a_bad_image_is_stuck(box: Sandbox) -> None:
    await fire(box, {"type": "image-pull", "namespace": "monitoring", "workload": "DaemonSet/kube-prometheus-stack-prometheus-node-exporter",
                     "image": "quay.io/prometheus/node-exporter:v9.9.9"}, "KubeDaemonSetRolloutStuck", {"namespace": "monitoring"})


async def test_a_node_that_recovers_posts_ready_again(box: Sandbox) -> None:
    await fire(box, {"type": "node-not-ready", "node": "homelab-w3", "recoverAfter": "40m"}, "KubeNodeNotReady", {"node": "homelab-w3"})
    await until(lambda: any(c["type"] == "Ready" and c["status"] == "True" for c in box.cluster.store.get("nodes", None, "homelab-w3")["status"]["conditions"]))


async def test_a_node_lost_with_its_volume_attached_leaves_the_replacement_in_multi_attach(tmp_path: Any) -> None:
    from openclaw.ops.client import KubeClient

    box = Sandbox(SandboxOptions(speed=3000, kubeconfig=tmp_path / "kubeconfig"))
    await box.start()
    try:
        run = await fire(box, {"type": "multi-attach", "namespace": "media", "target": "sonarr"}, "KubeNodeNotReady", {})
        store = box.cluster.store
        [old] = pods(box, "media", "sonarr-")
        lost = old["spec"]["nodeName"]
        volume = store.get("persistentvolumeclaims", "media", "sonarr-config")["spec"]["volumeName"]
        assert volume.startswith("pvc-") and run.injected
        # What `kubectl get volumeattachment` reads, through the API server as any client would.
        kube = KubeClient.connect(tmp_path / "kubeconfig", timeout_s=5)
        try:
            [attachment] = [a for a in await kube.list("VolumeAttachment") if a["spec"]["source"]["persistentVolumeName"] == volume]
        finally:
            await kube.aclose()
        assert attachment["apiVersion"] == "storage.k8s.io/v1" and attachment["metadata"]["name"].startswith("csi-")
        assert (attachment["spec"]["nodeName"], attachment["spec"]["attacher"], attachment["status"]["attached"]) == (lost, "driver.longhorn.io", True)
        # The old pod is deleted (what `kubectl delete pod` or the taint manager does); its replacement lands elsewhere.
        store.delete("pods", "media", old["metadata"]["name"])
        new = await until(lambda: next((p for p in pods(box, "media", "sonarr-") if p["spec"].get("nodeName") not in (None, lost)
                                        and any(e[1] == "FailedMount" for e in events_of(box, "media", p["metadata"]["name"]))), None))
        name = new["metadata"]["name"]
        new = store.get("pods", "media", name)
        assert new["status"]["phase"] == "Pending" and waiting(new) == {"reason": "ContainerCreating"}
        assert "podIP" not in new["status"]
        assert next(c for c in new["status"]["conditions"] if c["type"] == "PodReadyToStartContainers")["status"] == "False"
        seen = events_of(box, "media", name)
        assert ("Warning", "FailedAttachVolume", f'Multi-Attach error for volume "{volume}" Volume is already exclusively attached to one node '
                "and can't be attached to another") in seen
        attach_event = next(e for e in store.list("events", "media") if e["involvedObject"]["name"] == name and e["reason"] == "FailedAttachVolume")
        assert attach_event["source"] == {"component": "attachdetach-controller"}
        assert any(r == "FailedMount" and m.startswith("Unable to attach or mount volumes: unmounted volumes=[config]") for _t, r, m in seen)
        # Deleting the stale attachment lets the volume attach to the new node, and the pod starts.
        store.delete("volumeattachments.storage.k8s.io", None, attachment["metadata"]["name"])
        await until(lambda: store.get("pods", "media", name)["status"]["phase"] == "Running")
        [now_attached] = [a for a in store.list("volumeattachments.storage.k8s.io") if a["spec"]["source"]["persistentVolumeName"] == volume]
        assert now_attached["spec"]["nodeName"] == new["spec"]["nodeName"]
        assert ("Normal", "SuccessfulAttachVolume", f'AttachVolume.Attach succeeded for volume "{volume}"') in events_of(box, "media", name)
    finally:
        await box.stop()
