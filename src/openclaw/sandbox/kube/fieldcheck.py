"""Field validation of request bodies against the Kubernetes 1.32 JSON schemas (kubernetes-validate).

The apiserver decodes a body strictly or not per `fieldValidation` (Strict: unknown fields are a 400;
Warn, the default: they come back as `Warning` headers; Ignore). A value of the wrong type is always
a 400, as a failed decode is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema
from kubernetes_validate.utils import schema_contents
from referencing import Registry, Resource

from openclaw.sandbox.kube.errors import bad_request

SCHEMA_VERSION = "1.32.0"
_IGNORED_ERRORS = {"required", "minItems", "enum", "format", "oneOf", "anyOf"}


class FieldChecker:
    """Caches one validator per (apiVersion, kind); types without a published schema are not checked."""

    def __init__(self) -> None:
        self._validators: dict[tuple[str, str], jsonschema.protocols.Validator | None] = {}
        self._definitions: Resource[Any] | None = None

    def _validator(self, api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
        key = (api_version, kind)
        if key not in self._validators:
            group_version = api_version
            if "/" in api_version:
                group, version = api_version.split("/", 1)
                group_version = f"{group.split('.')[0]}-{version}"
            try:
                schema = schema_contents(f"kubernetes-json-schema/v{SCHEMA_VERSION}-local-strict/{kind.lower()}-{group_version}.json", SCHEMA_VERSION)
            except (FileNotFoundError, OSError):
                self._validators[key] = None
                return None
            if self._definitions is None:
                self._definitions = Resource.from_contents(schema_contents(f"kubernetes-json-schema/v{SCHEMA_VERSION}-local-strict/_definitions.json", SCHEMA_VERSION))
            registry: Registry[Any] = self._definitions @ (Resource.from_contents(schema) @ Registry())
            self._validators[key] = jsonschema.validators.Draft202012Validator(schema, registry=registry)
        return self._validators[key]

    def problems(self, body: dict[str, Any], *, partial: bool = False) -> tuple[list[str], list[str]]:
        """(unknown fields, wrong-typed fields) in `body`, each as a dotted path message."""
        validator = self._validator(str(body.get("apiVersion", "")), str(body.get("kind", "")))
        if validator is None:
            return [], []
        unknown: list[str] = []
        wrong: list[str] = []
        for error in validator.iter_errors(_without_directives(body)):
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
            if error.validator == "additionalProperties":
                # This keyword only fails on an object under an object schema; the checks narrow the types.
                if isinstance(error.schema, Mapping) and isinstance(error.instance, Mapping):
                    allowed = set((error.schema.get("properties") or {}).keys())
                    for key in sorted(set(error.instance) - allowed):
                        unknown.append(f'unknown field "{where + "." if where else ""}{key}"')
            elif error.validator == "type":
                wrong.append(f"{where}: expected {error.validator_value}, got {type(error.instance).__name__} {error.instance!r}")
            elif error.validator in _IGNORED_ERRORS or partial:
                continue
        return unknown, wrong

    def check(self, body: Any, mode: str | None, *, partial: bool = False) -> list[str]:
        """Apply `fieldValidation` (Strict, Warn or Ignore; Warn when unset). Returns warnings; raises 400."""
        if not isinstance(body, dict):
            return []
        mode = mode or "Warn"
        if mode not in ("Strict", "Warn", "Ignore"):
            raise bad_request(f"fieldValidation {mode!r}: expected Strict, Warn or Ignore")
        unknown, wrong = self.problems(body, partial=partial)
        kind = body.get("kind")
        prefix = f'{kind} in version "{str(body.get("apiVersion", "")).split("/")[-1]}" cannot be handled as a {kind}: '
        if wrong:
            raise bad_request(prefix + "; ".join(wrong))
        if unknown and mode == "Strict":
            raise bad_request(prefix + "strict decoding error: " + ", ".join(unknown))
        return unknown if mode == "Warn" else []


def _without_directives(value: Any) -> Any:
    """A patch body without strategic-merge directives ($patch, $setElementOrder/..., $retainKeys)."""
    if isinstance(value, dict):
        return {k: _without_directives(v) for k, v in value.items() if not str(k).startswith("$")}
    if isinstance(value, list):
        return [_without_directives(v) for v in value if not (isinstance(v, dict) and set(v) == {"$patch"})]
    return value
