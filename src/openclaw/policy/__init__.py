"""The policy layer: the only door to a cluster change.

Build an `ActionRequest`, pass it to `PolicyEngine.submit()` (in `openclaw.policy.engine`), act on
the returned `Decision`. Executors demand an `Approval`, which only the engine mints.
"""

from __future__ import annotations

from openclaw.policy.grant import Approval
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Decision, Outcome, Verdict

__all__ = ["ActionKind", "ActionRequest", "Actor", "Approval", "Decision", "Outcome", "Verdict"]
