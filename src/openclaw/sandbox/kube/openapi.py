"""A minimal OpenAPI v3 discovery: one document per group/version listing each resource's paths.

kubectl reads it to learn that the server validates fields itself (the `fieldValidation` query
parameter on PATCH), so `kubectl apply` sends `fieldValidation=Strict` instead of downloading full
schemas. No component schemas are served, so kubectl computes apply patches from its built-in types.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from openclaw.sandbox.kube.resources import Registry

_QUERY = [{"name": n, "in": "query", "schema": {"type": "string"}, "uniqueItems": True} for n in ("dryRun", "fieldManager", "fieldValidation")]


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def gv_document(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    types = [t for t in registry.types if t.group == group and t.version == version]
    if not types:
        return None
    paths: dict[str, Any] = {}
    for t in types:
        gvk = [{"group": t.group, "version": t.version, "kind": t.kind}]
        base = f"/{_gv_path(group, version)}" + ("/namespaces/{namespace}" if t.namespaced else "")
        op = {"x-kubernetes-group-version-kind": gvk[0], "parameters": _QUERY, "responses": {"200": {"description": "OK"}}}
        paths[f"{base}/{t.plural}"] = {"get": {**op, "operationId": f"list{t.kind}", "x-kubernetes-action": "list"}, "post": {**op, "operationId": f"create{t.kind}", "x-kubernetes-action": "post"}}
        paths[f"{base}/{t.plural}/{{name}}"] = {
            "get": {**op, "operationId": f"read{t.kind}", "x-kubernetes-action": "get"},
            "put": {**op, "operationId": f"replace{t.kind}", "x-kubernetes-action": "put"},
            "patch": {**op, "operationId": f"patch{t.kind}", "x-kubernetes-action": "patch"},
            "delete": {**op, "operationId": f"delete{t.kind}", "x-kubernetes-action": "delete"},
        }
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.4"}, "paths": paths, "components": {"schemas": {}}}


def index(registry: Registry) -> dict[str, Any]:
    pairs = [("", "v1")] + registry.groups()
    out = {}
    for group, version in pairs:
        doc = gv_document(registry, group, version)
        digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32].upper()
        out[_gv_path(group, version)] = {"serverRelativeURL": f"/openapi/v3/{_gv_path(group, version)}?hash={digest}"}
    return {"paths": out}
