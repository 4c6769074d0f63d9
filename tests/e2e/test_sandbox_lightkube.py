"""The production client library (lightkube) against the sandbox: list, watch, patch, delete, errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from lightkube import ApiError, AsyncClient, KubeConfig
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.batch_v1 import CronJob
from lightkube.resources.core_v1 import Node, Pod
from lightkube.types import PatchType

from openclaw.sandbox import homelab
from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.simclock import SimClock

pytestmark = pytest.mark.e2e


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[SandboxCluster]:
    running = SandboxCluster(clock=SimClock(speed=10.0), seed=homelab.seed, kubeconfig=tmp_path / "kubeconfig")
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def client(cluster: SandboxCluster) -> AsyncIterator[AsyncClient]:
    assert cluster.kubeconfig_path is not None
    api = AsyncClient(KubeConfig.from_file(cluster.kubeconfig_path))
    yield api
    await api.close()


async def until(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met before the deadline"
        await asyncio.sleep(0.05)


async def test_list_with_label_and_field_selectors(cluster: SandboxCluster, client: AsyncClient) -> None:
    media = [p async for p in client.list(Pod, namespace="media", labels={"app.kubernetes.io/name": "sonarr"})]
    assert len(media) == 1 and media[0].metadata.name.startswith("sonarr-")
    node = media[0].spec.nodeName
    on_node = [p async for p in client.list(Pod, namespace="*", fields={"spec.nodeName": node})]
    assert on_node and all(p.spec.nodeName == node for p in on_node)
    nodes = [n.metadata.name async for n in client.list(Node)]
    assert nodes == ["homelab-cp", "homelab-w1", "homelab-w2", "homelab-w3"]


async def test_list_pages_with_limit_and_continue(cluster: SandboxCluster, client: AsyncClient) -> None:
    everything = [p.metadata.name async for p in client.list(Pod, namespace="*")]
    paged = [p.metadata.name async for p in client.list(Pod, namespace="*", chunk_size=5)]
    assert paged == everything and len(everything) > 5


async def test_watch_sees_a_rollout_restart(cluster: SandboxCluster, client: AsyncClient) -> None:
    seen: list[tuple[str, str]] = []

    async def watch() -> None:
        async for op, pod in client.watch(Pod, namespace="media", labels={"app.kubernetes.io/name": "radarr"}):
            seen.append((op, pod.metadata.name))
            added = {name for kind, name in seen if kind == "ADDED"}
            if any(kind == "DELETED" for kind, _ in seen) and len(added) >= 2:
                return

    task = asyncio.create_task(watch())
    await asyncio.sleep(0.2)
    patch = {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}}}}}
    await client.patch(Deployment, "radarr", patch, namespace="media", patch_type=PatchType.STRATEGIC)
    await asyncio.wait_for(task, 20)
    added = {name for op, name in seen if op == "ADDED"}
    assert len(added) >= 2, seen
    deployment = await client.get(Deployment, "radarr", namespace="media")
    assert deployment.metadata.generation == 2


async def test_merge_and_json_patch_change_the_object(cluster: SandboxCluster, client: AsyncClient) -> None:
    await client.patch(Node, "homelab-w2", {"spec": {"unschedulable": True}}, patch_type=PatchType.MERGE)
    assert cluster.store.get("nodes", None, "homelab-w2")["spec"]["unschedulable"] is True
    await client.patch(Node, "homelab-w2", [{"op": "add", "path": "/metadata/labels/zone", "value": "rack-2"}], patch_type=PatchType.JSON)
    node = await client.get(Node, "homelab-w2")
    assert node.metadata.labels["zone"] == "rack-2" and node.spec.unschedulable is True


async def test_delete_with_background_propagation_removes_dependents(cluster: SandboxCluster, client: AsyncClient) -> None:
    rs_before = cluster.store.list("replicasets.apps", "media", label_selector="app.kubernetes.io/name=lidarr")
    assert rs_before
    await client.delete(Deployment, "lidarr", namespace="media")
    assert cluster.store.find("deployments.apps", "media", "lidarr") is None
    await until(lambda: not cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=lidarr"))
    assert not cluster.store.list("replicasets.apps", "media", label_selector="app.kubernetes.io/name=lidarr")


async def test_errors_carry_status_reason_and_code(cluster: SandboxCluster, client: AsyncClient) -> None:
    with pytest.raises(ApiError) as missing:
        await client.get(Pod, "nope", namespace="media")
    assert missing.value.status.code == 404 and missing.value.status.reason == "NotFound"
    current = await client.get(CronJob, "media-backup", namespace="media")
    stale = current.metadata.resourceVersion
    await client.patch(CronJob, "media-backup", {"spec": {"suspend": True}}, namespace="media")
    current.metadata.resourceVersion = stale
    with pytest.raises(ApiError) as conflict:
        await client.replace(current)
    assert conflict.value.status.code == 409 and conflict.value.status.reason == "Conflict"


async def test_dry_run_patch_changes_nothing(cluster: SandboxCluster, client: AsyncClient) -> None:
    result = await client.patch(Deployment, "sonarr", {"spec": {"replicas": 3}}, namespace="media", dry_run=True)
    assert result.spec.replicas == 3
    assert cluster.store.get("deployments.apps", "media", "sonarr")["spec"]["replicas"] == 1


async def test_every_seeded_object_decodes_with_the_client_models(cluster: SandboxCluster, client: AsyncClient) -> None:
    from lightkube.resources.apps_v1 import DaemonSet, ReplicaSet, StatefulSet
    from lightkube.resources.batch_v1 import Job
    from lightkube.resources.core_v1 import ConfigMap, Event, Namespace, PersistentVolumeClaim, Service
    from lightkube.resources.policy_v1 import PodDisruptionBudget

    cluster.faults.crashloop("media", "sonarr")
    await until(lambda: any(cs.get("restartCount", 0) for p in cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=sonarr") for cs in p["status"].get("containerStatuses") or []))
    counts = {}
    for res in (Namespace, Node, Pod, Event, Service, ConfigMap, PersistentVolumeClaim, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, PodDisruptionBudget):
        namespaced = res not in (Namespace, Node)
        counts[res.__name__] = len([o async for o in (client.list(res, namespace="*") if namespaced else client.list(res))])
    assert counts["Pod"] == len(cluster.store.list("pods")) and counts["Event"] > 0 and counts["PersistentVolumeClaim"] >= 8
