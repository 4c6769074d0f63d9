"""The sandbox object store: versions, conflicts, patches, selectors, watches, deletion semantics."""

from __future__ import annotations

from typing import Any

import pytest

from openclaw.sandbox.kube.errors import ApiError
from openclaw.sandbox.kube.patching import json_patch, merge_patch, strategic_merge_patch
from openclaw.sandbox.kube.store import KubeStore
from openclaw.sandbox.simclock import SimClock


def deployment(name: str = "sonarr", **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "media", "labels": {"app": name, **labels}},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": "sonarr:4", "env": [{"name": "TZ", "value": "UTC"}]}]}}},
    }


@pytest.fixture
def store() -> KubeStore:
    s = KubeStore(SimClock())
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "media"}})
    return s


def test_create_fills_metadata_and_defaults(store: KubeStore) -> None:
    made = store.create(deployment())
    meta = made["metadata"]
    assert meta["uid"] and meta["generation"] == 1 and meta["creationTimestamp"].endswith("Z")
    assert int(meta["resourceVersion"]) == store.resource_version
    assert made["spec"]["replicas"] == 1 and made["spec"]["strategy"]["type"] == "RollingUpdate"


def test_create_twice_is_already_exists(store: KubeStore) -> None:
    store.create(deployment())
    with pytest.raises(ApiError) as err:
        store.create(deployment())
    assert err.value.code == 409 and err.value.reason == "AlreadyExists"
    assert err.value.status()["details"] == {"name": "sonarr", "group": "apps", "kind": "deployments"}


def test_invalid_object_names_each_field(store: KubeStore) -> None:
    bad = deployment("Bad_Name")
    bad["spec"]["template"]["spec"]["containers"][0].pop("image")
    with pytest.raises(ApiError) as err:
        store.create(bad)
    fields = {c["field"] for c in err.value.causes}
    assert err.value.code == 422 and fields == {"metadata.name", "spec.template.spec.containers[0].image"}
    assert store.list("deployments") == []


def test_stale_resource_version_is_a_conflict(store: KubeStore) -> None:
    old = store.create(deployment())
    store.patch("deployments", "media", "sonarr", {"metadata": {"labels": {"tier": "media"}}})
    old["spec"]["replicas"] = 2
    with pytest.raises(ApiError) as err:
        store.update(old)
    assert err.value.code == 409 and err.value.reason == "Conflict"
    assert store.get("deployments", "media", "sonarr")["spec"]["replicas"] == 1


def test_spec_change_bumps_generation_but_label_change_does_not(store: KubeStore) -> None:
    store.create(deployment())
    assert store.patch("deployments", "media", "sonarr", {"metadata": {"labels": {"x": "y"}}})["metadata"]["generation"] == 1
    assert store.patch("deployments", "media", "sonarr", {"spec": {"replicas": 2}}, "merge")["metadata"]["generation"] == 2


def test_main_resource_update_keeps_status_and_status_update_keeps_spec(store: KubeStore) -> None:
    store.create(deployment())
    store.patch("deployments", "media", "sonarr", {"status": {"replicas": 5}}, "merge")
    assert store.get("deployments", "media", "sonarr")["status"] == {}
    store.patch("deployments", "media", "sonarr", {"status": {"replicas": 5}, "spec": {"replicas": 9}}, "merge", subresource="status")
    after = store.get("deployments", "media", "sonarr")
    assert after["status"] == {"replicas": 5} and after["spec"]["replicas"] == 1


def test_dry_run_changes_nothing(store: KubeStore) -> None:
    store.create(deployment(), dry_run=True)
    assert store.find("deployments", "media", "sonarr") is None
    store.create(deployment())
    rv = store.resource_version
    store.patch("deployments", "media", "sonarr", {"spec": {"replicas": 4}}, dry_run=True)
    store.delete("deployments", "media", "sonarr", dry_run=True)
    assert store.resource_version == rv and store.get("deployments", "media", "sonarr")["spec"]["replicas"] == 1


def test_strategic_merge_merges_containers_and_env_by_name() -> None:
    base = deployment()
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "sonarr:5", "env": [{"name": "PUID", "value": "1000"}]}]}}}}
    out = strategic_merge_patch(base, patch)
    container = out["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "sonarr:5" and [e["name"] for e in container["env"]] == ["TZ", "PUID"]
    deleted = strategic_merge_patch(out, {"spec": {"template": {"spec": {"containers": [{"name": "app", "env": [{"name": "TZ", "$patch": "delete"}]}]}}}})
    assert [e["name"] for e in deleted["spec"]["template"]["spec"]["containers"][0]["env"]] == ["PUID"]


def test_merge_patch_null_removes_and_lists_replace() -> None:
    assert merge_patch({"a": {"b": 1, "c": 2}, "l": [1, 2]}, {"a": {"b": None}, "l": [3]}) == {"a": {"c": 2}, "l": [3]}


def test_json_patch_ops_and_failed_test() -> None:
    doc = {"spec": {"taints": [{"key": "a"}]}}
    out = json_patch(doc, [{"op": "add", "path": "/spec/taints/-", "value": {"key": "b"}}, {"op": "remove", "path": "/spec/taints/0"}, {"op": "add", "path": "/spec/x", "value": 1}, {"op": "replace", "path": "/spec/x", "value": 2}])
    assert out == {"spec": {"taints": [{"key": "b"}], "x": 2}}
    assert doc == {"spec": {"taints": [{"key": "a"}]}}
    with pytest.raises(ApiError) as err:
        json_patch(doc, [{"op": "test", "path": "/spec/taints/0/key", "value": "zzz"}])
    assert err.value.code == 422


def test_label_selectors_equality_set_and_existence(store: KubeStore) -> None:
    store.create(deployment("sonarr", tier="media"))
    store.create(deployment("radarr", tier="media", canary="yes"))
    store.create(deployment("grafana", tier="monitoring"))
    names = lambda sel: [d["metadata"]["name"] for d in store.list("deployments", "media", label_selector=sel)]  # noqa: E731
    assert names("tier=media") == ["radarr", "sonarr"]
    assert names("tier in (media,monitoring),!canary") == ["grafana", "sonarr"]
    assert names("tier notin (media)") == ["grafana"]
    assert names("canary") == ["radarr"]
    with pytest.raises(ApiError) as err:
        store.list("deployments", label_selector="tier in media")
    assert err.value.code == 400


async def test_watch_replays_from_a_resource_version_and_reports_selector_exits(store: KubeStore) -> None:
    made = store.create(deployment())
    watcher = store.watch("deployments", "media", label_selector="app=sonarr,stage=live", resource_version=made["metadata"]["resourceVersion"])
    store.patch("deployments", "media", "sonarr", {"metadata": {"labels": {"stage": "live"}}})
    store.patch("deployments", "media", "sonarr", {"metadata": {"labels": {"stage": "retired"}}})
    first, second = await watcher.next(1), await watcher.next(1)
    assert first is not None and second is not None
    assert (first.type, second.type) == ("ADDED", "DELETED")
    watcher.close()


def test_watch_from_a_compacted_version_is_gone() -> None:
    s = KubeStore(SimClock(), history=3)
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "media"}})
    first = s.create(deployment())
    for n in range(5):
        s.patch("deployments", "media", "sonarr", {"metadata": {"labels": {"n": str(n)}}})
    with pytest.raises(ApiError) as err:
        s.watch("deployments", "media", resource_version=first["metadata"]["resourceVersion"])
    assert err.value.code == 410 and err.value.reason == "Expired"


def test_pod_on_a_node_terminates_gracefully_and_grace_zero_removes_now(store: KubeStore) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "media"}, "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "busybox"}]}}
    store.create(pod)
    pending = store.delete("pods", "media", "p")
    assert pending["metadata"]["deletionTimestamp"] and pending["metadata"]["deletionGracePeriodSeconds"] == 30
    assert store.find("pods", "media", "p") is not None
    store.delete("pods", "media", "p", grace_period=0)
    assert store.find("pods", "media", "p") is None


def test_finalizers_hold_an_object_until_cleared(store: KubeStore) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "media", "finalizers": ["example.com/hold"]}, "data": {"k": "v"}}
    store.create(obj)
    store.delete("configmaps", "media", "c")
    assert store.get("configmaps", "media", "c")["metadata"]["deletionTimestamp"]
    store.patch("configmaps", "media", "c", {"metadata": {"finalizers": None}}, "merge")
    assert store.find("configmaps", "media", "c") is None


def test_orphan_deletion_strips_owner_references(store: KubeStore) -> None:
    owner = store.create(deployment())
    ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "sonarr", "uid": owner["metadata"]["uid"], "controller": True}
    store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dep", "namespace": "media", "ownerReferences": [ref]}})
    store.delete("deployments", "media", "sonarr", propagation="Orphan")
    assert store.get("configmaps", "media", "dep")["metadata"]["ownerReferences"] == []
