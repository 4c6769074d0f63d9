"""kubectl's imperative generators (`create deployment|job|cronjob`), which post protobuf, against the sandbox cluster."""

from __future__ import annotations

import functools
import os
import shutil
import ssl
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import yaml

from openclaw.sandbox import homelab
from openclaw.sandbox.kube import protobuf
from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.simclock import SimClock
import polling

wait_for = functools.partial(polling.wait_for, timeout=20.0)
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
PROTOBUF = "application/vnd.kubernetes.protobuf"
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
Kubectl = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    home = tmp_path_factory.mktemp("kube")
    running = SandboxCluster(clock=SimClock(speed=4.0), seed=homelab.seed, kubeconfig=home / "config").start_in_thread()
    yield running
    running.stop_thread()


@pytest.fixture(scope="module")
def kubectl(cluster: SandboxCluster) -> Kubectl:
    assert cluster.kubeconfig_path is not None
    home = cluster.kubeconfig_path.parent
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HOME": str(home), "KUBECONFIG": str(cluster.kubeconfig_path), "KUBECACHEDIR": str(home / "cache")}

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([KUBECTL, *args], env=env, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({done.returncode}): {done.stderr}")
        return done

    return run


def find(cluster: SandboxCluster, resource: str, namespace: str, name: str) -> dict[str, Any] | None:
    return cluster.call(cluster.store.find, resource, namespace, name)


def pods(cluster: SandboxCluster, namespace: str, selector: str) -> list[dict[str, Any]]:
    return cluster.call(cluster.store.list, "pods", namespace, label_selector=selector)


def ready(pod: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod.get("status", {}).get("conditions") or [])


def condition(job: dict[str, Any] | None, kind: str) -> bool:
    return any(c["type"] == kind and c["status"] == "True" for c in ((job or {}).get("status") or {}).get("conditions") or [])


def protobuf_posts(cluster: SandboxCluster, path: str) -> list[Any]:
    return [r for r in cluster.requests.find(method="POST", path=path) if r.content_type.startswith(PROTOBUF)]


def test_create_deployment_rolls_out_ready_pods(cluster: SandboxCluster, kubectl: Kubectl) -> None:
    out = kubectl("create", "deployment", "web", "--image=nginx:1.27", "--image=redis:7.4", "--replicas=2", "--port=80")
    assert out.stdout.strip() == "deployment.apps/web created"
    posts = protobuf_posts(cluster, "/apis/apps/v1/namespaces/default/deployments")
    assert posts and posts[-1].status == 201
    dep = find(cluster, "deployments.apps", "default", "web")
    assert dep is not None and dep["spec"]["replicas"] == 2
    assert dep["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    containers = dep["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("nginx", "nginx:1.27"), ("redis", "redis:7.4")]
    assert containers[0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    wait_for(lambda: len([p for p in pods(cluster, "default", "app=web") if ready(p)]) == 2)
    assert all(p["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet" for p in pods(cluster, "default", "app=web"))
    line = wait_for(lambda: [row for row in kubectl("get", "deployment", "web").stdout.splitlines() if row.split()[:2] == ["web", "2/2"]])
    assert line
    kubectl("delete", "deployment", "web")
    wait_for(lambda: not pods(cluster, "default", "app=web"))


def test_create_deployment_server_dry_run_prints_the_defaulted_object_and_stores_nothing(cluster: SandboxCluster, kubectl: Kubectl) -> None:
    out = kubectl("create", "deployment", "dry", "--image=nginx", "--dry-run=server", "-o", "yaml")
    shown = yaml.safe_load(out.stdout)
    assert shown["kind"] == "Deployment" and shown["metadata"]["name"] == "dry"
    assert shown["spec"]["strategy"]["type"] == "RollingUpdate"  # server defaulting ran
    assert shown["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
    assert find(cluster, "deployments.apps", "default", "dry") is None
    assert protobuf_posts(cluster, "/apis/apps/v1/namespaces/default/deployments")[-1].dry_run


def test_create_job_runs_the_command_to_completion(cluster: SandboxCluster, kubectl: Kubectl) -> None:
    assert kubectl("create", "job", "once", "--image=busybox", "--", "echo", "hi").stdout.strip() == "job.batch/once created"
    job = find(cluster, "jobs.batch", "default", "once")
    assert job is not None
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert (container["name"], container["image"], container["command"]) == ("once", "busybox", ["echo", "hi"])
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    wait_for(lambda: condition(find(cluster, "jobs.batch", "default", "once"), "Complete"))
    row = kubectl("get", "job", "once").stdout.splitlines()[1].split()
    assert row[:3] == ["once", "Complete", "1/1"]
    assert [p["status"]["phase"] for p in pods(cluster, "default", "job-name=once")] == ["Succeeded"]
    kubectl("delete", "job", "once")
    wait_for(lambda: not pods(cluster, "default", "job-name=once"))


def test_create_job_from_a_cronjob_copies_its_template_and_runs(cluster: SandboxCluster, kubectl: Kubectl) -> None:
    cronjob = find(cluster, "cronjobs.batch", "media", "media-backup")
    assert cronjob is not None
    kubectl("create", "job", "backup-now", "--from=cronjob/media-backup", "-n", "media")
    job = find(cluster, "jobs.batch", "media", "backup-now")
    assert job is not None
    assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    assert job["metadata"]["ownerReferences"][0]["uid"] == cronjob["metadata"]["uid"]
    assert job["spec"]["backoffLimit"] == 2
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["backup", "/config"]
    wait_for(lambda: condition(find(cluster, "jobs.batch", "media", "backup-now"), "Complete"))
    assert "Complete" in kubectl("get", "job", "backup-now", "-n", "media").stdout
    kubectl("delete", "job", "backup-now", "-n", "media")
    wait_for(lambda: not pods(cluster, "media", "job-name=backup-now"))


def test_create_cronjob_is_listed_with_its_schedule_and_fires_on_it(cluster: SandboxCluster, kubectl: Kubectl) -> None:
    out = kubectl("create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--restart=OnFailure", "--", "date")
    assert out.stdout.strip() == "cronjob.batch/tick created"
    cj = find(cluster, "cronjobs.batch", "default", "tick")
    assert cj is not None and cj["spec"]["schedule"] == "*/5 * * * *"
    template = cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert template["containers"][0]["command"] == ["date"] and template["restartPolicy"] == "OnFailure"
    header, row = kubectl("get", "cronjob", "tick").stdout.splitlines()[:2]
    assert header.split()[:2] == ["NAME", "SCHEDULE"]
    assert row.split()[:6] == ["tick", "*/5", "*", "*", "*", "*"]
    cluster.call(cluster.advance, 300)  # the next */5 slot is at most five simulated minutes away

    def fired() -> list[dict[str, Any]]:
        jobs = cluster.call(cluster.store.list, "jobs.batch", "default")
        return [j for j in jobs if any(ref["uid"] == cj["metadata"]["uid"] for ref in j["metadata"].get("ownerReferences") or []) and condition(j, "Complete")]

    assert wait_for(fired)[0]["metadata"]["name"].startswith("tick-")
    kubectl("delete", "cronjob", "tick")
    wait_for(lambda: not cluster.call(cluster.store.list, "jobs.batch", "default"))


def test_a_protobuf_body_with_an_unknown_field_is_refused_with_415(cluster: SandboxCluster) -> None:
    def field(number: int, payload: bytes) -> bytes:
        assert number < 16 and len(payload) < 128  # one-byte keys and lengths keep this writer short
        return bytes([number << 3 | 2, len(payload)]) + payload

    # PodSpec field 18 is affinity, which the sandbox does not decode: refused, not dropped.
    pod_spec = field(2, field(1, b"app") + field(2, b"nginx")) + bytes([0x92, 0x01, 0x02]) + field(1, b"")
    raw = field(1, field(1, b"odd")) + field(2, field(3, field(2, pod_spec)))
    body = protobuf.MAGIC + field(1, field(1, b"apps/v1") + field(2, b"Deployment")) + field(2, raw)
    assert cluster.cert is not None
    context = ssl.create_default_context(cadata=cluster.cert.ca_pem.decode())
    with httpx.Client(base_url=cluster.url, verify=context, headers={"Authorization": f"Bearer {cluster.token}"}) as http:
        resp = http.post("/apis/apps/v1/namespaces/default/deployments", content=body, headers={"Content-Type": PROTOBUF, "Accept": "application/json"})
    assert resp.status_code == 415
    status = resp.json()
    assert status["reason"] == "UnsupportedMediaType"
    assert "field 18 of Deployment.spec.template.spec" in status["message"]
    assert find(cluster, "deployments.apps", "default", "odd") is None
