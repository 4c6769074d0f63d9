"""`helm template` of the vendored app-template 4.6.2 chart, through the Helm v4 SDK (helm-python-sdk).

The chart's values.schema.json reaches the common library's schemas by URL (raw.githubusercontent,
tag common-4.6.2), which Helm would fetch on every render. Offline, the render runs on a copy of
the chart whose two schema files name the vendored copies of those schemas (file:// URIs) instead:
Helm itself still validates the values against the chart's real schema before it renders.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import helm_python
from helm_python import _native
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "tests" / "data" / "charts" / "app-template"
COMMON = CHART / "charts" / "common"
COMMON_BASE = "https://raw.githubusercontent.com/bjw-s-labs/helm-charts/common-4.6.2/charts/library/common/"
RELEASE = "openclaw"
NAMESPACE = "openclaw"
KUBE_VERSION = "1.33.0"
# What ArgoCD passes as --api-versions on a cluster with the Gateway API installed: the chart
# renders the HTTPRoute as gateway.networking.k8s.io/v1 only when the cluster serves it (and as
# v1alpha2 otherwise, which a Gateway API 1.x cluster no longer serves).
CLUSTER_API_VERSIONS = ("gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1/HTTPRoute")


@cache
def _offline_chart_dir() -> Path:
    """A copy of the vendored chart whose schema URLs point at the vendored schema files."""
    root = Path(tempfile.mkdtemp(prefix="app-template-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    copy = root / "app-template"
    shutil.copytree(CHART, copy)
    local = (copy / "charts" / "common").as_uri() + "/"
    for schema in (copy / "values.schema.json", copy / "charts" / "common" / "values.schema.json"):
        text = schema.read_text()
        assert COMMON_BASE in text, f"{schema}: the chart no longer names {COMMON_BASE}"
        schema.write_text(text.replace(COMMON_BASE, local))
    return copy


def load_chart() -> helm_python.Chart:
    return helm_python.Chart.load(_offline_chart_dir())


def render_manifests(vals: dict[str, Any], api_versions: tuple[str, ...] = CLUSTER_API_VERSIONS,
                     kube_version: str = KUBE_VERSION) -> str:
    """The YAML `helm template openclaw <chart> -n openclaw --kube-version 1.33.0 --api-versions ...`
    prints for these values (as ArgoCD runs it against the cluster)."""
    chart = load_chart()
    opts = {"name": RELEASE, "namespace": NAMESPACE, "is_install": True, "kube_version": kube_version,
            "api_versions": list(api_versions)}
    # Chart.render() passes only name/namespace/revision/install flags; the SDK's C call behind it
    # also takes the cluster's Kubernetes version and API versions (helm template's --kube-version
    # and --api-versions), which decide the HTTPRoute's apiVersion here.
    rendered: dict[str, str] = json.loads(
        _native.call_string("helm_render", chart._raw(), json.dumps(vals), json.dumps(opts))
    )
    return "\n".join(rendered[name] for name in sorted(rendered))


def render_objects(vals: dict[str, Any], api_versions: tuple[str, ...] = CLUSTER_API_VERSIONS,
                   kube_version: str = KUBE_VERSION) -> list[dict[str, Any]]:
    """Every object the chart renders from these values, in the order Helm prints them."""
    return [d for d in yaml.safe_load_all(render_manifests(vals, api_versions, kube_version)) if d]


@cache
def _deploy_values_manifests() -> str:
    data = yaml.safe_load((REPO / "deploy" / "helm" / "values.yaml").read_text())
    assert isinstance(data, dict)
    return render_manifests(data)


def rendered() -> list[dict[str, Any]]:
    """The objects deploy/helm/values.yaml renders (rendered once per run; each call a fresh copy)."""
    return [d for d in yaml.safe_load_all(_deploy_values_manifests()) if d]


def rendered_kind(kind: str) -> dict[str, Any]:
    """The one rendered object of this kind."""
    (obj,) = [o for o in rendered() if o["kind"] == kind]
    return obj
