"""Offline manifest validation (the role kubeconform plays in the seed's init container).

Built-in kinds are checked strictly (unknown fields are errors) against the Kubernetes JSON
schemas shipped with kubernetes-validate; custom resources against JSON schemas laid out as
`{group}/{kind}_{version}.json` (kubeconform's CRDs-catalog layout) in the given dirs. Every
problem names the file, the document, the kind/name and the field path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class ManifestError:
    file: str
    document: int  # 0-based index of the YAML document in the file
    kind: str | None
    name: str | None
    path: str  # dotted field path, "" for the document itself
    message: str

    def __str__(self) -> str:
        what = f"{self.kind or '?'}/{self.name or '?'}"
        at = f" at {self.path}" if self.path else ""
        return f"{self.file}[{self.document}] {what}{at}: {self.message}"


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.suffix in MANIFEST_SUFFIXES and f.is_file())
        else:
            yield p


def _dotted(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _crd_schema(dirs: list[Path], api_version: str, kind: str) -> dict[str, Any] | None:
    group, _, version = api_version.rpartition("/")
    for d in dirs:
        candidate = d / group / f"{kind.lower()}_{version}.json"
        if candidate.is_file():
            loaded = json.loads(candidate.read_text())
            return loaded if isinstance(loaded, dict) else None
    return None


def validate_document(
    doc: Any, *, file: str, index: int, kube_version: str, schema_dirs: list[Path], ignore_missing_schemas: bool
) -> list[ManifestError]:
    if not isinstance(doc, dict):
        return [ManifestError(file, index, None, None, "", f"expected a mapping (a Kubernetes object), got {type(doc).__name__}")]
    kind, api_version = doc.get("kind"), doc.get("apiVersion")
    name = (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), dict) else None
    if not isinstance(kind, str) or not kind or not isinstance(api_version, str) or not api_version:
        missing = [k for k, v in (("apiVersion", api_version), ("kind", kind)) if not isinstance(v, str) or not v]
        return [ManifestError(file, index, None, name, "", f"missing {' and '.join(missing)}")]
    schema = _crd_schema(schema_dirs, api_version, kind)
    if schema is not None:
        validator = jsonschema.Draft7Validator(schema)
        return [
            ManifestError(file, index, kind, name, _dotted(err.absolute_path), err.message)
            for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
        ]
    try:
        kubernetes_validate.validate(doc, kube_version, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        if ignore_missing_schemas:
            return []
        return [ManifestError(file, index, kind, name, "", f"no schema for {api_version} {kind} (Kubernetes {kube_version} or the CRD schema dirs)")]
    except kubernetes_validate.ValidationError as err:
        return [ManifestError(file, index, kind, name, _dotted(err.absolute_path), err.message)]
    return []


def validate_manifests(
    paths: Iterable[Path], *, kube_version: str | None = None, schema_dirs: Iterable[Path] = (), ignore_missing_schemas: bool = False
) -> list[ManifestError]:
    """Validate every document of every manifest file under `paths`; an empty list means all valid."""
    version = kube_version or kubernetes_validate.latest_version()
    dirs = list(schema_dirs)
    errors: list[ManifestError] = []
    for f in _files(paths):
        try:
            text = f.read_text()
            docs = [json.loads(text)] if f.suffix == ".json" else [d for d in yaml.safe_load_all(text) if d is not None]
        except (OSError, yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            errors.append(ManifestError(str(f), 0, None, None, "", f"unreadable: {str(exc).splitlines()[0]}"))
            continue
        for i, doc in enumerate(docs):
            errors.extend(validate_document(doc, file=str(f), index=i, kube_version=version, schema_dirs=dirs, ignore_missing_schemas=ignore_missing_schemas))
    return errors
