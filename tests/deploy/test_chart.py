"""deploy/helm/values.yaml through the real app-template 4.6.2 chart, rendered by Helm's own SDK."""

from __future__ import annotations

import copy

import helm_python
import pytest

from chart import CHART, load_chart, render_objects, rendered, rendered_kind
from deploy_support import values


def test_the_vendored_chart_is_app_template_4_6_2_with_common_4_6_2() -> None:
    chart = load_chart()
    assert (chart.name, chart.version) == ("app-template", "4.6.2")
    assert [(d["name"], d["version"], d.get("type")) for d in chart.dependencies] == [("common", "4.6.2", "library")]
    assert (CHART / "LICENSE").read_text().lstrip().startswith("Apache License")


def test_every_object_comes_from_the_chart_for_the_openclaw_release() -> None:
    objs = rendered()
    assert sorted(o["kind"] for o in objs) == sorted([
        "PersistentVolumeClaim", "ServiceAccount", "Deployment", "Service", "HTTPRoute", "NetworkPolicy",
        "ClusterRole", "ClusterRoleBinding",
    ])
    for obj in objs:
        labels = obj["metadata"]["labels"]
        assert labels["helm.sh/chart"] == "app-template-4.6.2", obj["kind"]
        assert (labels["app.kubernetes.io/instance"], labels["app.kubernetes.io/name"]) == ("openclaw", "openclaw")
        assert obj["metadata"]["name"] == "openclaw", obj["kind"]
        if obj["kind"] not in ("ClusterRole", "ClusterRoleBinding"):
            assert obj["metadata"]["namespace"] == "openclaw", obj["kind"]


def test_helm_refuses_values_the_chart_schema_rejects() -> None:
    broken = copy.deepcopy(values())
    broken["controllers"]["openclaw"]["type"] = "replicaset"
    with pytest.raises(helm_python.HelmValuesError, match="/controllers/openclaw/type"):
        render_objects(broken)


def test_the_route_is_gateway_api_v1_where_the_cluster_serves_it() -> None:
    """ArgoCD renders with the cluster's API versions; by hand, `helm template` needs
    `--api-versions gateway.networking.k8s.io/v1/HTTPRoute`, or the chart falls back to v1alpha2."""
    assert rendered_kind("HTTPRoute")["apiVersion"] == "gateway.networking.k8s.io/v1"
    (bare,) = [o for o in render_objects(values(), api_versions=()) if o["kind"] == "HTTPRoute"]
    assert bare["apiVersion"] == "gateway.networking.k8s.io/v1alpha2"


def test_the_render_is_for_the_cluster_s_kubernetes_version() -> None:
    """The chart writes some fields only for new enough clusters: the version given reaches it."""
    with_hint = copy.deepcopy(values())
    with_hint["service"]["app"]["trafficDistribution"] = "PreferClose"

    def service(kube_version: str) -> dict[str, object]:
        (svc,) = [o for o in render_objects(with_hint, kube_version=kube_version) if o["kind"] == "Service"]
        return dict(svc["spec"])

    assert service("1.33.0")["trafficDistribution"] == "PreferClose"
    assert "trafficDistribution" not in service("1.32.0")


def test_the_image_is_the_seed_s_tag_and_a_digest_pins_it() -> None:
    images = {c["image"] for c in [*rendered_kind("Deployment")["spec"]["template"]["spec"]["initContainers"],
                                  *rendered_kind("Deployment")["spec"]["template"]["spec"]["containers"]]}
    assert images == {"ghcr.io/openclaw/openclaw:2026.3.7"}
    pinned = copy.deepcopy(values())
    digest = "sha256:" + "ab" * 32
    pinned["controllers"]["openclaw"]["containers"]["app"]["image"]["digest"] = digest  # the same anchor as init
    (deployment,) = [o for o in render_objects(pinned) if o["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    assert {c["image"] for c in [*pod["initContainers"], *pod["containers"]]} == {f"ghcr.io/openclaw/openclaw:2026.3.7@{digest}"}
