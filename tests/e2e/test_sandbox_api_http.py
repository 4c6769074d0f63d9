"""The sandbox API at the HTTP level: auth, discovery, tables, watch bookmarks and expiry, foreground deletion."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from openclaw.sandbox import homelab
from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.simclock import SimClock

pytestmark = pytest.mark.e2e


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[SandboxCluster]:
    running = SandboxCluster(clock=SimClock(speed=20.0), seed=homelab.seed, kubeconfig=tmp_path / "kubeconfig", bookmark_seconds=0.2)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def http(cluster: SandboxCluster) -> AsyncIterator[httpx.AsyncClient]:
    assert cluster.cert is not None
    context = ssl.create_default_context(cadata=cluster.cert.ca_pem.decode())
    async with httpx.AsyncClient(base_url=cluster.url, verify=context, headers={"Authorization": f"Bearer {cluster.token}"}) as client:
        yield client


async def test_requests_without_the_token_are_unauthorized(cluster: SandboxCluster, http: httpx.AsyncClient) -> None:
    resp = await http.get("/api/v1/pods", headers={"Authorization": "Bearer wrong"})
    assert resp.status_code == 401 and resp.json()["reason"] == "Unauthorized"


async def test_discovery_lists_resources_with_short_names_and_subresources(http: httpx.AsyncClient) -> None:
    core = {r["name"]: r for r in (await http.get("/api/v1")).json()["resources"]}
    assert core["pods"]["shortNames"] == ["po"] and core["pods"]["namespaced"] is True
    assert core["pods/eviction"]["group"] == "policy" and core["pods/eviction"]["kind"] == "Eviction"
    assert "watch" in core["nodes"]["verbs"] and core["nodes"]["namespaced"] is False
    groups = {g["name"] for g in (await http.get("/apis")).json()["groups"]}
    assert {"apps", "batch", "policy", "coordination.k8s.io"} <= groups
    apps = {r["name"]: r for r in (await http.get("/apis/apps/v1")).json()["resources"]}
    assert apps["deployments"]["shortNames"] == ["deploy"] and "deployments/scale" in apps
    assert (await http.get("/version")).json()["minor"] == "32"


async def test_table_output_has_kubectl_columns(http: httpx.AsyncClient) -> None:
    resp = await http.get("/api/v1/namespaces/media/pods", headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    doc = resp.json()
    assert doc["kind"] == "Table"
    assert [c["name"] for c in doc["columnDefinitions"] if c["priority"] == 0] == ["Name", "Ready", "Status", "Restarts", "Age"]
    assert [c["name"] for c in doc["columnDefinitions"] if c["priority"] == 1][:2] == ["IP", "Node"]
    assert doc["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


async def test_errors_are_status_objects(http: httpx.AsyncClient) -> None:
    missing = await http.get("/api/v1/namespaces/media/pods/nope")
    assert missing.status_code == 404 and missing.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": 'pods "nope" not found', "reason": "NotFound", "code": 404, "details": {"name": "nope", "kind": "pods"}}
    bad = await http.post("/api/v1/namespaces/media/configmaps", content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["reason"] == "BadRequest"
    invalid = await http.post("/api/v1/namespaces/media/pods", json={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": []}})
    assert invalid.status_code == 422 and invalid.json()["details"]["causes"][0]["field"] == "spec.containers"


async def test_watch_sends_bookmarks_when_allowed(cluster: SandboxCluster, http: httpx.AsyncClient) -> None:
    rv = str(cluster.store.resource_version)
    types: list[str] = []
    async with http.stream("GET", "/api/v1/namespaces/media/pods", params={"watch": "1", "resourceVersion": rv, "allowWatchBookmarks": "true", "timeoutSeconds": "1"}) as resp:
        async for line in resp.aiter_lines():
            if line:
                types.append(json.loads(line)["type"])
    assert "BOOKMARK" in types


async def test_watch_from_a_compacted_version_gets_an_expired_error_event(cluster: SandboxCluster, http: httpx.AsyncClient) -> None:
    cluster.store._history.clear()  # compaction: history no longer reaches back
    cluster.store.patch("nodes", None, "homelab-w1", {"metadata": {"labels": {"a": "b"}}})
    resp = await http.get("/api/v1/pods", params={"watch": "1", "resourceVersion": "2"})
    event = json.loads(resp.text.splitlines()[0])
    assert event["type"] == "ERROR" and event["object"]["code"] == 410 and event["object"]["reason"] == "Expired"


async def test_foreground_deletion_keeps_the_owner_until_dependents_are_gone(cluster: SandboxCluster, http: httpx.AsyncClient) -> None:
    await asyncio.sleep(0.3)
    resp = await http.request("DELETE", "/apis/apps/v1/namespaces/media/deployments/jellyseerr", json={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"})
    assert resp.status_code == 200
    assert "foregroundDeletion" in resp.json()["metadata"]["finalizers"] and resp.json()["metadata"]["deletionTimestamp"]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while cluster.store.find("deployments.apps", "media", "jellyseerr") is not None:
        assert cluster.store.get("deployments.apps", "media", "jellyseerr")["metadata"]["deletionTimestamp"]
        assert loop.time() < deadline
        await asyncio.sleep(0.05)
    assert not cluster.store.list("pods", "media", label_selector="app.kubernetes.io/name=jellyseerr")
    assert not cluster.store.list("replicasets.apps", "media", label_selector="app.kubernetes.io/name=jellyseerr")


async def test_server_side_apply_creates_then_updates(cluster: SandboxCluster, http: httpx.AsyncClient) -> None:
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: media\ndata:\n  a: '1'\n"
    headers = {"Content-Type": "application/apply-patch+yaml"}
    created = await http.patch("/api/v1/namespaces/media/configmaps/settings", params={"fieldManager": "test"}, content=body, headers=headers)
    assert created.status_code == 201
    updated = await http.patch("/api/v1/namespaces/media/configmaps/settings", params={"fieldManager": "test"}, content=body.replace("'1'", "'2'"), headers=headers)
    assert updated.status_code == 200 and cluster.store.get("configmaps", "media", "settings")["data"] == {"a": "2"}
    refused = await http.patch("/api/v1/namespaces/media/configmaps/settings", content=body, headers=headers)
    assert refused.status_code == 400 and "fieldManager" in refused.json()["message"]
