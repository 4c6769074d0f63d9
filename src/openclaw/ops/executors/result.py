"""What an executor reports back to the policy engine (and so to the audit log)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ExecResult:
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    changed: tuple[str, ...] = ()  # object keys the executor changed (or would have, in a dry run)
