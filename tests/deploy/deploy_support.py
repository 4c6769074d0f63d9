"""Shared helpers of the deployment tests: paths, YAML loading, offline schema validators, and a
local HTTP file server. The chart itself is rendered by `chart.py`."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from chart import CHART, COMMON, COMMON_BASE

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DATA = REPO / "tests" / "data"
CRDS = DATA / "crds"


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


def require_root_with(tools: tuple[str, ...], why: str, where: str) -> None:
    """Fail (never skip: CI runs as root and installs these) unless root with every tool on PATH."""
    if os.geteuid() != 0:
        pytest.fail(f"{why} needs root (CI runs as root)")
    missing = [tool for tool in tools if shutil.which(tool) is None]
    assert not missing, f"{', '.join(missing)} required ({where})"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base_url: str, logs: Callable[[], str], *, exited: Callable[[], int | None] = lambda: None,
               deadline_s: float = 60.0) -> httpx.Response:
    """Poll `/readyz` until 200; fail with the last answer and the tail of `logs()` otherwise, or at
    once when `exited()` returns the exit status of the process under test."""
    end = time.monotonic() + deadline_s
    last = ""
    while time.monotonic() < end:
        status = exited()
        if status is not None:
            pytest.fail(f"the gateway exited with {status}:\n{logs()[-4000:]}")
        try:
            r = httpx.get(f"{base_url}/readyz", timeout=2)
            if r.status_code == 200:
                return r
            last = f"{r.status_code} {r.text}"
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.2)
    pytest.fail(f"/readyz not 200 within {deadline_s}s (last: {last}):\n{logs()[-4000:]}")


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
        if rel in {"checkov.yaml", "helm/values.yaml", "kustomize/kustomization.yaml", "kustomize/config/tools.yaml",
                   "monitoring/kube-prometheus-stack-values.yaml"}:
            continue
        for doc in load_yaml_docs(path):
            found.append((rel, doc))
    return found


# ---------------------------------------------------------------- schemas

@cache
def app_template_validator() -> Draft7Validator:
    """The app-template 4.6.2 values schema with every $ref resolved from the vendored chart's files.

    Helm checks the same schema before each render (chart.py); this validator gives every error
    with its path, which Helm's message does not list one by one."""
    resources: list[tuple[str, Resource[Any]]] = []
    for path in [COMMON / "values.schema.json", *sorted((COMMON / "schemas").glob("*.json"))]:
        uri = COMMON_BASE + path.relative_to(COMMON).as_posix()
        resources.append((uri, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7)))
    top = json.loads((CHART / "values.schema.json").read_text())
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft7Validator(top, registry=registry)


def app_template_top_level_keys() -> set[str]:
    return set(json.loads((COMMON / "values.schema.json").read_text())["properties"])


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
