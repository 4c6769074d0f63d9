"""The real kubectl against the sandbox cluster: each command, then the cluster state it should leave."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from openclaw.sandbox import homelab
from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.simclock import SimClock
import polling

# The sandbox's rollouts take a few simulated steps; these waits allow 20 s unless a test says otherwise.
wait_for = functools.partial(polling.wait_for, timeout=20.0)

KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    home = tmp_path_factory.mktemp("kube")
    running = SandboxCluster(clock=SimClock(speed=4.0), seed=homelab.seed, kubeconfig=home / "config").start_in_thread()
    yield running
    running.stop_thread()


@pytest.fixture(scope="module")
def kubectl(cluster: SandboxCluster) -> Callable[..., subprocess.CompletedProcess[str]]:
    assert cluster.kubeconfig_path is not None
    home = cluster.kubeconfig_path.parent
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HOME": str(home), "KUBECONFIG": str(cluster.kubeconfig_path), "KUBECACHEDIR": str(home / "cache")}

    def run(*args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([KUBECTL, *args], env=env, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({done.returncode}): {done.stderr}")
        return done

    return run




def pods(cluster: SandboxCluster, namespace: str | None = None, selector: str | None = None, field: str | None = None) -> list[dict[str, Any]]:
    return cluster.call(cluster.store.list, "pods", namespace, label_selector=selector, field_selector=field)


def ready(pod: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod.get("status", {}).get("conditions") or []) and not pod["metadata"].get("deletionTimestamp")


def test_get_pods_all_namespaces_lists_every_namespace(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    wait_for(lambda: all(ready(p) for p in pods(cluster)) and pods(cluster))
    out = kubectl("get", "pods", "-A").stdout.splitlines()
    assert out[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    namespaces = {line.split()[0] for line in out[1:]}
    assert {"media", "kube-system", "monitoring", "argocd", "openclaw"} <= namespaces
    assert len(out) - 1 == len(pods(cluster))


def test_get_pods_wide_shows_ip_and_node(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    out = kubectl("get", "pods", "-n", "media", "-o", "wide").stdout.splitlines()
    assert out[0].split()[:7] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]
    by_name = {p["metadata"]["name"]: p for p in pods(cluster, "media")}
    for line in out[1:]:
        cells = line.split()
        assert cells[5] == by_name[cells[0]]["status"]["podIP"]
        assert cells[6] == by_name[cells[0]]["spec"]["nodeName"]
    assert {c.split("-")[0] for c in (line.split()[0] for line in out[1:])} >= {"sonarr", "radarr", "lidarr", "prowlarr", "qbittorrent", "jellyseerr", "jellyfin"}


def test_describe_pod_shows_node_and_events(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    pod = pods(cluster, "media", "app.kubernetes.io/name=prowlarr")[0]
    text = kubectl("describe", "pod", "-n", "media", pod["metadata"]["name"]).stdout
    assert f"Node:             {pod['spec']['nodeName']}/" in text
    assert "Status:           Running" in text
    assert "Scheduled" in text and "Started" in text
    assert "ClaimName:  prowlarr-config" in text


def test_logs_prints_container_output_and_previous_after_crash(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    pod = pods(cluster, "media", "app.kubernetes.io/name=jellyseerr")[0]
    name = pod["metadata"]["name"]
    assert "Application started." in kubectl("logs", "-n", "media", name).stdout
    cluster.call(cluster.faults.crashloop, "media", "jellyseerr", message="Error: SQLITE_CORRUPT: database disk image is malformed")
    try:
        wait_for(lambda: any(cs.get("restartCount", 0) >= 1 for cs in cluster.call(cluster.store.get, "pods", "media", name)["status"]["containerStatuses"]), timeout=30)
        assert "SQLITE_CORRUPT" in kubectl("logs", "-n", "media", name, "--previous").stdout
        status = wait_for(lambda: [line for line in kubectl("get", "pod", "-n", "media", name).stdout.splitlines() if "CrashLoopBackOff" in line])
        assert status
    finally:
        cluster.call(cluster.faults.clear, "media", "jellyseerr")
        kubectl("delete", "pod", "-n", "media", name)


def test_delete_pod_is_recreated_by_its_replicaset(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    old = pods(cluster, "media", "app.kubernetes.io/name=radarr")[0]["metadata"]["name"]
    kubectl("delete", "pod", "-n", "media", old)
    assert cluster.call(cluster.store.find, "pods", "media", old) is None
    fresh = wait_for(lambda: [p for p in pods(cluster, "media", "app.kubernetes.io/name=radarr") if ready(p)])
    assert fresh[0]["metadata"]["name"] != old
    assert fresh[0]["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"


def test_delete_pod_server_dry_run_deletes_nothing(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    pod = pods(cluster, "media", "app.kubernetes.io/name=lidarr")[0]
    out = kubectl("delete", "pod", "-n", "media", pod["metadata"]["name"], "--dry-run=server").stdout
    assert "(server dry run)" in out
    deletes = cluster.requests.find(method="DELETE", path=pod["metadata"]["name"])
    assert deletes and all(r.dry_run and not r.is_mutation for r in deletes)
    still = cluster.call(cluster.store.get, "pods", "media", pod["metadata"]["name"])
    assert still["metadata"]["uid"] == pod["metadata"]["uid"]
    assert not still["metadata"].get("deletionTimestamp")


def test_rollout_restart_rolls_new_pods_and_status_completes(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    before = {p["metadata"]["uid"] for p in pods(cluster, "media", "app.kubernetes.io/name=sonarr")}
    kubectl("rollout", "restart", "deployment/sonarr", "-n", "media")
    done = kubectl("rollout", "status", "deployment/sonarr", "-n", "media", "--timeout=60s")
    assert 'deployment "sonarr" successfully rolled out' in done.stdout
    dep = cluster.call(cluster.store.get, "deployments.apps", "media", "sonarr")
    assert "kubectl.kubernetes.io/restartedAt" in dep["spec"]["template"]["metadata"]["annotations"]
    patches = cluster.requests.find(method="PATCH", path="/apis/apps/v1/namespaces/media/deployments/sonarr")
    assert patches and patches[-1].content_type.startswith("application/strategic-merge-patch+json") and patches[-1].status == 200
    assert dep["status"]["observedGeneration"] == dep["metadata"]["generation"]
    assert dep["status"]["updatedReplicas"] == dep["status"]["availableReplicas"] == 1
    live = [p for p in pods(cluster, "media", "app.kubernetes.io/name=sonarr") if ready(p)]
    assert live and not {p["metadata"]["uid"] for p in live} & before


def test_cordon_and_uncordon_toggle_unschedulable(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    kubectl("cordon", "homelab-w2")
    assert cluster.call(cluster.store.get, "nodes", None, "homelab-w2")["spec"].get("unschedulable") is True
    assert "Ready,SchedulingDisabled" in kubectl("get", "node", "homelab-w2").stdout
    kubectl("uncordon", "homelab-w2")
    assert not cluster.call(cluster.store.get, "nodes", None, "homelab-w2")["spec"].get("unschedulable")


def test_drain_evicts_everything_but_daemonsets_and_they_reschedule(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    node = "homelab-w1"
    wait_for(lambda: all(ready(p) for p in pods(cluster)))
    evictable = [p for p in pods(cluster, field=f"spec.nodeName={node}") if p["metadata"]["ownerReferences"][0]["kind"] != "DaemonSet"]
    assert evictable
    try:
        out = kubectl("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s", timeout=90)
        assert f"node/{node} drained" in out.stdout
        left = pods(cluster, field=f"spec.nodeName={node}")
        assert left and all(p["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet" for p in left)
        assert cluster.call(cluster.store.get, "nodes", None, node)["spec"]["unschedulable"] is True
        wait_for(lambda: all(ready(p) for p in pods(cluster)) and all(p["spec"]["nodeName"] != node for p in pods(cluster) if p["metadata"]["ownerReferences"][0]["kind"] != "DaemonSet"))
    finally:
        kubectl("uncordon", node)


def test_eviction_refused_when_disruption_budget_allows_none(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "jellyfin", "namespace": "media"}, "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "jellyfin"}}}}
    cluster.call(cluster.store.create, pdb)
    try:
        pod = pods(cluster, "media", "app.kubernetes.io/name=jellyfin")[0]
        node = pod["spec"]["nodeName"]
        out = kubectl("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--pod-selector=app.kubernetes.io/name=jellyfin", "--timeout=3s", check=False)
        assert out.returncode != 0
        assert "disruption budget" in out.stderr
        assert cluster.call(cluster.store.get, "pods", "media", pod["metadata"]["name"])["metadata"]["uid"] == pod["metadata"]["uid"]
    finally:
        cluster.call(cluster.store.delete, "poddisruptionbudgets.policy", "media", "jellyfin")
        kubectl("uncordon", node)


def test_label_node_adds_and_removes_a_label(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    kubectl("label", "node", "homelab-w3", "disktype=ssd")
    assert cluster.call(cluster.store.get, "nodes", None, "homelab-w3")["metadata"]["labels"]["disktype"] == "ssd"
    assert "homelab-w3" in kubectl("get", "nodes", "-l", "disktype=ssd").stdout
    kubectl("label", "node", "homelab-w3", "disktype-")
    assert "disktype" not in cluster.call(cluster.store.get, "nodes", None, "homelab-w3")["metadata"]["labels"]


def test_taint_node_adds_and_removes_a_taint(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    kubectl("taint", "node", "homelab-w3", "dedicated=media:NoSchedule")
    taints = cluster.call(cluster.store.get, "nodes", None, "homelab-w3")["spec"]["taints"]
    assert {"key": "dedicated", "value": "media", "effect": "NoSchedule"} in taints
    kubectl("taint", "node", "homelab-w3", "dedicated=media:NoSchedule-")
    assert not [t for t in cluster.call(cluster.store.get, "nodes", None, "homelab-w3")["spec"].get("taints") or [] if t["key"] == "dedicated"]


def test_apply_creates_then_updates_a_deployment(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    manifest = tmp_path / "whoami.yaml"
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "whoami", "namespace": "default", "labels": {"app": "whoami"}}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "whoami"}}, "template": {"metadata": {"labels": {"app": "whoami"}}, "spec": {"containers": [{"name": "whoami", "image": "traefik/whoami:v1.10", "ports": [{"containerPort": 80}]}]}}}}
    manifest.write_text(json.dumps(body))
    assert "deployment.apps/whoami created" in kubectl("apply", "-f", str(manifest)).stdout
    wait_for(lambda: len([p for p in pods(cluster, "default", "app=whoami") if ready(p)]) == 2)
    body["spec"]["replicas"] = 3
    manifest.write_text(json.dumps(body))
    assert "deployment.apps/whoami configured" in kubectl("apply", "-f", str(manifest)).stdout
    dep = cluster.call(cluster.store.get, "deployments.apps", "default", "whoami")
    assert dep["spec"]["replicas"] == 3
    assert "kubectl.kubernetes.io/last-applied-configuration" in dep["metadata"]["annotations"]
    wait_for(lambda: len([p for p in pods(cluster, "default", "app=whoami") if ready(p)]) == 3)
    kubectl("delete", "-f", str(manifest))
    wait_for(lambda: not pods(cluster, "default", "app=whoami"))


def test_apply_rejects_an_invalid_manifest_naming_the_field(kubectl: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bad", "namespace": "default"}, "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": {"metadata": {"labels": {"app": "y"}}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}))
    out = kubectl("apply", "-f", str(manifest), check=False)
    assert out.returncode != 0
    assert "spec.template.metadata.labels" in out.stderr


def test_apply_with_an_unknown_field_is_refused_and_stores_nothing(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    manifest = tmp_path / "typo.yaml"
    manifest.write_text(json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "typo", "namespace": "default"}, "spec": {"replica": 2, "selector": {"matchLabels": {"app": "typo"}}, "template": {"metadata": {"labels": {"app": "typo"}}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}))
    out = kubectl("apply", "-f", str(manifest), check=False)
    assert out.returncode != 0
    assert 'strict decoding error: unknown field "spec.replica"' in out.stderr
    assert cluster.call(cluster.store.find, "deployments.apps", "default", "typo") is None


def test_create_generators_that_send_protobuf_work_for_simple_kinds(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    kubectl("create", "namespace", "scratch")
    kubectl("create", "configmap", "settings", "-n", "scratch", "--from-literal=mode=fast", "--from-literal=level=3")
    kubectl("create", "secret", "generic", "creds", "-n", "scratch", "--from-literal=password=hunter2")
    assert cluster.call(cluster.store.get, "namespaces", None, "scratch")["status"]["phase"] == "Active"
    assert cluster.call(cluster.store.get, "configmaps", "scratch", "settings")["data"] == {"mode": "fast", "level": "3"}
    secret = cluster.call(cluster.store.get, "secrets", "scratch", "creds")
    assert secret["data"] == {"password": "aHVudGVyMg=="} and secret["type"] == "Opaque"
    assert kubectl("auth", "can-i", "delete", "pods", "-n", "media").stdout.strip() == "yes"
    refused = kubectl("create", "service", "clusterip", "web", "-n", "scratch", "--tcp=80:8080", check=False)
    assert refused.returncode != 0 and "(kind Service)" in refused.stderr and "kubectl apply -f" in refused.stderr
    assert cluster.call(cluster.store.find, "services", "scratch", "web") is None
    kubectl("delete", "namespace", "scratch")
    wait_for(lambda: cluster.call(cluster.store.find, "namespaces", None, "scratch") is None)
    assert cluster.call(cluster.store.list, "configmaps", "scratch") == []


def test_delete_job_removes_it_and_its_pods(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    cluster.call(cluster.faults.fail_jobs, "media", "manual-backup")
    manifest = tmp_path / "job.yaml"
    manifest.write_text(json.dumps({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "manual-backup", "namespace": "media"}, "spec": {"backoffLimit": 1, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "restic", "image": "restic/restic:0.17.3"}]}}}}))
    kubectl("apply", "-f", str(manifest))
    job = wait_for(lambda: [c for c in (cluster.call(cluster.store.get, "jobs.batch", "media", "manual-backup").get("status") or {}).get("conditions") or [] if c["type"] == "Failed"], timeout=30)
    assert job[0]["reason"] == "BackoffLimitExceeded"
    assert "Failed" in kubectl("get", "job", "manual-backup", "-n", "media").stdout
    assert len(pods(cluster, "media", "job-name=manual-backup")) == 2
    kubectl("delete", "job", "manual-backup", "-n", "media")
    assert cluster.call(cluster.store.find, "jobs.batch", "media", "manual-backup") is None
    wait_for(lambda: not pods(cluster, "media", "job-name=manual-backup"))
    cluster.call(cluster.faults.clear, "media", "manual-backup")


def test_get_events_lists_what_controllers_did(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    out = kubectl("get", "events", "-n", "media").stdout.splitlines()
    assert out[0].split()[:4] == ["LAST", "SEEN", "TYPE", "REASON"]
    reasons = {line.split()[2] for line in out[1:]}
    assert {"Scheduled", "Started", "SuccessfulCreate", "ScalingReplicaSet"} <= reasons
    selected = kubectl("get", "events", "-n", "media", "--field-selector", "reason=Scheduled", "-o", "json").stdout
    assert {e["reason"] for e in json.loads(selected)["items"]} == {"Scheduled"}


def test_get_pods_watch_sees_a_change(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    assert cluster.kubeconfig_path is not None
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cluster.kubeconfig_path.parent), "KUBECONFIG": str(cluster.kubeconfig_path), "KUBECACHEDIR": str(cluster.kubeconfig_path.parent / "cache")}
    command = [KUBECTL, "get", "pods", "-n", "media", "-w", "--output-watch-events"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as watcher:
        assert watcher.stdout is not None
        try:
            header = watcher.stdout.readline()
            assert header.split()[:2] == ["EVENT", "NAME"]
            victim = pods(cluster, "media", "app.kubernetes.io/name=qbittorrent")[0]["metadata"]["name"]
            cluster.call(cluster.store.delete, "pods", "media", victim)
            seen: list[str] = []
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not any(line.split()[:2] == ["MODIFIED", victim] and "Terminating" in line for line in seen):
                seen.append(watcher.stdout.readline())
            assert any(line.split()[:2] == ["MODIFIED", victim] and "Terminating" in line for line in seen)
        finally:
            watcher.kill()


def test_logs_follow_streams_until_the_pod_goes(cluster: SandboxCluster, kubectl: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    assert cluster.kubeconfig_path is not None
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cluster.kubeconfig_path.parent), "KUBECONFIG": str(cluster.kubeconfig_path), "KUBECACHEDIR": str(cluster.kubeconfig_path.parent / "cache")}
    pod = wait_for(lambda: [p for p in pods(cluster, "media", "app.kubernetes.io/name=prowlarr") if ready(p)])[0]
    with subprocess.Popen([KUBECTL, "logs", "-f", "-n", "media", pod["metadata"]["name"]], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as follower:
        assert follower.stdout is not None
        try:
            assert "Starting app" in follower.stdout.readline()
            cluster.call(cluster.store.delete, "pods", "media", pod["metadata"]["name"])
            rest = follower.stdout.read()
            assert "Received SIGTERM, shutting down" in rest
            assert follower.wait(20) == 0
        finally:
            follower.kill()
