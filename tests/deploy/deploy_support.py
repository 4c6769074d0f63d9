"""Shared helpers of the deployment tests: paths, YAML loading, offline schema validators, and a
model of how the app-template chart turns deploy/helm/values.yaml into Kubernetes objects.

The model follows the bjw-s common library 4.6.2 for the keys our values use (controllers with
init/main containers, custom probes, persistence with global/advanced mounts, service, route,
serviceAccount, rbac, networkpolicies). Helm and the chart are not available offline, so the
objects it builds stand in for `helm template` output: they are validated strictly against the
Kubernetes schemas and checked against Pod Security "restricted" field by field.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
FIXTURES = REPO.parent / "shared" / "fixtures"
APP_TEMPLATE = FIXTURES / "app-template"
CRDS = FIXTURES / "crds"
COMMON_BASE = "https://raw.githubusercontent.com/bjw-s-labs/helm-charts/common-4.6.2/charts/library/common/"
RELEASE = "openclaw"
NAMESPACE = "openclaw"
KUBE_VERSION = "1.33.0"


@dataclass
class FileServer:
    """A real HTTP server on 127.0.0.1 serving `root`, recording the paths it was asked for."""

    root: Path
    base_url: str = ""
    requests: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"

    def put(self, name: str, data: bytes) -> str:
        """Store `data` under `name`; returns its sha256."""
        (self.root / name).write_bytes(data)
        return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def serve_files(root: Path) -> Iterator[FileServer]:
    """Serve `root` over HTTP on 127.0.0.1 (an ephemeral port) in a thread."""
    server = FileServer(root=root)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self) -> None:
            server.requests.append(self.path)
            super().do_GET()

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------- loading

def load_yaml_docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def values() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    assert isinstance(data, dict)
    return data


def kustomize_build() -> list[dict[str, Any]]:
    """`kubectl kustomize deploy/kustomize`: the real kustomize built into kubectl."""
    out = subprocess.run(["kubectl", "kustomize", str(DEPLOY / "kustomize")], check=True, capture_output=True, text=True, timeout=60)
    return [d for d in yaml.safe_load_all(out.stdout) if d is not None]


def plain_manifests() -> list[tuple[str, dict[str, Any]]]:
    """Every Kubernetes object kept as YAML under deploy/ (not the chart values, not kustomization.yaml)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(DEPLOY.rglob("*.yaml")):
        rel = path.relative_to(DEPLOY).as_posix()
        if rel in {"helm/values.yaml", "kustomize/kustomization.yaml", "kustomize/config/tools.yaml", "monitoring/kube-prometheus-stack-values.yaml"}:
            continue
        for doc in load_yaml_docs(path):
            found.append((rel, doc))
    return found


# ---------------------------------------------------------------- schemas

@cache
def app_template_validator() -> Draft7Validator:
    """The app-template 4.6.2 values schema with every $ref resolved from the local fixture files."""
    resources: list[tuple[str, Resource[Any]]] = []
    common = APP_TEMPLATE / "common"
    for path in [common / "values.schema.json", *sorted((common / "schemas").glob("*.json"))]:
        uri = COMMON_BASE + path.relative_to(common).as_posix()
        resources.append((uri, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7)))
    top = json.loads((APP_TEMPLATE / "app-template.values.schema.json").read_text())
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft7Validator(top, registry=registry)


def app_template_top_level_keys() -> set[str]:
    return set(json.loads((APP_TEMPLATE / "common" / "values.schema.json").read_text())["properties"])


CRD_SCHEMAS = {
    ("argoproj.io/v1alpha1", "Application"): "argoproj.io/application_v1alpha1.json",
    ("external-secrets.io/v1", "ExternalSecret"): "external-secrets.io/externalsecret_v1.json",
    ("external-secrets.io/v1", "ClusterSecretStore"): "external-secrets.io/clustersecretstore_v1.json",
    ("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig"): "monitoring.coreos.com/alertmanagerconfig_v1alpha1.json",
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): "gateway.networking.k8s.io/httproute_v1.json",
}


def crd_validator(api_version: str, kind: str) -> Draft7Validator | None:
    name = CRD_SCHEMAS.get((api_version, kind))
    if name is None:
        return None
    return Draft7Validator(json.loads((CRDS / name).read_text()))


def schema_errors(validator: Draft7Validator, doc: Any) -> list[str]:
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in validator.iter_errors(doc)]


# ---------------------------------------------------------------- the chart model

def _image(spec: dict[str, Any]) -> str:
    ref = f"{spec['repository']}:{spec['tag']}"
    return f"{ref}@{spec['digest']}" if spec.get("digest") else ref


def _env(env: Any) -> list[dict[str, Any]]:
    if isinstance(env, list):
        return env
    out: list[dict[str, Any]] = []
    for name, value in (env or {}).items():
        if isinstance(value, dict) and "valueFrom" in value:
            out.append({"name": name, "valueFrom": value["valueFrom"]})
        elif isinstance(value, dict):
            out.append({"name": name, **value})
        else:
            out.append({"name": name, "value": str(value)})
    return out


def _env_from(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items or []:
        if "secretRef" in item:
            out.append({"secretRef": {"name": item["secretRef"]["name"]}})
        elif "configMapRef" in item:
            out.append({"configMapRef": {"name": item["configMapRef"]["name"]}})
        elif "secret" in item:
            out.append({"secretRef": {"name": item["secret"]}})
        elif "configMap" in item:
            out.append({"configMapRef": {"name": item["configMap"]}})
    return out


def _mounts(vals: dict[str, Any], controller: str, container: str) -> list[dict[str, Any]]:
    mounts = []
    for key, item in vals.get("persistence", {}).items():
        if item.get("enabled", True) is False:
            continue
        # globalMounts go to every container; advancedMounts add per controller/container; with
        # neither, the item is mounted everywhere at /<key>.
        chosen = list(item.get("globalMounts") or [])
        chosen += item.get("advancedMounts", {}).get(controller, {}).get(container, [])
        if "globalMounts" not in item and "advancedMounts" not in item:
            chosen = [{}]
        for m in chosen:
            mount = {"name": key, "mountPath": m.get("path", f"/{key}")}
            if "subPath" in m:
                mount["subPath"] = m["subPath"]
            if m.get("readOnly"):
                mount["readOnly"] = True
            mounts.append(mount)
    return mounts


def _volumes(vals: dict[str, Any]) -> list[dict[str, Any]]:
    volumes = []
    for key, item in vals.get("persistence", {}).items():
        if item.get("enabled", True) is False:
            continue
        kind = item["type"]
        if kind == "persistentVolumeClaim":
            claim = item.get("existingClaim") or f"{RELEASE}-{key}"
            volumes.append({"name": key, "persistentVolumeClaim": {"claimName": claim}})
        elif kind in ("configMap", "secret"):
            src: dict[str, Any] = {"name": item["name"]} if kind == "configMap" else {"secretName": item["name"]}
            for opt in ("items", "defaultMode"):
                if opt in item:
                    src[opt] = item[opt]
            volumes.append({"name": key, kind: src})
        elif kind == "emptyDir":
            volumes.append({"name": key, "emptyDir": {k: item[k] for k in ("medium", "sizeLimit") if k in item}})
        else:
            volumes.append({"name": key, "unsupported": kind})
    return volumes


def _container_ports(vals: dict[str, Any], controller: str) -> list[dict[str, Any]]:
    ports = []
    for svc in vals.get("service", {}).values():
        if svc.get("controller") != controller:
            continue
        for name, port in svc.get("ports", {}).items():
            proto = "UDP" if port.get("protocol") == "UDP" else "TCP"
            ports.append({"name": name, "containerPort": int(port.get("targetPort", port["port"])), "protocol": proto})
    return ports


def _container(vals: dict[str, Any], controller: str, name: str, spec: dict[str, Any], main: bool) -> dict[str, Any]:
    c: dict[str, Any] = {"name": spec.get("nameOverride", name), "image": _image(spec["image"])}
    if spec["image"].get("pullPolicy"):
        c["imagePullPolicy"] = spec["image"]["pullPolicy"]
    for key in ("command", "args"):
        if key in spec:
            c[key] = [spec[key]] if isinstance(spec[key], str) else spec[key]
    if "env" in spec:
        c["env"] = _env(spec["env"])
    if "envFrom" in spec:
        c["envFrom"] = _env_from(spec["envFrom"])
    if main:
        ports = _container_ports(vals, controller)
        if ports:
            c["ports"] = ports
        for kind in ("liveness", "readiness", "startup"):
            probe = spec.get("probes", {}).get(kind, {})
            if probe.get("enabled") and probe.get("custom"):
                c[f"{kind}Probe"] = probe["spec"]
    for key in ("securityContext", "resources", "lifecycle", "workingDir"):
        if key in spec:
            c[key] = spec[key]
    mounts = _mounts(vals, controller, name)
    if mounts:
        c["volumeMounts"] = mounts
    return c


def pod_spec(vals: dict[str, Any], controller: str = "openclaw") -> dict[str, Any]:
    """The Pod spec the chart renders for one controller."""
    ctrl = vals["controllers"][controller]
    opts = dict(vals.get("defaultPodOptions", {}))
    opts.update(ctrl.get("pod", {}))  # defaultPodOptionsStrategy: overwrite (the chart's default)
    spec: dict[str, Any] = {}
    sa = ctrl.get("serviceAccount", {})
    if "identifier" in sa:
        spec["serviceAccountName"] = service_account_name(vals, sa["identifier"])
    elif "name" in sa:
        spec["serviceAccountName"] = sa["name"]
    for key in ("automountServiceAccountToken", "enableServiceLinks", "securityContext", "hostNetwork", "hostPID", "hostIPC",
                "nodeSelector", "tolerations", "affinity", "priorityClassName", "terminationGracePeriodSeconds", "hostUsers"):
        if key in opts:
            spec[key] = opts[key]
    spec["initContainers"] = [_container(vals, controller, n, c, main=False) for n, c in ctrl.get("initContainers", {}).items()]
    spec["containers"] = [_container(vals, controller, n, c, main=True) for n, c in ctrl.get("containers", {}).items()]
    spec["volumes"] = _volumes(vals)
    return spec


def _name(items: dict[str, Any], key: str) -> str:
    item = items[key]
    if item.get("forceRename"):
        return str(item["forceRename"])
    return RELEASE if len(items) == 1 else f"{RELEASE}-{key}"


def service_account_name(vals: dict[str, Any], key: str) -> str:
    return _name(vals["serviceAccount"], key)


def _meta(name: str, namespaced: bool = True) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {"app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/name": RELEASE}}
    if namespaced:
        meta["namespace"] = NAMESPACE
    return meta


def render(vals: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object the chart renders from these values (built-in kinds and the HTTPRoute)."""
    objs: list[dict[str, Any]] = []
    selector = {"app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/name": RELEASE}
    for key, ctrl in vals.get("controllers", {}).items():
        assert ctrl.get("type", "deployment") == "deployment", "the model renders deployments only"
        labels = {**selector, "app.kubernetes.io/controller": key}
        objs.append({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta(_name(vals["controllers"], key)),
            "spec": {
                "replicas": ctrl.get("replicas", 1),
                "revisionHistoryLimit": ctrl.get("revisionHistoryLimit", 3),
                "strategy": {"type": ctrl.get("strategy", "RollingUpdate")},
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": pod_spec(vals, key)},
            },
        })
    for key in vals.get("serviceAccount", {}):
        objs.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(service_account_name(vals, key))})
    for key, svc in vals.get("service", {}).items():
        ports = [{"name": n, "port": int(p["port"]), "targetPort": int(p.get("targetPort", p["port"])), "protocol": "UDP" if p.get("protocol") == "UDP" else "TCP"}
                 for n, p in svc["ports"].items()]
        objs.append({"apiVersion": "v1", "kind": "Service", "metadata": _meta(_name(vals["service"], key)),
                     "spec": {"type": svc.get("type", "ClusterIP"), "ports": ports,
                              "selector": {**selector, "app.kubernetes.io/controller": svc["controller"]}}})
    for key, item in vals.get("persistence", {}).items():
        if item["type"] == "persistentVolumeClaim" and "existingClaim" not in item:
            pvc: dict[str, Any] = {"accessModes": [item["accessMode"]], "resources": {"requests": {"storage": item["size"]}}}
            if item.get("storageClass"):
                pvc["storageClassName"] = item["storageClass"]
            objs.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta(f"{RELEASE}-{key}"), "spec": pvc})
    rbac = vals.get("rbac", {})
    for key, role in rbac.get("roles", {}).items():
        cluster = role["type"] == "ClusterRole"
        objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": role["type"],
                     "metadata": _meta(_name(rbac["roles"], key), namespaced=not cluster), "rules": role["rules"]})
    for key, binding in rbac.get("bindings", {}).items():
        ref = binding["roleRef"]
        role_kind = rbac["roles"][ref["identifier"]]["type"] if "identifier" in ref else ref["kind"]
        role_name = _name(rbac["roles"], ref["identifier"]) if "identifier" in ref else ref["name"]
        subjects = [{"kind": "ServiceAccount", "name": service_account_name(vals, s["identifier"]), "namespace": NAMESPACE} if "identifier" in s else s
                    for s in binding["subjects"]]
        objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": binding["type"],
                     "metadata": _meta(_name(rbac["bindings"], key), namespaced=binding["type"] == "RoleBinding"),
                     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name}, "subjects": subjects})
    for key, pol in vals.get("networkpolicies", {}).items():
        pod_selector = pol.get("podSelector") or {"matchLabels": {**selector, "app.kubernetes.io/controller": pol["controller"]}}
        spec = {"podSelector": pod_selector, "policyTypes": pol.get("policyTypes", []), **pol["rules"]}
        objs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta(_name(vals["networkpolicies"], key)), "spec": spec})
    for key, route in vals.get("route", {}).items():
        rules = []
        for rule in route.get("rules", []):
            refs = [{"name": _name(vals["service"], r["identifier"]) if "identifier" in r else r["name"], "port": r["port"]} for r in rule["backendRefs"]]
            rules.append({**{k: v for k, v in rule.items() if k != "backendRefs"}, "backendRefs": refs})
        objs.append({"apiVersion": "gateway.networking.k8s.io/v1", "kind": route.get("kind", "HTTPRoute"),
                     "metadata": _meta(_name(vals["route"], key)),
                     "spec": {"parentRefs": route["parentRefs"], "hostnames": route["hostnames"], "rules": rules}})
    return objs
