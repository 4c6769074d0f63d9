"""Checking bodies against an app's OpenAPI 3.0 document (Sonarr's, Radarr's, Lidarr's and Overseerr's, in tests/data/openapi)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

DATA = Path(__file__).resolve().parent / "data" / "openapi"


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` becomes a null alternative."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        if "$ref" in out:
            return {"anyOf": [{"$ref": out["$ref"]}, {"type": "null"}]}
        if "type" in out:
            out["type"] = [out["type"], "null"]
    return out


class Document:
    def __init__(self, name: str, version: str = "v3") -> None:
        path = DATA / f"{name}-{version}-openapi.json"
        # Overseerr publishes its document as YAML only.
        self.raw = json.loads(path.read_text()) if path.exists() else yaml.safe_load((DATA / f"{name}-{version}-openapi.yml").read_text())
        self.components = to_json_schema(self.raw["components"])

    def operation(self, method: str, path: str) -> dict[str, Any]:
        """The operation for a concrete path (`/api/v3/queue/7` matches `/api/v3/queue/{id}`)."""
        for template, ops in self.raw["paths"].items():
            parts, want = template.split("/"), path.split("/")
            if len(parts) == len(want) and all(p == w or p.startswith("{") for p, w in zip(parts, want)):
                if method.lower() in ops:
                    return ops[method.lower()]  # type: ignore[no-any-return]  # JSON document
        raise AssertionError(f"{method} {path} is not in the {self.raw['info']['title']} document")

    def check_query(self, method: str, path: str, query: dict[str, str]) -> None:
        """Every query parameter sent is one the operation declares."""
        declared = {p["name"] for p in self.operation(method, path).get("parameters", []) if p.get("in") == "query"}
        unknown = set(query) - declared
        assert not unknown, f"{method} {path}: parameters {sorted(unknown)} are not in the document (declared: {sorted(declared)})"

    def check_body(self, method: str, path: str, body: Any) -> None:
        op = self.operation(method, path)
        content = (op.get("requestBody") or {}).get("content") or {}
        schema = (content.get("application/json") or {}).get("schema")
        assert schema is not None, f"{method} {path} takes no JSON body"
        jsonschema.Draft7Validator({**to_json_schema(schema), "components": self.components}).validate(body)

    def validate(self, method: str, path: str, body: Any) -> None:
        op = self.raw["paths"][path][method.lower()]
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        full = {**to_json_schema(schema), "components": self.components}
        jsonschema.Draft7Validator(full).validate(body)
