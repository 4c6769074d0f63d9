"""What Slack should show, from the gateway's notices: one root message per incident group, updated
in place, its thread filled with the timeline, and approval requests with buttons.

Incidents routed to the same channel within `slack.groupingWindow` of a group's first share its
root (a storm of incidents is one message); each message waits `slack.debounce` for more changes
before it is sent, and a change to a message not sent yet rewrites it (see `Outbox.put_message`).
The feed only writes rows; the sender does the talking, so a notice is handled in microseconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from openclaw.config.schema import SlackSettings
from openclaw.incidents.models import severity_rank
from openclaw.slack import render
from openclaw.slack.outbox import Outbox, QueueFull

log = logging.getLogger(__name__)

# What a media event means for its item; events not listed (renames, deletes...) are not shown.
MEDIA_PHASES = {
    "MEDIA_PENDING": "waiting for approval", "MEDIA_APPROVED": "approved", "MEDIA_AUTO_APPROVED": "approved", "Grab": "downloading",
    "ManualInteractionRequired": "stuck: needs a manual import", "DownloadFailure": "stuck: download failed",
    "ImportFailure": "stuck: import failed", "MEDIA_FAILED": "stuck: failed", "Download": "available", "MEDIA_AVAILABLE": "available",
    "MEDIA_DECLINED": "declined",
}
# Answers to a waiting Seerr request given on the item's own message.
MEDIA_ANSWERS = ("media.request.approve", "media.request.decline")
# An item gets its message when one of these happens; later events edit it and go into its thread.
MEDIA_WORTH_A_MESSAGE = ("waiting for approval", "stuck", "available")


MediaButtons = Callable[[str], list[tuple[str, str, str, str]]]


def param_hash(rec: dict[str, Any]) -> str:
    """What an approval button commits to: the action's kind, target and parameters."""
    canon = json.dumps({"kind": rec["kind"], "target": rec["target"], "params": rec.get("params") or {}}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def root_key(group_id: str) -> str:
    return f"root:{group_id}"


def approval_key(action_id: str) -> str:
    return f"approval:{action_id}"


class Feed:
    def __init__(self, outbox: Outbox, settings: Callable[[], SlackSettings], wake: Callable[[], None],
                 clock: Callable[[], float] = time.time, media_buttons: MediaButtons = lambda key: []) -> None:
        self.outbox = outbox
        self._settings = settings
        self._wake = wake
        self._clock = clock
        # The answers to a waiting Seerr request the policy would take now (slack/media_requests.py).
        self._media_buttons = media_buttons
        self.dropped = 0

    async def on_notice(self, topic: str, payload: dict[str, Any]) -> None:
        if topic.startswith("incident.") and "id" in payload and "status" in payload:
            self._incident(topic, payload)
        elif topic == "runbook.completed":
            self._runbook(payload)
        elif topic in ("action.decided", "action.completed"):
            self._action(topic, payload)
        elif topic == "approval.requested":
            self._approval_requested(payload)
        elif topic == "approval.resolved":
            self._approval_resolved(payload)
        elif topic == "media.event":
            self._media(payload)
        else:
            return
        self._wake()

    # ---- incidents -----------------------------------------------------------------------------

    def _incident(self, topic: str, inc: dict[str, Any]) -> None:
        s = self._settings()
        now = self._clock()
        group_id = self.outbox.get_state(f"incident:{inc['id']}")
        if group_id is None:
            if inc["status"] != "firing" or severity_rank(inc.get("severity")) < severity_rank(s.min_severity):
                return
            channel = s.channels.for_severity(inc.get("severity"))
            if channel is None:
                return
            group_id = self._group_for(channel, inc["id"], now, s.grouping_window)
            self.outbox.set_state(f"incident:{inc['id']}", group_id)
        group = self.outbox.get_state(f"group:{group_id}")
        member = group["incidents"].setdefault(inc["id"], {"id": inc["id"], "phase": "firing"})
        member.update(title=inc.get("title"), severity=inc.get("severity"), namespace=inc.get("namespace"), alerts=inc.get("alertCount", 0))
        if inc["status"] == "resolved":
            member["phase"] = "resolved"
        elif member["phase"] == "resolved":  # fired again
            member["phase"] = "firing"
        note = inc.get("note")
        if isinstance(note, dict):
            if note.get("kind") == "escalation" and member["phase"] != "resolved":
                member["phase"] = "escalated"
            self._thread(group_id, group, render.note_entry(note))
        self._save(group_id, group)

    def _group_for(self, channel: str, incident_id: str, now: float, window: float) -> str:
        open_id = self.outbox.get_state(f"open-group:{channel}")
        if open_id is not None:
            group = self.outbox.get_state(f"group:{open_id}")
            if group is not None and now - float(group["openedAt"]) <= window:
                return str(open_id)
        group_id = incident_id
        self.outbox.set_state(f"group:{group_id}", {"channel": channel, "openedAt": now, "incidents": {}, "mutedBy": None})
        self.outbox.set_state(f"open-group:{channel}", group_id)
        return group_id

    def _save(self, group_id: str, group: dict[str, Any]) -> None:
        self.outbox.set_state(f"group:{group_id}", group)
        self.outbox.put_message(root_key(group_id), group["channel"], render.group_root(group_id, group), now=self._clock(),
                                delay=self._settings().debounce)

    def _thread(self, group_id: str, group: dict[str, Any], body: dict[str, Any]) -> None:
        if group.get("mutedBy"):
            return
        try:
            self.outbox.post(group["channel"], body, now=self._clock(), thread_key=root_key(group_id))
        except QueueFull as exc:
            self.dropped += 1
            log.warning("slack.thread_entry_dropped", extra={"group": group_id, "detail": str(exc)})

    def _tracked(self, incident_id: Any) -> tuple[str, dict[str, Any]] | None:
        if not isinstance(incident_id, str):
            return None
        group_id = self.outbox.get_state(f"incident:{incident_id}")
        if group_id is None:
            return None
        group = self.outbox.get_state(f"group:{group_id}")
        return (str(group_id), group) if group is not None else None

    def _runbook(self, payload: dict[str, Any]) -> None:
        tracked = self._tracked(payload.get("incident"))
        if tracked is None:
            return
        group_id, group = tracked
        member = group["incidents"].get(payload["incident"])
        if member is not None and payload.get("status") == "escalated" and member["phase"] != "resolved":
            member["phase"] = "escalated"
            self._save(group_id, group)
        self._thread(group_id, group, render.runbook_entry(payload))

    def _action(self, topic: str, rec: dict[str, Any]) -> None:
        if topic == "action.completed":
            self._media_answered(rec)
        tracked = self._tracked(rec.get("incident"))
        if tracked is None:
            return
        group_id, group = tracked
        member = group["incidents"].get(rec["incident"])
        outcome = rec.get("outcome")
        if topic == "action.decided":
            if outcome == "applied" and member is not None and member["phase"] != "resolved":
                member["phase"] = "fixing"
                self._save(group_id, group)
            return
        if outcome == "pending_approval":
            return
        if member is not None and member["phase"] != "resolved" and outcome == "applied":
            member["phase"] = "fixed" if rec.get("verification") in ("passed", None) or str(rec.get("verification")).startswith("skipped") else "firing"
            self._save(group_id, group)
        self._thread(group_id, group, render.action_entry(rec))

    # ---- approvals -----------------------------------------------------------------------------

    def _approval_requested(self, rec: dict[str, Any]) -> None:
        if str(rec.get("actor")).startswith("operator:slack:") and rec.get("kind") in MEDIA_ANSWERS:
            return  # asked and answered with one click on the item's message (slack/media_requests.py)
        tracked = self._tracked(rec.get("incident"))
        if tracked is not None:
            group_id, group = tracked
            channel, thread = group["channel"], root_key(group_id)
        else:
            channel, thread = self._settings().channels.default, None
            if channel is None:
                log.warning("slack.approval_not_posted", extra={"action_id": rec["id"], "detail": "no slack.channels.default"})
                return
        body = render.approval_request(rec, f"{rec['id']}:{param_hash(rec)}")
        self.outbox.post(channel, body, now=self._clock(), key=approval_key(rec["id"]), thread_key=thread, essential=True)

    def _approval_resolved(self, rec: dict[str, Any]) -> None:
        key = approval_key(rec["id"])
        if self.outbox.posted(key) is None and not self.outbox.has_waiting(key):
            return  # never shown in Slack (asked before Slack was set up)
        self.outbox.put_message(key, "", render.approval_outcome(rec), now=self._clock())

    # ---- media ---------------------------------------------------------------------------------

    def _media(self, event: dict[str, Any]) -> None:
        phase = MEDIA_PHASES.get(str(event.get("type")))
        key = event.get("itemKey")
        if phase is None or not isinstance(key, str):
            return
        s = self._settings()
        state_key = f"media:{key}"
        item = self.outbox.get_state(state_key)
        if item is None:
            channel = s.channels.media or s.channels.default
            if channel is None or not phase.startswith(MEDIA_WORTH_A_MESSAGE):
                return
            item = {"channel": channel, "key": key}
        else:
            self._media_thread(item, event, phase)
        if phase == "waiting for approval" and item.get("phase") != phase:
            item.pop("answer", None)  # asked again (a new request after a decline): a new question
        item.update(phase=phase, summary=event.get("summary") or key, source=event.get("source"))
        self.outbox.set_state(state_key, item)
        self._show_media(item, delay=s.debounce)

    def _show_media(self, item: dict[str, Any], *, delay: float = 0.0) -> None:
        answer = item.get("answer")
        open_question = item.get("phase") == "waiting for approval" and (answer is None or (answer.get("final") and not answer.get("ok")))
        buttons = self._media_buttons(item["key"]) if open_question else []
        self.outbox.put_message(f"media:{item['key']}", item["channel"], render.media_item(item, buttons), now=self._clock(), delay=delay)

    def media_item(self, key: str) -> dict[str, Any] | None:
        found = self.outbox.get_state(f"media:{key}")
        return found if isinstance(found, dict) else None

    def set_media_answer(self, key: str, answer: dict[str, Any] | None, action_id: str | None = None) -> None:
        """Record (or with None, take back) a Slack answer to the item's request and show it at once."""
        item = self.media_item(key)
        if item is None:
            return
        if answer is None:
            item.pop("answer", None)
        else:
            item["answer"] = answer
        if action_id is not None:
            self.outbox.set_state(f"media-action:{action_id}", key)
        self.outbox.set_state(f"media:{key}", item)
        self._show_media(item)
        self._wake()

    def _media_answered(self, rec: dict[str, Any]) -> None:
        key = self.outbox.get_state(f"media-action:{rec.get('id')}")
        item = self.media_item(key) if isinstance(key, str) else None
        if item is None or rec.get("outcome") == "pending_approval":
            return
        answer = dict(item.get("answer") or {})
        answer.update(final=True, ok=rec.get("outcome") == "applied" and not str(rec.get("verification") or "").startswith("failed"),
                      outcome=rec.get("outcome"), result=rec.get("result"), decision=rec.get("decision"), verification=rec.get("verification"),
                      actionId=rec.get("id"))
        item["answer"] = answer
        self.outbox.set_state(f"media:{item['key']}", item)
        self._show_media(item)

    def _media_thread(self, item: dict[str, Any], event: dict[str, Any], phase: str) -> None:
        try:
            self.outbox.post(item["channel"], render.media_entry(event, phase), now=self._clock(), thread_key=f"media:{item['key']}")
        except QueueFull as exc:
            self.dropped += 1
            log.warning("slack.thread_entry_dropped", extra={"item": item["key"], "detail": str(exc)})

    # ---- mute ----------------------------------------------------------------------------------

    def set_muted(self, group_id: str, by: str | None) -> bool:
        group = self.outbox.get_state(f"group:{group_id}")
        if group is None:
            return False
        group["mutedBy"] = by
        self._save(group_id, group)
        self._wake()
        return True
