"""Decoding the protobuf bodies kubectl's generators send, from bytes captured off the real kubectl."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from openclaw.sandbox.kube import protobuf
from openclaw.sandbox.kube.errors import ApiError

CAPTURED = json.loads((Path(__file__).parent / "kubectl_protobuf_bodies.json").read_text())


def captured(command: str) -> dict[str, Any]:
    return protobuf.decode(base64.b64decode(CAPTURED["bodies"][command]), lambda: "")


# ---- a minimal protobuf writer, to build bodies kubectl never sends ---------------------------------
def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return varint(number << 3) + varint(payload)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return protobuf.MAGIC + field(1, field(1, api_version.encode()) + field(2, kind.encode())) + field(2, raw)


def deployment(pod_spec_extra: bytes = b"", spec_extra: bytes = b"") -> bytes:
    container = field(1, b"app") + field(2, b"nginx")
    pod_spec = field(2, container) + pod_spec_extra
    spec = field(1, 2) + field(3, field(2, pod_spec)) + spec_extra
    return envelope("apps/v1", "Deployment", field(1, field(1, b"web")) + field(2, spec))


def refused(body: bytes) -> str:
    with pytest.raises(ApiError) as caught:
        protobuf.decode(body, lambda: "")
    assert caught.value.code == 415
    return caught.value.message


# ---- bodies captured from kubectl -------------------------------------------------------------------
def test_create_deployment_decodes_to_what_kubectl_built() -> None:
    assert captured("create deployment web --image=nginx") == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}},
            "strategy": {},
        },
        "status": {},
    }


def test_create_deployment_keeps_zero_replicas_every_image_the_port_and_namespace() -> None:
    obj = captured("create deployment multi --image=nginx:1.27 --image=docker.io/library/redis@sha256:abcd --replicas=0 --port=8080 -n media")
    assert obj["metadata"] == {"name": "multi", "namespace": "media", "labels": {"app": "multi"}}
    assert obj["spec"]["replicas"] == 0  # a *int32: zero is a choice, not an unset field
    assert obj["spec"]["template"]["spec"]["containers"] == [
        {"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 8080}], "resources": {}},
        {"name": "redis", "image": "docker.io/library/redis@sha256:abcd", "resources": {}},
    ]


def test_create_job_carries_the_command_and_restart_policy() -> None:
    assert captured("create job once --image=busybox -- echo hi") == {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "once"},
        "spec": {"template": {"metadata": {}, "spec": {"containers": [{"name": "once", "image": "busybox", "command": ["echo", "hi"], "resources": {}}], "restartPolicy": "Never"}}},
        "status": {},
    }


def test_create_cronjob_carries_schedule_and_job_template() -> None:
    obj = captured("create cronjob tick --image=busybox --schedule=*/5 * * * * -- date")
    assert obj["kind"] == "CronJob" and obj["apiVersion"] == "batch/v1"
    assert obj["spec"] == {
        "schedule": "*/5 * * * *",
        "jobTemplate": {"metadata": {"name": "tick"}, "spec": {"template": {"metadata": {}, "spec": {"containers": [{"name": "tick", "image": "busybox", "command": ["date"], "resources": {}}], "restartPolicy": "OnFailure"}}}},
    }


def test_create_job_from_cronjob_round_trips_the_whole_template() -> None:
    obj = captured("create job rich-now --from=cronjob/rich -n media")
    source = CAPTURED["sources"]["rich"]["spec"]["jobTemplate"]
    meta = obj["metadata"]
    assert meta["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual", **source["metadata"]["annotations"]}
    assert meta["labels"] == source["metadata"]["labels"]
    assert meta["ownerReferences"][0] | {"uid": "-"} == {"kind": "CronJob", "name": "rich", "uid": "-", "apiVersion": "batch/v1", "controller": True}
    for key in ("backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"):
        assert obj["spec"][key] == source["spec"][key]  # backoffLimit 0 survives
    sent, wanted = obj["spec"]["template"]["spec"], source["spec"]["template"]["spec"]
    # Every field of the manifest comes back as it was written (intstr ports, quantities, inline
    # volume sources and probe handlers, pointer fields holding false or 0) ...
    for key, value in wanted.items():
        if key == "containers":
            continue
        assert sent[key] == value, key
    container, wanted_container = sent["containers"][0], wanted["containers"][0]
    for key, value in wanted_container.items():
        assert container[key] == value, key
    # ... plus the defaults the sandbox filled in when the CronJob was applied.
    assert {key: sent[key] for key in sent.keys() - wanted.keys()} == {
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "serviceAccountName": "default",
        "schedulerName": "default-scheduler",
        "priority": 0,
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
    }
    assert {key: container[key] for key in container.keys() - wanted_container.keys()} == {"terminationMessagePath": "/dev/termination-log", "imagePullPolicy": "IfNotPresent", "terminationMessagePolicy": "File"}


# ---- what is refused --------------------------------------------------------------------------------
def test_a_field_outside_the_schema_is_refused_naming_where_it_is() -> None:
    affinity = field(18, field(1, field(1, field(1, field(1, b"zone")))))  # PodSpec.affinity is not decoded
    message = refused(deployment(pod_spec_extra=affinity))
    assert "field 18 of Deployment.spec.template.spec" in message
    assert "kubectl apply -f" in message


def test_an_unassigned_number_inside_a_container_is_refused() -> None:
    body = envelope("batch/v1", "Job", field(2, field(6, field(2, field(2, field(1, b"c") + field(99, b"x"))))))
    assert "field 99 of Job.spec.template.spec.containers[0]" in refused(body)


def test_an_empty_unknown_field_is_how_go_writes_unset_and_is_skipped() -> None:
    obj = protobuf.decode(deployment(pod_spec_extra=field(18, b"") + field(42, 0)), lambda: "")
    assert obj["spec"]["template"]["spec"] == {"containers": [{"name": "app", "image": "nginx"}]}


def test_a_field_with_the_wrong_wire_type_is_refused() -> None:
    assert "field 1 (replicas) of Deployment.spec has wire type 2" in refused(envelope("apps/v1", "Deployment", field(2, field(1, b"2"))))


def test_a_truncated_body_is_refused() -> None:
    body = deployment()
    assert "truncated" in refused(body[:-3])


def test_a_kind_without_a_schema_is_refused() -> None:
    assert "kind Service" in refused(envelope("v1", "Service", field(1, field(1, b"web"))))


def test_negative_numbers_int_or_string_and_quantities_decode() -> None:
    rolling = field(2, field(1, field(1, 1) + field(3, b"25%")) + field(2, field(1, 0) + field(2, 2)))
    resources = field(8, field(2, field(1, b"cpu") + field(2, field(1, b"250m"))))
    container = field(1, b"app") + field(2, b"nginx") + resources
    spec = field(3, field(2, field(2, container))) + field(4, field(1, b"RollingUpdate") + rolling) + field(6, -1)
    obj = protobuf.decode(envelope("apps/v1", "Deployment", field(2, spec)), lambda: "")
    assert obj["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 2}}
    assert obj["spec"]["revisionHistoryLimit"] == -1
    assert obj["spec"]["template"]["spec"]["containers"][0]["resources"] == {"requests": {"cpu": "250m"}}


def test_go_value_booleans_are_dropped_when_false_and_pointer_booleans_kept() -> None:
    pod_spec = field(11, 0) + field(12, 1) + field(30, 0)  # hostNetwork=false, hostPID=true, enableServiceLinks=&false
    spec = protobuf.decode(deployment(pod_spec_extra=pod_spec), lambda: "")["spec"]["template"]["spec"]
    assert "hostNetwork" not in spec and spec["hostPID"] is True and spec["enableServiceLinks"] is False
