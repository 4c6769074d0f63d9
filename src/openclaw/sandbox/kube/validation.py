"""Checks a create or update must pass; failures become 422 Invalid with one cause per field."""

from __future__ import annotations

import re
from typing import Any

from openclaw.sandbox.kube.errors import invalid
from openclaw.sandbox.kube.resources import ResourceType
from openclaw.sandbox.kube.selectors import labels_match, selector_from_spec

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

Cause = tuple[str, str, str]


def _name(rtype: ResourceType, name: str) -> list[Cause]:
    pattern = _LABEL if rtype.kind in ("Namespace", "Service") else _SUBDOMAIN
    if not name:
        return [("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")]
    if len(name) > 253 or not pattern.match(name):
        return [("metadata.name", "FieldValueInvalid", f"Invalid value: {name!r}: a lowercase RFC 1123 name must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]
    return []


def _containers(path: str, pod_spec: dict[str, Any]) -> list[Cause]:
    causes: list[Cause] = []
    containers = pod_spec.get("containers")
    if not containers:
        return [(f"{path}.containers", "FieldValueRequired", "Required value")]
    seen: set[str] = set()
    for n, c in enumerate(containers):
        if not c.get("name"):
            causes.append((f"{path}.containers[{n}].name", "FieldValueRequired", "Required value"))
        elif c["name"] in seen:
            causes.append((f"{path}.containers[{n}].name", "FieldValueDuplicate", f"Duplicate value: {c['name']!r}"))
        seen.add(c.get("name", ""))
        if not c.get("image"):
            causes.append((f"{path}.containers[{n}].image", "FieldValueRequired", "Required value"))
    return causes


def _workload(obj: dict[str, Any]) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    template = spec.get("template") or {}
    selector = spec.get("selector")
    if obj["kind"] != "Job" or selector:
        if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
            causes.append(("spec.selector", "FieldValueRequired", "Required value"))
        elif not labels_match(selector_from_spec(selector), (template.get("metadata") or {}).get("labels")):
            causes.append(("spec.template.metadata.labels", "FieldValueInvalid", "Invalid value: `selector` does not match template `labels`"))
    replicas = spec.get("replicas")
    if replicas is not None and (not isinstance(replicas, int) or replicas < 0):
        causes.append(("spec.replicas", "FieldValueInvalid", f"Invalid value: {replicas!r}: must be greater than or equal to 0"))
    causes += _containers("spec.template.spec", template.get("spec") or {})
    return causes


def validate(rtype: ResourceType, obj: dict[str, Any]) -> None:
    """Raise 422 Invalid naming each bad field; return quietly when the object is acceptable."""
    meta = obj.get("metadata") or {}
    name = str(meta.get("name") or "")
    causes = _name(rtype, name)
    for key, value in (meta.get("labels") or {}).items():
        if not isinstance(value, str) or len(value) > 63 or (value and not re.match(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", value)):
            causes.append((f"metadata.labels", "FieldValueInvalid", f"Invalid value: {value!r}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.' (key {key!r})"))
    kind = rtype.kind
    if kind == "Pod":
        causes += _containers("spec", obj.get("spec") or {})
    elif kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"):
        causes += _workload(obj)
    elif kind == "CronJob":
        spec = obj.get("spec") or {}
        if not spec.get("schedule"):
            causes.append(("spec.schedule", "FieldValueRequired", "Required value"))
        else:
            from croniter import croniter

            if not croniter.is_valid(spec["schedule"]):
                causes.append(("spec.schedule", "FieldValueInvalid", f"Invalid value: {spec['schedule']!r}: unparseable cron schedule"))
        causes += _containers("spec.jobTemplate.spec.template.spec", ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec") or {})
    elif kind == "ConfigMap":
        for key, value in (obj.get("data") or {}).items():
            if not isinstance(value, str):
                causes.append((f"data[{key}]", "FieldValueTypeInvalid", "Invalid value: expected a string"))
    if causes:
        raise invalid(kind, name, causes, rtype.group)
