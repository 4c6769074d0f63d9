"""The eval's stand-in operator: approves the parked actions of the kinds a scenario names.

It answers through `PolicyEngine.resolve`, the path an operator's click or `openclaw approvals
approve` takes, so the rules are checked again when the action runs; nothing bypasses policy.
Kinds the scenario does not name stay parked until they expire, as with an absent operator.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from openclaw.errors import StateError
from openclaw.policy.engine import PolicyEngine

log = logging.getLogger(__name__)

APPROVER = "operator:eval"


async def approve_once(engine: PolicyEngine, kinds: frozenset[str]) -> list[str]:
    """Approve every unanswered parked action of `kinds` now; returns their ids."""
    approved = []
    for rec in engine.audit.pending():
        if rec.kind not in kinds or rec.resolution is not None:
            continue
        try:
            await engine.resolve(rec.id, approve=True, by=APPROVER)
        except StateError:  # expired or answered meanwhile: nothing to approve
            log.info("eval.approval_skipped", extra={"action_id": rec.id})
            continue
        approved.append(rec.id)
    return approved


async def stand_in(engine: PolicyEngine, kinds: Iterable[str], *, interval_s: float = 0.1) -> None:
    """Approve parked actions of `kinds` as they appear, until cancelled."""
    wanted = frozenset(kinds)
    if not wanted:
        return
    while True:
        await approve_once(engine, wanted)
        await asyncio.sleep(interval_s)
