"""Compaction: when a session's context nears the model's window, older turns are replaced by a
summary the model writes, and the recent turns are kept verbatim.

Triggered when the estimated context exceeds `contextWindow - compaction.reserveTokens`; keeps
about `compaction.keepRecentTokens` of the newest turns, cut at the start of a user turn so a tool
call is never separated from its result. The summary is a `compaction` entry in the transcript;
nothing is deleted from the file.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from openclaw.agent.brains.base import Brain, BrainError
from openclaw.agent.brains.offline import is_offline
from openclaw.agent.messages import BrainRequest, Message, TextPart, ToolCall, ToolOutcome, Usage
from openclaw.agent.transcripts import SUMMARY_PREFIX, SessionStore, message_from_json
from openclaw.config.schema import AgentCompaction

log = logging.getLogger(__name__)

SUMMARY_SYSTEM = (
    "You compact an operations agent's conversation. Write a summary another instance can continue from: "
    "the operator's requests, what was checked and found, actions taken or refused (with the reason), "
    "open questions and next steps. Keep names of namespaces, workloads, incidents and action ids exactly. "
    "Plain text, at most 400 words."
)


def estimate_tokens_text(text: str) -> int:
    # About four characters per token for English and JSON; an estimate is all the trigger needs.
    return len(text) // 4 + 1


def estimate_tokens(messages: list[Message]) -> int:
    total = 0
    for message in messages:
        for part in message.parts:
            if isinstance(part, TextPart):
                total += estimate_tokens_text(part.text)
            elif isinstance(part, ToolCall):
                total += estimate_tokens_text(part.name + json.dumps(part.arguments))
            else:
                total += estimate_tokens_text(part.content)
    return total


def render_for_summary(messages: list[Message], per_result: int = 600) -> str:
    lines: list[str] = []
    for message in messages:
        for part in message.parts:
            if isinstance(part, TextPart) and part.text:
                lines.append(f"{message.role}: {part.text}")
            elif isinstance(part, ToolCall):
                lines.append(f"tool call {part.name} {json.dumps(part.arguments)}")
            elif isinstance(part, ToolOutcome):
                lines.append(f"tool result {part.name}: {part.content[:per_result]}")
    return "\n".join(lines)


@dataclass
class Compactor:
    store: SessionStore
    settings: AgentCompaction

    def needed(self, brain: Brain, system: str, context: list[Message]) -> int | None:
        """The estimated context size when it is over the threshold, else None."""
        estimate = estimate_tokens_text(system) + estimate_tokens(context)
        threshold = brain.context_window - self.settings.reserve_tokens
        return estimate if estimate > threshold else None

    async def compact(self, key: str, brain: Brain, tokens_before: int) -> Usage | None:
        """Summarize all but the recent turns of session `key`; returns the summary call's usage,
        or None when there was nothing old enough to fold away."""
        transcript = await asyncio.to_thread(self.store.read, key)
        entries = transcript.entries
        start = 0
        previous_summary = ""
        for i, entry in enumerate(entries):
            if entry.get("type") == "compaction":
                ids = [e.get("id") for e in entries]
                kept = entry.get("firstKeptEntryId")
                start = ids.index(kept) if kept in ids else i + 1
                previous_summary = str(entry.get("summary", ""))
        live = [(e["id"], message_from_json(e["message"])) for e in entries[start:] if e.get("type") == "message"]
        boundary = _boundary(live, self.settings.keep_recent_tokens)
        if boundary is None:
            return None
        older = [m for _, m in live[:boundary]]
        if previous_summary:
            older.insert(0, Message.user(SUMMARY_PREFIX + previous_summary))
        summary, usage = await summarize(brain, older)
        await asyncio.to_thread(self.store.append, key, [{"type": "compaction", "summary": summary, "firstKeptEntryId": live[boundary][0],
                                                          "tokensBefore": tokens_before}])
        log.info("agent.compacted", extra={"session": key, "tokensBefore": tokens_before, "kept": len(live) - boundary})
        return usage


def _boundary(live: list[tuple[str, Message]], keep_tokens: int) -> int | None:
    """Index of the first kept message: a user turn with text (not tool results), as far back as
    the recent-token allowance reaches, but never the very first message (nothing to fold)."""
    clean = [i for i, (_, m) in enumerate(live) if m.role == "user" and not m.tool_outcomes and i > 0]
    if not clean:
        return None
    chosen = clean[-1]
    for i in reversed(clean):
        if estimate_tokens([m for _, m in live[i:]]) <= keep_tokens:
            chosen = i
        else:
            break
    return chosen


async def summarize(brain: Brain, older: list[Message]) -> tuple[str, Usage | None]:
    text = render_for_summary(older)
    if not is_offline(brain):
        budget_chars = max(4000, (brain.context_window // 2) * 4)
        request = BrainRequest(system=SUMMARY_SYSTEM, messages=(Message.user(text[-budget_chars:] + "\n\nSummarize the conversation above."),),
                               max_tokens=1024)
        try:
            reply = await brain.respond(request)
            if reply.text.strip():
                return reply.text.strip(), reply.usage
        except BrainError as exc:
            log.warning("agent.compaction_summary_failed", extra={"error": str(exc)})
    # No model (or it failed): keep the newest lines of the old turns as the summary.
    return "(extract, no model summary)\n" + text[-3000:], None
