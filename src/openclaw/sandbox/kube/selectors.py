"""Label and field selectors in the syntax of `?labelSelector=` and `?fieldSelector=`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openclaw.sandbox.kube.errors import bad_request

_SET_RE = re.compile(r"^\s*(!?)([A-Za-z0-9._/-]+)\s*(?:(in|notin)\s*\(([^)]*)\))?\s*$")
_EQ_RE = re.compile(r"^\s*([A-Za-z0-9._/-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)\s*$")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!exists"
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "=":
            return present and value == self.values[0]
        if self.op == "!=":
            return not present or value != self.values[0]
        if self.op == "in":
            return present and value in self.values
        if self.op == "notin":
            return not present or value not in self.values
        if self.op == "exists":
            return present
        return not present


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside `( )`."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p for p in parts if p.strip()]


def parse_labels(text: str | None) -> list[Requirement]:
    """Parse a label selector string; raises a 400 naming the bad term."""
    if not text:
        return []
    reqs: list[Requirement] = []
    for term in _split_top(text):
        m = _EQ_RE.match(term)
        if m:
            reqs.append(Requirement(m.group(1), "!=" if m.group(2) == "!=" else "=", (m.group(3),)))
            continue
        m = _SET_RE.match(term)
        if m:
            neg, key, op, values = m.groups()
            if op:
                if neg:
                    raise bad_request(f"unable to parse requirement: {term!r}: '!' cannot precede {op}")
                reqs.append(Requirement(key, op, tuple(v.strip() for v in values.split(",") if v.strip())))
            else:
                reqs.append(Requirement(key, "!exists" if neg else "exists"))
            continue
        raise bad_request(f"unable to parse requirement: found {term.strip()!r}, expected: key, key=value, key!=value, key in (v1,v2), key notin (v1), !key")
    return reqs


def labels_match(reqs: list[Requirement], labels: dict[str, str] | None) -> bool:
    labels = labels or {}
    return all(r.matches(labels) for r in reqs)


def selector_from_spec(selector: dict[str, Any] | None) -> list[Requirement]:
    """Requirements of a `LabelSelector` object (matchLabels + matchExpressions)."""
    if not selector:
        return []
    reqs = [Requirement(k, "=", (str(v),)) for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}[expr["operator"]]
        reqs.append(Requirement(expr["key"], op, tuple(expr.get("values") or ())))
    return reqs


def selector_string(selector: dict[str, Any] | None) -> str:
    """Render a `LabelSelector` object the way kubectl prints it."""
    if not selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op = expr["operator"]
        if op in ("In", "NotIn"):
            parts.append(f"{expr['key']} {op.lower()} ({','.join(expr.get('values') or [])})")
        else:
            parts.append(expr["key"] if op == "Exists" else "!" + expr["key"])
    return ",".join(parts) or "<none>"


def _field_value(obj: dict[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def parse_fields(text: str | None) -> Callable[[dict[str, Any]], bool]:
    """A predicate for a field selector (`a.b=v`, `a.b==v`, `a.b!=v`, comma-joined)."""
    if not text:
        return lambda obj: True
    terms: list[tuple[str, bool, str]] = []
    for term in text.split(","):
        if not term.strip():
            continue
        m = re.match(r"^\s*([A-Za-z0-9._]+)\s*(==|=|!=)\s*(.*?)\s*$", term)
        if not m:
            raise bad_request(f"invalid field selector term {term!r}: expected field=value or field!=value")
        terms.append((m.group(1), m.group(2) != "!=", m.group(3)))

    def predicate(obj: dict[str, Any]) -> bool:
        for path, equal, value in terms:
            got = _field_value(obj, path)
            if path == "metadata.namespace" and not obj.get("metadata", {}).get("namespace"):
                got = ""
            if (got == value) != equal:
                return False
        return True

    return predicate
