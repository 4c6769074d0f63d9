"""Kubernetes resource quantities (`500m`, `2`, `128Mi`, `1.5Gi`) as numbers."""

from __future__ import annotations

import re

_SUFFIX = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
           "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60}
_QUANTITY = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([a-zA-Z]{0,2})\s*$")


def parse(value: str | int | float) -> float:
    """CPU in cores, memory and storage in bytes. Raises ValueError naming the text it could not read."""
    if isinstance(value, int | float):
        return float(value)
    m = _QUANTITY.match(value)
    if not m or m.group(2) not in _SUFFIX:
        raise ValueError(f"not a Kubernetes quantity: {value!r} (expected e.g. 500m, 2, 128Mi)")
    return float(m.group(1)) * _SUFFIX[m.group(2)]
