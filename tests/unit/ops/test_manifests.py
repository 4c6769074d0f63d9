"""Offline strict manifest validation, reporting file, document, kind and path of each error."""

from __future__ import annotations

from pathlib import Path

from openclaw.ops.manifests import validate_manifests

CRDS = Path(__file__).resolve().parents[2] / "data" / "crds"

GOOD = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: media}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
"""

BAD = """
apiVersion: v1
kind: ConfigMap
metadata: {name: fine}
data: {a: b}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken}
spec:
  replicas: two
  selector: {matchLabels: {app: web}}
  template:
    spec:
      containers: [{name: web, image: nginx}]
"""


def test_a_valid_manifest_has_no_errors(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(GOOD)
    assert validate_manifests([tmp_path]) == []


def test_an_error_names_file_document_kind_and_path(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(BAD)
    [err] = validate_manifests([f])
    assert (err.file, err.document, err.kind, err.name, err.path) == (str(f), 1, "Deployment", "broken", "spec.replicas")
    assert "'two' is not of type" in err.message


def test_unknown_fields_are_errors_in_strict_mode(tmp_path: Path) -> None:
    f = tmp_path / "typo.yaml"
    f.write_text(GOOD.replace("  replicas: 1", "  replicas: 1\n  replica: 2"))
    [err] = validate_manifests([f])
    assert err.kind == "Deployment" and "replica" in err.message


def test_a_kind_with_no_schema_is_reported_unless_ignored(tmp_path: Path) -> None:
    f = tmp_path / "crd.yaml"
    f.write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
    [err] = validate_manifests([f])
    assert "no schema for example.com/v1 Widget" in err.message
    assert validate_manifests([f], ignore_missing_schemas=True) == []


def test_custom_resources_are_checked_against_catalog_schemas(tmp_path: Path) -> None:
    f = tmp_path / "app.yaml"
    f.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: openclaw, namespace: argocd}\n"
        "spec:\n  project: default\n  destination: {server: https://kubernetes.default.svc, namespace: openclaw, bogus: 1}\n"
        "  source: {repoURL: https://example.com/r.git, path: deploy, targetRevision: main}\n"
    )
    errors = validate_manifests([f], schema_dirs=[CRDS])
    assert [e.path for e in errors] == ["spec.destination"]
    assert "bogus" in errors[0].message


def test_unparseable_yaml_is_one_error_for_its_file(tmp_path: Path) -> None:
    f = tmp_path / "broken.yaml"
    f.write_text("kind: [unclosed\n")
    [err] = validate_manifests([f])
    assert err.file == str(f) and err.message.startswith("unreadable")


def test_a_document_without_kind_is_reported(tmp_path: Path) -> None:
    f = tmp_path / "nokind.yaml"
    f.write_text("apiVersion: v1\nmetadata: {name: x}\n")
    [err] = validate_manifests([f])
    assert err.message == "missing kind"
