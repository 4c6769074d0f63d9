"""An Approve/Deny answer from Slack (a button or `/openclaw approve ID`), checked before the policy
engine hears it: the user must hold operator.approvals in `slack.approvers`, the button's parameter
hash must match the action as audited, and the action must still wait for an answer and not be
past its expiry. Then `PolicyEngine.resolve` re-checks the rules and records the Slack user as the
one who decided (`slack:<user id>`). Any refusal changes nothing and says why."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from openclaw.config.schema import SlackSettings
from openclaw.errors import StateError
from openclaw.core.scopes import APPROVALS
from openclaw.policy.engine import PolicyEngine
from openclaw.policy.models import Outcome
from openclaw.slack.feed import param_hash


@dataclass(frozen=True, slots=True)
class Answer:
    ok: bool
    message: str


def approver_scopes(settings: SlackSettings, user: str) -> list[str]:
    return settings.approvers.get(user, [])


async def answer(engine: PolicyEngine, settings: SlackSettings, *, user: str, action_id: str, approve: bool,
                 expected_hash: str | None) -> Answer:
    """`expected_hash` is the button's; None for a typed command, which names the id only."""
    if APPROVALS not in approver_scopes(settings, user):
        return Answer(False, "You are not an approver here (slack.approvers); nothing was changed.")
    rec = engine.audit.get(action_id)
    if rec is None:
        return Answer(False, f"No action {action_id}.")
    if expected_hash is not None and not hmac.compare_digest(expected_hash, param_hash(rec.to_json())):
        return Answer(False, f"This button does not match action {action_id} as recorded; nothing was changed.")
    if rec.outcome != Outcome.PENDING or rec.resolution is not None:
        by = f" by {rec.resolved_by}" if rec.resolved_by else ""
        return Answer(False, f"Action {action_id} was already decided ({rec.resolution or rec.outcome}{by}).")
    try:  # past its expiry, the engine marks it expired and says so
        decision = await engine.resolve(action_id, approve=approve, by=f"slack:{user}")
    except StateError as exc:
        return Answer(False, str(exc))
    verb = "approved" if approve else "denied"
    return Answer(True, f"Action {action_id} {verb}: {decision.reason}")
