"""Slack messages as Block Kit JSON: an incident group's root, its thread entries, approvals.

Pure functions of plain dicts, so what a message says is tested without Slack. `text` is always
set: it is what notifications and screen readers show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# firing -> fixing (an action runs) -> fixed (it verified) / escalated (a runbook gave up) -> resolved
PHASE_ORDER = ("resolved", "fixed", "fixing", "escalated", "firing")
_PHASE_MARK = {"firing": ":red_circle:", "fixing": ":hammer_and_wrench:", "fixed": ":large_green_circle:",
               "escalated": ":rotating_light:", "resolved": ":white_check_mark:"}
_LISTED = 15


def phase_of(members: dict[str, dict[str, Any]]) -> str:
    """A group reads as its least settled incident."""
    phases = [str(m.get("phase", "firing")) for m in members.values()] or ["firing"]
    return max(phases, key=lambda p: PHASE_ORDER.index(p) if p in PHASE_ORDER else len(PHASE_ORDER))


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def who(actor: str | None) -> str:
    """`slack:U123` as a Slack mention, anything else as written."""
    if actor and actor.startswith("slack:"):
        return f"<@{actor.removeprefix('slack:')}>"
    return _escape(actor or "someone")


def group_root(group_id: str, group: dict[str, Any]) -> dict[str, Any]:
    members: dict[str, dict[str, Any]] = group["incidents"]
    phase = phase_of(members)
    mark = _PHASE_MARK.get(phase, "")
    first = next(iter(members.values()))
    if len(members) == 1:
        title = f"{mark} *{phase}* · {_escape(first.get('title') or first['id'])}"
        facts = [f"severity {first.get('severity') or 'warning'}", f"{first.get('alerts', 0)} alert(s)"]
        if first.get("namespace"):
            facts.append(f"namespace {first['namespace']}")
        facts.append(f"incident {first['id']}")
        lines = [title, " · ".join(_escape(f) for f in facts)]
    else:
        firing = sum(1 for m in members.values() if m.get("phase") != "resolved")
        lines = [f"{mark} *{phase}* · {len(members)} incidents ({firing} not resolved)"]
        for member in list(members.values())[:_LISTED]:
            lines.append(f"{_PHASE_MARK.get(member.get('phase', 'firing'), '')} {_escape(member.get('title') or member['id'])} ({member['id']})")
        if len(members) > _LISTED:
            lines.append(f"… and {len(members) - _LISTED} more")
    text = "\n".join(lines)
    blocks: list[dict[str, Any]] = [_mrkdwn(text)]
    if group.get("mutedBy"):
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"muted by {who(group['mutedBy'])}: thread updates paused"}]})
    button = ({"type": "button", "action_id": "unmute", "text": {"type": "plain_text", "text": "Unmute"}, "value": group_id} if group.get("mutedBy")
              else {"type": "button", "action_id": "mute", "text": {"type": "plain_text", "text": "Mute"}, "value": group_id})
    blocks.append({"type": "actions", "elements": [button]})
    return {"text": f"{phase}: {first.get('title') or first['id']}" + (f" (+{len(members) - 1} more)" if len(members) > 1 else ""), "blocks": blocks}


def note_entry(note: dict[str, Any]) -> dict[str, Any]:
    kind = note.get("kind", "note")
    label = {"escalation": ":rotating_light: escalated", "report": ":memo: for the operator", "finding": ":mag: agent finding",
             "comment": ":speech_balloon: comment"}.get(kind, kind)
    text = f"{label} ({_escape(str(note.get('author') or ''))}): {_escape(str(note.get('summary') or ''))}"
    return {"text": text, "blocks": [_mrkdwn(text)]}


def runbook_entry(payload: dict[str, Any]) -> dict[str, Any]:
    name = payload.get("runbook") or payload.get("alertname") or "runbook"
    summary = payload.get("summary") or payload.get("outcome") or "done"
    text = f":gear: runbook {_escape(str(name))}: {_escape(str(summary))}"
    return {"text": text, "blocks": [_mrkdwn(text)]}


def action_entry(rec: dict[str, Any]) -> dict[str, Any]:
    parts = [f":wrench: {rec['kind']} {rec['target']} by {who(rec.get('actor'))}: *{rec['outcome']}*"]
    if rec.get("result"):
        parts.append(_escape(str(rec["result"])))
    if rec.get("verification"):
        parts.append(f"verification {_escape(str(rec['verification']))}")
    if rec["outcome"] not in ("applied", "dry_run") and rec.get("decision"):
        parts.append(_escape(str(rec["decision"])))
    text = " · ".join(parts)
    return {"text": text, "blocks": [_mrkdwn(text)]}


def approval_request(rec: dict[str, Any], value: str) -> dict[str, Any]:
    text = (f":raised_hand: approval needed: *{rec['kind']}* {_escape(rec['target'])} asked by {who(rec.get('actor'))}\n"
            f"reason: {_escape(str(rec.get('reason') or ''))} · action {rec['id']}")
    buttons = [
        {"type": "button", "action_id": "approve", "style": "primary", "text": {"type": "plain_text", "text": "Approve"}, "value": value},
        {"type": "button", "action_id": "deny", "style": "danger", "text": {"type": "plain_text", "text": "Deny"}, "value": value},
    ]
    return {"text": f"approval needed: {rec['kind']} {rec['target']} ({rec['id']})", "blocks": [_mrkdwn(text), {"type": "actions", "elements": buttons}]}


def approval_outcome(rec: dict[str, Any]) -> dict[str, Any]:
    resolution = rec.get("resolution")
    if rec.get("outcome") == "expired":
        how = "expired: nobody answered in time"
    elif resolution == "approved":
        how = f"approved by {who(rec.get('resolvedBy'))}"
    elif resolution == "denied":
        how = f"denied by {who(rec.get('resolvedBy'))}"
    else:
        how = str(rec.get("outcome"))
    text = f"{rec['kind']} {_escape(rec['target'])} ({rec['id']}): {how}"
    return {"text": text, "blocks": [_mrkdwn(text)]}


MEDIA_PAST = {"approve": "approved", "decline": "declined"}


def media_answer(answer: dict[str, Any]) -> str:
    """Who answered a Seerr request from Slack, and what came of it."""
    verb = str(answer.get("verb"))
    by = who(answer.get("by"))
    past = MEDIA_PAST.get(verb, verb)
    if not answer.get("final"):
        return f":hourglass_flowing_sand: {past} by {by}, asking Seerr…"
    detail = _escape(str(answer.get("result") or answer.get("decision") or ""))
    if answer.get("ok"):
        checked = f" (verification {_escape(str(answer['verification']))})" if answer.get("verification") else ""
        return f":white_check_mark: {past} by {by} · {detail}{checked}"
    return f":x: {verb} by {by} did not go through ({_escape(str(answer.get('outcome')))}): {detail}"


def media_item(item: dict[str, Any], buttons: Sequence[tuple[str, str, str, str]] = ()) -> dict[str, Any]:
    """An item's message; `buttons` (action id, label, value, style) are the answers the policy would take now."""
    phase = str(item.get("phase"))
    mark = ":inbox_tray:" if phase == "waiting for approval" else ":warning:" if phase.startswith("stuck") else ":clapper:" if phase == "available" else ":arrows_counterclockwise:"
    text = f"{mark} *{_escape(phase)}* · {_escape(str(item.get('summary') or item.get('key')))} ({_escape(str(item.get('key')))})"
    blocks: list[dict[str, Any]] = [_mrkdwn(text)]
    plain = f"{phase}: {item.get('summary') or item.get('key')}"
    answer = item.get("answer")
    if isinstance(answer, dict):
        line = media_answer(answer)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": line[:2900]}]})
        plain += f" ({MEDIA_PAST.get(str(answer.get('verb')), answer.get('verb'))} by {answer.get('by')})"
    if buttons:
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "action_id": action_id, "style": style, "text": {"type": "plain_text", "text": label}, "value": value}
            for action_id, label, value, style in buttons]})
    return {"text": plain, "blocks": blocks}


def media_entry(event: dict[str, Any], phase: str) -> dict[str, Any]:
    text = f"{_escape(str(event.get('source')))} {_escape(str(event.get('type')))}: {_escape(phase)} · {_escape(str(event.get('summary') or ''))}"
    return {"text": text, "blocks": [_mrkdwn(text)]}


def chat_reply(text: str, *, thread_ts: str, done: bool) -> dict[str, Any]:
    shown = text.strip() or ("(no answer)" if done else ":hourglass_flowing_sand: thinking…")
    return {"text": shown[:3900], "thread_ts": thread_ts, "blocks": [_mrkdwn(shown)]}
