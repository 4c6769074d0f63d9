"""`Approval`: the value every mutating operation demands, which only the policy engine mints.

Python cannot make a constructor truly private, so several things keep the door shut together:
building an `Approval` outside `mint` raises (so does `dataclasses.replace`, which builds a new one:
an approval cannot be re-aimed at another kind, target or dry-run flag), the seal is no init field
(set by `mint` alone, and `permits` is False without it), `policy/mint.py` is imported by the engine
only (an import-linter contract in pyproject.toml), and every executor and mutating client method
takes an `Approval` and asks it `permits(kind, target)` for each object it touches.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

_SEAL = object()
# True only while `mint` builds one: the constructor refuses otherwise.
_ISSUING: contextvars.ContextVar[bool] = contextvars.ContextVar("openclaw_approval_issuing", default=False)


@dataclass(frozen=True, slots=True)
class Approval:
    """Permission to run one action once: which audit record, which kind, which target, dry or not,
    and for fan-out kinds (a drain's evictions, a jobs cleanup's deletions) the objects planned."""

    action_id: str
    kind: str
    target: str
    dry_run: bool
    planned: tuple[str, ...] = ()
    _seal: object = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _ISSUING.get():
            raise PermissionError("an Approval is issued by policy.submit() only")

    def permits(self, kind: str, target: str) -> bool:
        """True when this approval allows `kind` on the object keyed `target` (its own target, or
        one of the objects planned when it was decided)."""
        return self._seal is _SEAL and self.kind == kind and (target == self.target or target in self.planned)


def _issue(action_id: str, kind: str, target: str, dry_run: bool, planned: tuple[str, ...]) -> Approval:
    token = _ISSUING.set(True)
    try:
        approval = Approval(action_id, kind, target, dry_run, planned)
    finally:
        _ISSUING.reset(token)
    object.__setattr__(approval, "_seal", _SEAL)
    return approval
