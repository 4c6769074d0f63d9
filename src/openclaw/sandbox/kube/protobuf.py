"""Decoding of the Kubernetes protobuf bodies kubectl's typed commands send.

kubectl's generators (`create namespace|configmap|secret|serviceaccount|deployment|job|cronjob`,
`auth can-i`) post `application/vnd.kubernetes.protobuf`. Those kinds are decoded here from their
field numbers (k8s.io/api generated.proto; the workload tables are in `protobuf_schemas`). Any other
kind, or a field number not listed that carries a value, is refused with 415 so nothing is silently
dropped."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from openclaw.sandbox.kube.errors import ApiError
from openclaw.sandbox.kube.protobuf_schemas import NAME_REF, OBJECT_META, OBJECT_REF, WORKLOAD_KINDS, Schema

MAGIC = b"k8s\x00"
VARINT_KINDS = {"int", "optint", "bool", "flag"}  # the kinds written as wire type 0; "ints" may be either


def _unsupported(why: str) -> ApiError:
    return ApiError(415, "UnsupportedMediaType", f"protobuf body not supported by the sandbox ({why}); send JSON, e.g. `kubectl apply -f` a manifest")


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        if pos >= len(data):
            raise _unsupported("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    out: list[tuple[int, int, Any]] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise _unsupported("truncated field")
            value, pos = data[pos : pos + size], pos + size
        else:
            raise _unsupported(f"wire type {wire}")
        out.append((number, wire, value))
    return out


def _signed(value: int) -> int:
    """A varint as Go's int32/int64: negatives travel as 64-bit two's complement."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _quantity(data: bytes) -> str:
    return bytes({n: v for n, _, v in _fields(data)}.get(1, b"")).decode()


def _int_or_string(data: bytes) -> int | str:
    parts = {n: v for n, _, v in _fields(data)}
    if parts.get(1, 0) == 1:  # type String
        return bytes(parts.get(3, b"")).decode()
    return _signed(int(parts.get(2, 0)))


def _decode(data: bytes, schema: Schema, where: str) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for number, wire, value in _fields(data):
        if number not in schema:
            if value in (b"", 0):
                continue  # Go encodes unset scalars as empty values: nothing is lost by skipping them
            raise _unsupported(f"field {number} of {where}")
        name, kind, nested = schema[number]
        if kind != "ints" and (wire == 0) != (kind in VARINT_KINDS):
            raise _unsupported(f"field {number} ({name}) of {where} has wire type {wire}")
        if kind == "string":
            if value:  # an empty string is how Go writes an unset field
                obj[name] = value.decode()
        elif kind == "bytes":
            obj[name] = base64.b64encode(value).decode()
        elif kind == "int":
            if value:
                obj[name] = _signed(value)
        elif kind == "optint":
            obj[name] = _signed(value)
        elif kind == "ints":
            items = obj.setdefault(name, [])
            if isinstance(value, int):
                items.append(_signed(value))
            else:  # packed
                pos = 0
                while pos < len(value):
                    item, pos = _varint(value, pos)
                    items.append(_signed(item))
        elif kind == "bool":
            obj[name] = bool(value)
        elif kind == "flag":
            if value:
                obj[name] = True
        elif kind == "strings":
            obj.setdefault(name, []).append(value.decode())
        elif kind == "message":
            obj[name] = _decode(value, nested, f"{where}.{name}")
        elif kind == "inline":
            obj.update(_decode(value, nested, where))
        elif kind == "messages":
            obj.setdefault(name, []).append(_decode(value, nested, f"{where}.{name}[{len(obj.get(name) or [])}]"))
        elif kind == "quantity":
            obj[name] = _quantity(value)
        elif kind == "intstr":
            obj[name] = _int_or_string(value)
        elif kind in ("map", "bytemap", "quantities"):
            entry = {n: v for n, _, v in _fields(value)}
            key = entry.get(1, b"").decode()
            raw = entry.get(2, b"")
            obj.setdefault(name, {})[key] = base64.b64encode(raw).decode() if kind == "bytemap" else _quantity(raw) if kind == "quantities" else raw.decode()
        elif kind == "time":
            seconds = {n: v for n, _, v in _fields(value)}.get(1, 0)
            if seconds:
                obj[name] = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return obj


RESOURCE_ATTRIBUTES: Schema = {1: ("namespace", "string", None), 2: ("verb", "string", None), 3: ("group", "string", None), 4: ("version", "string", None), 5: ("resource", "string", None), 6: ("subresource", "string", None), 7: ("name", "string", None)}
KINDS: dict[str, Schema] = {
    "Namespace": {1: ("metadata", "message", OBJECT_META), 2: ("spec", "message", {1: ("finalizers", "strings", None)}), 3: ("status", "message", {1: ("phase", "string", None)})},
    "ConfigMap": {1: ("metadata", "message", OBJECT_META), 2: ("data", "map", None), 3: ("binaryData", "bytemap", None), 4: ("immutable", "bool", None)},
    "Secret": {1: ("metadata", "message", OBJECT_META), 2: ("data", "bytemap", None), 3: ("type", "string", None), 4: ("stringData", "map", None), 5: ("immutable", "bool", None)},
    "ServiceAccount": {1: ("metadata", "message", OBJECT_META), 2: ("secrets", "messages", OBJECT_REF), 3: ("imagePullSecrets", "messages", NAME_REF), 4: ("automountServiceAccountToken", "bool", None)},
    "SelfSubjectAccessReview": {
        1: ("metadata", "message", OBJECT_META),
        2: ("spec", "message", {1: ("resourceAttributes", "message", RESOURCE_ATTRIBUTES), 2: ("nonResourceAttributes", "message", {1: ("path", "string", None), 2: ("verb", "string", None)})}),
        3: ("status", "message", {1: ("allowed", "bool", None), 2: ("reason", "string", None), 3: ("evaluationError", "string", None), 4: ("denied", "bool", None)}),
    },
    **WORKLOAD_KINDS,
}


def decode(body: bytes, expected_kind: Callable[[], str]) -> dict[str, Any]:
    """The JSON form of a protobuf-encoded object of one of `KINDS`; 415 otherwise."""
    if not body.startswith(MAGIC):
        raise _unsupported("missing the k8s protobuf envelope")
    envelope = {n: v for n, _, v in _fields(body[len(MAGIC) :])}
    type_meta = {n: v.decode() for n, _, v in _fields(envelope.get(1, b""))}
    kind = type_meta.get(2) or expected_kind()
    if kind not in KINDS:
        raise _unsupported(f"kind {kind}")
    obj = _decode(envelope.get(2, b""), KINDS[kind], kind)
    obj["apiVersion"] = type_meta.get(1, "")
    obj["kind"] = kind
    return obj
