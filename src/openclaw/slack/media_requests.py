"""Approve / Decline on the Slack message of a Seerr request waiting for approval.

The buttons are shown only when the policy would take the answer from Slack: a Seerr app is
configured, someone in `slack.approvers` holds operator.approvals, the mode is not observe, and the
kind (`media.request.approve` / `media.request.decline`) passes the rules that need no app read
(enabled). A button carries the action it submits, `<app>/<item id>|<hash of kind, target, params>`,
as incident approval buttons do.

A click is checked, in this order, before anything reaches the policy: the user holds
operator.approvals in `slack.approvers`; the hash matches; the message was not answered already (a
replayed or double click); the tracker knows the item's Seerr request (else Seerr is polled once)
and it still waits. Then the answer is one `PolicyEngine.submit()` as `operator:slack:<user>`,
resolved (it needs an operator by default) as `slack:<user>`: the audit names the Slack user both
times, and the rules are checked again before Seerr hears anything. Nothing here talks to Seerr.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openclaw.config.schema import OpsPolicySettings, SlackSettings
from openclaw.core.scopes import APPROVALS
from openclaw.errors import StateError
from openclaw.media.capability import MEDIA, Media
from openclaw.media.clients.seerr import REQUEST_PENDING, SeerrClient
from openclaw.media.refs import MediaTarget
from openclaw.media.stages import Stage
from openclaw.policy import rules
from openclaw.policy.capability import POLICY
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Decision, Outcome
from openclaw.slack.approvals import Answer, approver_scopes
from openclaw.slack.feed import Feed, param_hash

if TYPE_CHECKING:
    from openclaw.core.services import Services

log = logging.getLogger(__name__)

APPROVE, DECLINE = "media_request_approve", "media_request_decline"


@dataclass(frozen=True, slots=True)
class Button:
    kind: ActionKind
    verb: str
    label: str
    style: str


BUTTONS = {
    APPROVE: Button(ActionKind.MEDIA_REQUEST_APPROVE, "approve", "Approve", "primary"),
    DECLINE: Button(ActionKind.MEDIA_REQUEST_DECLINE, "decline", "Decline", "danger"),
}
REQUEST_STATUS = {1: "pending", 2: "approved", 3: "declined", 4: "failed", 5: "completed"}


def button_hash(kind: ActionKind, target: str) -> str:
    """What the button commits to: the action it submits (no params for either kind)."""
    return param_hash({"kind": str(kind), "target": target, "params": {}})


def button_value(kind: ActionKind, target: str) -> str:
    return f"{target}|{button_hash(kind, target)}"


def seerr_app(services: Services) -> str | None:
    media = services.find(MEDIA)
    client = media.clients.of(SeerrClient) if media is not None else None
    return client.name if client is not None else None


def offered(services: Services, slack: SlackSettings, item_key: str) -> list[tuple[str, str, str, str]]:
    """The buttons for the item's waiting request: (action id, label, value, style)."""
    return buttons_for(seerr_app(services), slack, services.config.settings.ops.policy, item_key)


def buttons_for(app: str | None, slack: SlackSettings, policy: OpsPolicySettings, item_key: str) -> list[tuple[str, str, str, str]]:
    if app is None or not any(APPROVALS in scopes for scopes in slack.approvers.values()):
        return []
    if policy.mode == "observe":
        return []  # the answer would be recorded and nothing sent: no button pointing nowhere
    try:
        target = MediaTarget.parse(f"{app}/{item_key}")
    except ValueError:
        return []
    out = []
    for action_id, b in BUTTONS.items():
        request: ActionRequest[Any] = ActionRequest(b.kind, target, Actor.operator("slack"), "offered in Slack")
        if rules.precheck(request, policy) is None:
            out.append((action_id, b.label, button_value(b.kind, target.key), b.style))
    return out


class MediaRequests:
    def __init__(self, services: Services, feed: Feed, settings: Callable[[], SlackSettings]) -> None:
        self.services = services
        self.feed = feed
        self.settings = settings

    async def click(self, user: str, action_id: str, value: str) -> Answer:
        button = BUTTONS[action_id]
        if APPROVALS not in approver_scopes(self.settings(), user):
            return Answer(False, "You are not an approver here (slack.approvers); nothing was changed.")
        target_key, _, digest = value.rpartition("|")
        try:
            target = MediaTarget.parse(target_key)
        except ValueError:
            return Answer(False, "This button does not name a media item; nothing was changed.")
        if not hmac.compare_digest(digest, button_hash(button.kind, target.key)):
            return Answer(False, f"This button does not match {button.kind} on {target.key}; nothing was changed.")
        item = self.feed.media_item(target.item)
        if item is None:
            return Answer(False, f"No Slack message for {target.item}; nothing was changed.")
        earlier = item.get("answer")
        if earlier is not None and not (earlier.get("final") and not earlier.get("ok")):
            past = {"approve": "approved", "decline": "declined"}.get(str(earlier.get("verb")), earlier.get("verb"))
            return Answer(False, f"This request was already answered: {past} by {earlier.get('by')}; nothing was changed.")
        # Claimed before the first await: a second click (or a replay) meanwhile finds it answered.
        self.feed.set_media_answer(target.item, {"verb": button.verb, "by": f"slack:{user}", "final": False})
        try:
            refusal = await self._still_waiting(target)
            if refusal is not None:
                self.feed.set_media_answer(target.item, earlier)
                return Answer(False, refusal)
            decision = await self._answer(button, target, user)
        except StateError as exc:  # the parked action expired or was answered in between
            self.feed.set_media_answer(target.item, earlier)
            return Answer(False, f"{exc}; nothing was changed.")
        except Exception:
            self.feed.set_media_answer(target.item, earlier)
            raise
        if decision.outcome in (Outcome.REFUSED, Outcome.OBSERVED):
            self.feed.set_media_answer(target.item, earlier)
            return Answer(False, f"The policy did not take it: {decision.reason}; nothing was changed.")
        if decision.outcome.final:  # ran within submit (no approval needed): the completion notice may have gone by
            self.feed.set_media_answer(target.item, self._final(button, user, decision), decision.action_id)
        log.info("slack.media_request_answered", extra={"user": user, "kind": str(button.kind), "target": target.key, "action_id": decision.action_id})
        return Answer(True, f"{button.kind} on {target.item}: {decision.reason}")

    def _media(self) -> Media | None:
        return self.services.find(MEDIA)

    async def _still_waiting(self, target: MediaTarget) -> str | None:
        media = self._media()
        if media is None:
            return "No media apps run on this gateway; nothing was changed."
        tracked = await media.item(target.item)
        if tracked is None or not tracked.ids.get("seerrRequest"):
            await media.poll_once()  # the webhook may not have named the request: ask Seerr once
            tracked = await media.item(target.item)
        if tracked is None or not tracked.ids.get("seerrRequest"):
            return f"{target.app} has no request for {target.item} that openclaw knows of; nothing was changed."
        status = (tracked.state.get("request") or {}).get("status")
        if tracked.stage is not Stage.REQUESTED or (status is not None and status != REQUEST_PENDING):
            now = REQUEST_STATUS.get(int(status), str(status)) if status is not None else str(tracked.stage)
            return f"{target.app} request {tracked.ids['seerrRequest']} no longer waits for approval ({now}); nothing was changed."
        return None

    async def _answer(self, button: Button, target: MediaTarget, user: str) -> Decision:
        engine = self.services.get(POLICY)
        by = f"slack:{user}"
        media = self._media()
        tracked = await media.item(target.item) if media is not None else None
        parked = [r for r in engine.audit.pending() if r.target == target.key and r.resolution is None
                  and r.kind in (str(ActionKind.MEDIA_REQUEST_APPROVE), str(ActionKind.MEDIA_REQUEST_DECLINE))]
        claim = {"verb": button.verb, "by": by, "final": False}
        same = next((r for r in parked if r.kind == str(button.kind)), None)
        if same is not None:  # the media runbook already asked for this: the click is that answer
            self.feed.set_media_answer(target.item, claim, same.id)
            decision = await engine.resolve(same.id, approve=True, by=by)
        else:
            request = ActionRequest(button.kind, target, Actor.operator(by), f"{button.label} clicked in Slack for Seerr request "
                                    f"{tracked.ids.get('seerrRequest') if tracked else '?'}", incident=tracked.incident if tracked else None)
            decision = await engine.submit(request)
            if decision.outcome is Outcome.PENDING:
                # known before the answer runs, so its completion finds the message
                self.feed.set_media_answer(target.item, claim, decision.action_id)
                decision = await engine.resolve(decision.action_id, approve=True, by=by)
        for other in parked:
            if other.kind != str(button.kind):  # the other answer, asked for earlier, is now moot
                try:
                    await engine.resolve(other.id, approve=False, by=by)
                except StateError:
                    pass  # answered or expired meanwhile
        return decision

    @staticmethod
    def _final(button: Button, user: str, decision: Decision) -> dict[str, Any]:
        return {"verb": button.verb, "by": f"slack:{user}", "final": True, "actionId": decision.action_id, "outcome": str(decision.outcome),
                "ok": decision.outcome is Outcome.APPLIED and not decision.verification_failed, "result": decision.result,
                "decision": decision.reason, "verification": decision.verification}
