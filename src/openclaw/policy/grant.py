"""`Approval`: the value every mutating operation demands, which only the policy engine mints.

Python cannot make a constructor truly private, so three things keep the door shut together: the
constructor checks a module-private seal, `mint` is imported only by `policy/engine.py` (a test
walks the imports), and every executor and mutating client method takes an `Approval` (another test
walks their signatures), so a call that skips `policy.submit()` does not type-check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_SEAL = object()


@dataclass(frozen=True, slots=True)
class Approval:
    """Permission to run one action once: which audit record, which kind, which target, dry or not."""

    action_id: str
    kind: str
    target: str
    dry_run: bool
    _seal: object = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise PermissionError("an Approval is issued by policy.submit() only")

    def covers(self, kind: str, target: str) -> bool:
        return self.kind == kind and self.target == target


def mint(action_id: str, kind: str, target: str, *, dry_run: bool) -> Approval:
    """Issue an Approval; called by the policy engine after every rule has passed."""
    return Approval(action_id, kind, target, dry_run, _SEAL)
