"""Small helpers over object metadata: timestamps, owner references, names."""

from __future__ import annotations

import hashlib
import json
import secrets
import string
from datetime import UTC, datetime
from typing import Any

_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def timestamp(moment: datetime) -> str:
    """RFC 3339 in whole seconds with a Z, as `metav1.Time` serializes."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_timestamp(moment: datetime) -> str:
    """RFC 3339 with microseconds, as `metav1.MicroTime` (Lease, Event eventTime) serializes."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def random_suffix(length: int = 5) -> str:
    """The 5-character suffix of generated names (consonants and digits, like the apiserver's)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def template_hash(template: dict[str, Any]) -> str:
    """A stable short hash of a pod template, used as `pod-template-hash`."""
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    value = int(digest[:12], 16)
    out = ""
    while len(out) < 10:
        out += _ALPHABET[value % len(_ALPHABET)]
        value //= len(_ALPHABET)
    return out


def owner_ref(owner: dict[str, Any], *, controller: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def controller_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    for ref in obj.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def is_owned_by(obj: dict[str, Any], owner_uid: str) -> bool:
    return any(ref.get("uid") == owner_uid for ref in obj.get("metadata", {}).get("ownerReferences") or [])


def name_of(obj: dict[str, Any]) -> str:
    return str(obj.get("metadata", {}).get("name", ""))


def namespace_of(obj: dict[str, Any]) -> str:
    return str(obj.get("metadata", {}).get("namespace") or "")


def labels_of(obj: dict[str, Any]) -> dict[str, str]:
    return dict(obj.get("metadata", {}).get("labels") or {})


def annotations_of(obj: dict[str, Any]) -> dict[str, str]:
    return dict(obj.get("metadata", {}).get("annotations") or {})


DNS_LABEL_CHARS = set(string.ascii_lowercase + string.digits + "-.")
