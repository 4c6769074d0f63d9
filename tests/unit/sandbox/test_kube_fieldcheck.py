"""Field validation of request bodies against the Kubernetes schemas, per fieldValidation mode."""

from __future__ import annotations

import pytest

from openclaw.sandbox.kube.errors import ApiError
from openclaw.sandbox.kube.fieldcheck import FieldChecker

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}, "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}


def test_unknown_fields_are_named_with_their_path() -> None:
    body = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replica": 2}}
    body["spec"]["template"] = {"metadata": {}, "spec": {"containers": [{"name": "c", "image": "i", "imagePullPolice": "Always"}]}}
    unknown, wrong = FieldChecker().problems(body)
    assert unknown == ['unknown field "spec.template.spec.containers[0].imagePullPolice"', 'unknown field "spec.replica"'] and wrong == []


def test_strict_refuses_warn_returns_warnings_ignore_is_silent() -> None:
    checker = FieldChecker()
    body = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replica": 2}}
    with pytest.raises(ApiError) as err:
        checker.check(body, "Strict")
    assert err.value.code == 400 and 'strict decoding error: unknown field "spec.replica"' in err.value.message
    assert checker.check(body, None) == ['unknown field "spec.replica"']
    assert checker.check(body, "Ignore") == []


def test_a_wrong_type_is_a_bad_request_in_every_mode() -> None:
    with pytest.raises(ApiError) as err:
        FieldChecker().check({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": "two"}}, "Ignore", partial=True)
    assert err.value.code == 400 and "spec.replicas" in err.value.message


def test_patch_bodies_skip_required_fields_and_directives() -> None:
    patch = {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "c", "$patch": "delete"}], "$setElementOrder/containers": [{"name": "c"}]}}
    assert FieldChecker().check(patch, "Strict", partial=True) == []


def test_types_without_a_schema_are_not_checked() -> None:
    assert FieldChecker().check({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "spec": {"anything": 1}}, "Strict") == []
