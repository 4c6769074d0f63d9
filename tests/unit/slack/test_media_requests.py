"""Approve / Decline on a waiting Seerr request's message: which buttons the policy would take, what
the message says before and after the answer, and that the feed shows buttons only while the
question is open (a real outbox in SQLite; no Slack needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openclaw.config.schema import OpsPolicySettings, SlackSettings
from openclaw.policy.models import ActionKind
from openclaw.slack import render
from openclaw.slack.feed import Feed, param_hash
from openclaw.slack.media_requests import APPROVE, DECLINE, button_hash, button_value, buttons_for
from openclaw.slack.outbox import Outbox

EEAAO = "movie:tmdb:545611"
SLACK = SlackSettings.model_validate({"enabled": True, "channels": {"default": "CINCIDENTS", "media": "CMEDIA"}, "debounce": 0.0,
                                      "approvers": {"UAPP": ["operator.read", "operator.approvals"]}})


def policy(**over: Any) -> OpsPolicySettings:
    return OpsPolicySettings.model_validate(over)


def test_buttons_are_offered_only_when_the_policy_would_take_the_answer() -> None:
    both = buttons_for("jellyseerr", SLACK, policy(), EEAAO)
    assert [(b[0], b[1], b[3]) for b in both] == [(APPROVE, "Approve", "primary"), (DECLINE, "Decline", "danger")]
    assert both[0][2] == f"jellyseerr/{EEAAO}|{param_hash({'kind': 'media.request.approve', 'target': f'jellyseerr/{EEAAO}', 'params': {}})}"
    assert both[1][2] == button_value(ActionKind.MEDIA_REQUEST_DECLINE, f"jellyseerr/{EEAAO}") != both[0][2]
    disabled = policy(actions={"media.request.decline": {"enabled": False}})
    assert [b[0] for b in buttons_for("jellyseerr", SLACK, disabled, EEAAO)] == [APPROVE]
    assert buttons_for("jellyseerr", SLACK, policy(mode="observe"), EEAAO) == [], "observe executes nothing: no button"
    assert [b[0] for b in buttons_for("jellyseerr", SLACK, policy(mode="dry-run"), EEAAO)] == [APPROVE, DECLINE]
    readers = SlackSettings.model_validate({"approvers": {"UREAD": ["operator.read"]}})
    assert buttons_for("jellyseerr", readers, policy(), EEAAO) == [], "nobody in slack.approvers could answer"
    assert buttons_for(None, SLACK, policy(), EEAAO) == [], "no Seerr configured"
    assert buttons_for("jellyseerr", SLACK, policy(), "not-an-item") == []


def test_the_hash_commits_to_the_kind_and_the_target() -> None:
    target = f"jellyseerr/{EEAAO}"
    assert button_hash(ActionKind.MEDIA_REQUEST_APPROVE, target) != button_hash(ActionKind.MEDIA_REQUEST_DECLINE, target)
    assert button_hash(ActionKind.MEDIA_REQUEST_APPROVE, target) != button_hash(ActionKind.MEDIA_REQUEST_APPROVE, "jellyseerr/movie:tmdb:1")


def blocks_text(body: dict[str, Any]) -> str:
    return json.dumps(body["blocks"], ensure_ascii=False)


def test_the_message_says_who_answered_and_what_came_of_it() -> None:
    item = {"key": EEAAO, "phase": "waiting for approval", "summary": "seerr MEDIA_PENDING: EEAAO (2022)"}
    asked = render.media_item(item, buttons_for("jellyseerr", SLACK, policy(), EEAAO))
    actions = [b for b in asked["blocks"] if b["type"] == "actions"][0]["elements"]
    assert [(e["action_id"], e["text"]["text"], e["style"]) for e in actions] == [(APPROVE, "Approve", "primary"), (DECLINE, "Decline", "danger")]
    assert asked["text"] == "waiting for approval: seerr MEDIA_PENDING: EEAAO (2022)"
    deciding = render.media_item({**item, "answer": {"verb": "approve", "by": "slack:UAPP", "final": False}})
    assert "approved by <@UAPP>, asking Seerr" in blocks_text(deciding) and '"actions"' not in blocks_text(deciding)
    done = render.media_item({**item, "answer": {"verb": "decline", "by": "slack:UAPP", "final": True, "ok": True, "outcome": "applied",
                                                 "result": "declined jellyseerr request 7 for movie:tmdb:545611", "verification": "passed"}})
    assert ":white_check_mark: declined by <@UAPP> · declined jellyseerr request 7 for movie:tmdb:545611 (verification passed)" in blocks_text(done)
    assert done["text"].endswith("(declined by slack:UAPP)")
    failed = render.media_item({**item, "answer": {"verb": "approve", "by": "slack:UAPP", "final": True, "ok": False, "outcome": "failed",
                                                   "result": "jellyseerr: POST /request/7/approve: 409 <Only pending>"}})
    assert ":x: approve by <@UAPP> did not go through (failed): jellyseerr: POST /request/7/approve: 409 &lt;Only pending&gt;" in blocks_text(failed)


def shown(outbox: Outbox) -> dict[str, Any]:
    rows = [r for r in outbox.due(1e12, set()) if r.key == f"media:{EEAAO}"]
    assert rows, "the item's message is queued"
    return rows[-1].body


def test_the_feed_shows_buttons_while_the_question_is_open(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "slack.db", limit=100)
    offered: list[str] = []

    def buttons(key: str) -> list[tuple[str, str, str, str]]:
        offered.append(key)
        return buttons_for("jellyseerr", SLACK, policy(), key)

    feed = Feed(outbox, lambda: SLACK, lambda: None, clock=lambda: 1000.0, media_buttons=buttons)
    feed._media({"itemKey": EEAAO, "type": "MEDIA_PENDING", "source": "seerr", "summary": "EEAAO"})
    assert offered == [EEAAO] and APPROVE in blocks_text(shown(outbox))
    feed.set_media_answer(EEAAO, {"verb": "approve", "by": "slack:UAPP", "final": False}, "act_1")
    assert APPROVE not in blocks_text(shown(outbox)) and "asking Seerr" in blocks_text(shown(outbox))
    # the action failed at Seerr: the outcome is shown and the question is open again
    feed._media_answered({"id": "act_1", "outcome": "failed", "result": "jellyseerr: 502"})
    assert "did not go through" in blocks_text(shown(outbox)) and APPROVE in blocks_text(shown(outbox))
    feed.set_media_answer(EEAAO, {"verb": "approve", "by": "slack:UAPP", "final": False}, "act_2")
    feed._media_answered({"id": "act_2", "outcome": "applied", "result": "approved jellyseerr request 7", "verification": "passed"})
    body = shown(outbox)
    assert "approved by <@UAPP>" in blocks_text(body) and APPROVE not in blocks_text(body)
    assert feed.media_item(EEAAO)["answer"]["ok"] is True  # type: ignore[index]
    # later events keep the answer on the message; a new request after a decline is a new question
    feed._media({"itemKey": EEAAO, "type": "MEDIA_APPROVED", "source": "seerr", "summary": "EEAAO"})
    assert "approved by <@UAPP>" in blocks_text(shown(outbox)) and APPROVE not in blocks_text(shown(outbox))
    feed._media({"itemKey": EEAAO, "type": "MEDIA_PENDING", "source": "seerr", "summary": "EEAAO again"})
    assert "approved by" not in blocks_text(shown(outbox)) and APPROVE in blocks_text(shown(outbox))
    # an approval request asked and answered by that click is not posted a second time
    feed._approval_requested({"id": "act_3", "kind": "media.request.decline", "target": f"jellyseerr/{EEAAO}", "actor": "operator:slack:UAPP"})
    assert not outbox.has_waiting("approval:act_3")
    outbox.close()
