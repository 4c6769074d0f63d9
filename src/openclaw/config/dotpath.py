"""Dotted/bracket config paths: `gateway.auth.token`, `hooks.mappings[0].match.path`, `a\\.b`."""

from __future__ import annotations

import re
from typing import Any

from openclaw.errors import ConfigPathError

Segment = str | int
_MISSING = object()


def parse(path: str) -> list[Segment]:
    """Split a path into keys (str) and list indexes (int).

    A backslash escapes a dot or bracket inside a key. Raises ConfigPathError on an empty key or an
    unclosed bracket, naming the path.
    """
    if not path or not path.strip():
        raise ConfigPathError("config path is empty; expected something like gateway.port")
    segments: list[Segment] = []
    key = ""
    i = 0
    pending_key = True
    while i < len(path):
        ch = path[i]
        if ch == "\\" and i + 1 < len(path):
            key += path[i + 1]
            i += 2
            continue
        if ch == ".":
            if key:
                segments.append(key)
            elif pending_key:
                raise ConfigPathError(f"config path {path!r} has an empty key at position {i}")
            key = ""
            pending_key = True
            i += 1
            continue
        if ch == "[":
            if key:
                segments.append(key)
                key = ""
            end = path.find("]", i)
            if end < 0:
                raise ConfigPathError(f"config path {path!r} has an unclosed '['")
            inner = path[i + 1 : end].strip()
            if re.fullmatch(r"\d+", inner):
                segments.append(int(inner))
            elif len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "\"'":
                segments.append(inner[1:-1])
            else:
                raise ConfigPathError(f"config path {path!r}: expected a list index or quoted key in [{inner}]")
            i = end + 1
            pending_key = False
            continue
        key += ch
        pending_key = False
        i += 1
    if key:
        segments.append(key)
    elif pending_key:
        raise ConfigPathError(f"config path {path!r} ends with an empty key")
    return segments


def format_path(segments: list[Segment] | tuple[Segment, ...]) -> str:
    out = ""
    for seg in segments:
        if isinstance(seg, int):
            out += f"[{seg}]"
        else:
            escaped = seg.replace(".", "\\.")
            out += escaped if not out else "." + escaped
    return out


def get(tree: Any, segments: list[Segment]) -> Any:
    """The value at `segments`, or raise KeyError when any step is absent."""
    node = tree
    for seg in segments:
        if isinstance(seg, int):
            if not isinstance(node, list) or seg >= len(node):
                raise KeyError(seg)
            node = node[seg]
        else:
            if not isinstance(node, dict) or seg not in node:
                raise KeyError(seg)
            node = node[seg]
    return node


def has(tree: Any, segments: list[Segment]) -> bool:
    try:
        get(tree, segments)
    except KeyError:
        return False
    return True


def set_in(tree: dict[str, Any], segments: list[Segment], value: Any) -> None:
    """Set a value, creating dicts (or lists for an int next step) on the way."""
    node: Any = tree
    for idx, seg in enumerate(segments[:-1]):
        nxt = segments[idx + 1]
        child = _step(node, seg)
        if child is _MISSING or not isinstance(child, (dict, list)):
            child = [] if isinstance(nxt, int) else {}
            _assign(node, seg, child)
        node = child
    _assign(node, segments[-1], value)


def unset(tree: dict[str, Any], segments: list[Segment]) -> bool:
    """Remove the value; True when something was removed. Empty parents are pruned."""
    parents: list[tuple[Any, Segment]] = []
    node: Any = tree
    for seg in segments[:-1]:
        child = _step(node, seg)
        if child is _MISSING:
            return False
        parents.append((node, seg))
        node = child
    last = segments[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            return False
        node.pop(last)
    else:
        if not isinstance(node, dict) or last not in node:
            return False
        del node[last]
    for parent, seg in reversed(parents):
        child = _step(parent, seg)
        if isinstance(child, dict) and not child:
            if isinstance(parent, dict):
                del parent[seg]
        else:
            break
    return True


def _step(node: Any, seg: Segment) -> Any:
    if isinstance(seg, int):
        return node[seg] if isinstance(node, list) and seg < len(node) else _MISSING
    return node.get(seg, _MISSING) if isinstance(node, dict) else _MISSING


def _assign(node: Any, seg: Segment, value: Any) -> None:
    if isinstance(seg, int):
        if not isinstance(node, list):
            raise ConfigPathError(f"cannot index a non-list with [{seg}]")
        if seg < len(node):
            node[seg] = value
        elif seg == len(node):
            node.append(value)
        else:
            raise ConfigPathError(f"list index [{seg}] is past the end (length {len(node)}); append with [{len(node)}]")
    else:
        if not isinstance(node, dict):
            raise ConfigPathError(f"cannot set key {seg!r} inside a non-object value")
        node[seg] = value
