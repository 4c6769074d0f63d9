"""Sessions on disk: `<state>/agents/main/sessions/sessions.sqlite` (the index, key -> entry) plus one
JSONL transcript per session, `<sessionId>.jsonl`.

A transcript opens with a `session` header line, then `message` entries (each with `id` and
`parentId`) and `compaction` entries `{summary, firstKeptEntryId, tokensBefore}`. The model's
context is the latest compaction's summary followed by the messages from its first kept entry on.
Writes are appends under a file lock, in the line format of `openclaw.config.jsonl` (no character
of a message can split a record; a bad record costs only itself); an index update is one row.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from openclaw.agent.messages import Message, Part, TextPart, ToolCall, ToolOutcome, Usage
from openclaw.agent.session_index import SessionIndex
from openclaw.config import jsonl, store

log = logging.getLogger(__name__)

SUMMARY_PREFIX = "Summary of the earlier conversation (compacted):\n"


class SessionEntry(BaseModel):
    """One session in the index."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    session_id: str = Field(alias="sessionId")
    created_at: str = Field(alias="createdAt")
    updated_at: str = Field(alias="updatedAt")
    model: str | None = None
    incident_id: str | None = Field(None, alias="incidentId")
    input_tokens: int = Field(0, alias="inputTokens")
    output_tokens: int = Field(0, alias="outputTokens")
    cache_read_tokens: int = Field(0, alias="cacheReadTokens")
    cache_write_tokens: int = Field(0, alias="cacheWriteTokens")
    total_tokens: int = Field(0, alias="totalTokens")
    context_tokens: int = Field(0, alias="contextTokens")
    cost_usd: float = Field(0.0, alias="costUsd")
    tool_calls: int = Field(0, alias="toolCalls")
    compaction_count: int = Field(0, alias="compactionCount")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def part_to_json(part: Part) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if isinstance(part, ToolCall):
        return {"type": "toolCall", "id": part.id, "name": part.name, "arguments": part.arguments}
    return {"type": "toolResult", "callId": part.call_id, "name": part.name, "content": part.content, "isError": part.is_error}


def part_from_json(data: dict[str, Any]) -> Part:
    kind = data.get("type")
    if kind == "text":
        return TextPart(str(data.get("text", "")))
    if kind == "toolCall":
        return ToolCall(str(data["id"]), str(data["name"]), dict(data.get("arguments") or {}))
    return ToolOutcome(str(data["callId"]), str(data.get("name", "")), str(data.get("content", "")), bool(data.get("isError")))


def message_to_json(message: Message) -> dict[str, Any]:
    return {"role": message.role, "content": [part_to_json(p) for p in message.parts]}


def message_from_json(data: dict[str, Any]) -> Message:
    return Message(data["role"], tuple(part_from_json(p) for p in data.get("content", [])))


@dataclass
class Transcript:
    """A session's entries as read from disk."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def context(self) -> list[Message]:
        """What the model sees: the last compaction's summary, then the messages it kept."""
        last_compaction = None
        for i, entry in enumerate(self.entries):
            if entry.get("type") == "compaction":
                last_compaction = i
        messages: list[Message] = []
        start = 0
        if last_compaction is not None:
            comp = self.entries[last_compaction]
            messages.append(Message.user(SUMMARY_PREFIX + str(comp["summary"])))
            first_kept = comp.get("firstKeptEntryId")
            ids = [e.get("id") for e in self.entries]
            start = ids.index(first_kept) if first_kept in ids else len(self.entries)
        for entry in self.entries[start:]:
            if entry.get("type") == "message":
                messages.append(message_from_json(entry["message"]))
        return normalize(_merge_summary(messages) if last_compaction is not None else messages)

    def message_entries(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if e.get("type") == "message"]


def normalize(messages: list[Message]) -> list[Message]:
    """Alternate user and assistant turns as providers require: merge neighbours of one role (an
    injected note after a reply) and open with a user turn (a session that starts with a note)."""
    out: list[Message] = []
    for message in messages:
        if out and out[-1].role == message.role and not out[-1].tool_calls:
            gap = (TextPart("\n\n"),) if out[-1].text and message.text else ()
            out[-1] = Message(message.role, (*out[-1].parts, *gap, *message.parts))
        else:
            out.append(message)
    if out and out[0].role == "assistant":
        out.insert(0, Message.user("(session notes)"))
    return out


def _merge_summary(messages: list[Message]) -> list[Message]:
    # Providers want user/assistant turns to alternate: fold the summary into a following user turn.
    if len(messages) >= 2 and messages[1].role == "user" and not messages[1].tool_outcomes:
        return [Message("user", (TextPart(messages[0].text + "\n\n"), *messages[1].parts)), *messages[2:]]
    return messages


def _usable(entry: dict[str, Any], path: Path) -> bool:
    """A record the context and the history can read; another costs only itself (logged)."""
    try:
        if entry.get("type") == "message":
            message_from_json(entry["message"])
            str(entry["id"])
        elif entry.get("type") == "compaction":
            str(entry["summary"])
        return True
    except (KeyError, TypeError, ValueError, AttributeError):
        log.warning("agent.transcript_bad_record", extra={"file": str(path), "id": entry.get("id")})
        return False


class SessionStore:
    """The index (a table, `session_index.py`) and the transcripts. Every call blocks on the disk:
    in the gateway they run in a worker thread (see `AgentRuntime`)."""

    def __init__(self, root: Path, journal_mode: str = "WAL") -> None:
        self.root = root
        self.index = SessionIndex(root, journal_mode)

    def all(self) -> dict[str, SessionEntry]:
        return {k: SessionEntry.model_validate(v) for k, v in self.index.all().items()}

    def count(self) -> int:
        return self.index.count()

    def get(self, key: str) -> SessionEntry | None:
        raw = self.index.get(key)
        return SessionEntry.model_validate(raw) if raw else None

    def open(self, key: str, *, incident_id: str | None = None, model: str | None = None) -> SessionEntry:
        """The session for `key`, created with a fresh transcript when new."""

        def create() -> dict[str, Any]:
            entry = SessionEntry(session_id=uuid.uuid4().hex, created_at=now_iso(), updated_at=now_iso(), model=model,
                                 incident_id=incident_id)
            header = {"type": "session", "id": entry.session_id, "key": key, "timestamp": entry.created_at}
            self.transcript_path(entry.session_id).write_text(jsonl.dumps(header), encoding="utf-8")
            return entry.to_json()

        raw, _ = self.index.get_or_create(key, create)
        return SessionEntry.model_validate(raw)

    def transcript_path(self, session_id: str) -> Path:
        return self.root / f"{session_id}.jsonl"

    def read(self, key: str) -> Transcript:
        entry = self.get(key)
        if entry is None:
            return Transcript()
        path = self.transcript_path(entry.session_id)
        if not path.exists():
            return Transcript()
        with store.lock_for(path):
            records = jsonl.load(path)
        return Transcript([r for r in records if _usable(r, path)])

    def append(self, key: str, records: list[dict[str, Any]]) -> list[str]:
        """Append entries (`message` or `compaction` dicts without ids); returns their new ids."""
        entry = self.open(key)
        path = self.transcript_path(entry.session_id)
        ids: list[str] = []
        with store.lock_for(path):
            last_id = self._last_id(path)
            lines = []
            for record in records:
                rid = uuid.uuid4().hex[:12]
                lines.append({"id": rid, "parentId": last_id, "timestamp": now_iso(), **record})
                last_id = rid
                ids.append(rid)
            jsonl.append(path, lines)
        return ids

    def append_messages(self, key: str, messages: list[Message], *, run_id: str | None = None) -> list[str]:
        return self.append(key, [{"type": "message", "runId": run_id, "message": message_to_json(m)} for m in messages])

    @staticmethod
    def _last_id(path: Path) -> str | None:
        data = jsonl.last(path)
        if data is None or data.get("type") == "session":
            return None
        rid = data.get("id")
        return rid if isinstance(rid, str) else None

    def record_usage(self, key: str, usage: Usage, cost: float, tool_calls: int, *, context_tokens: int | None = None,
                     model: str | None = None, compacted: bool = False) -> SessionEntry:
        def change(raw: dict[str, Any]) -> dict[str, Any]:
            entry = SessionEntry.model_validate(raw)
            entry.input_tokens += usage.input_tokens
            entry.output_tokens += usage.output_tokens
            entry.cache_read_tokens += usage.cache_read_tokens
            entry.cache_write_tokens += usage.cache_write_tokens
            entry.total_tokens += usage.total
            entry.cost_usd = round(entry.cost_usd + cost, 6)
            entry.tool_calls += tool_calls
            entry.updated_at = now_iso()
            if context_tokens is not None:
                entry.context_tokens = context_tokens
            if model:
                entry.model = model
            if compacted:
                entry.compaction_count += 1
            return entry.to_json()

        raw = self.index.update(key, change)
        if raw is None:
            raise KeyError(key)
        return SessionEntry.model_validate(raw)

    def reset(self, key: str) -> None:
        """Forget a session: the next message starts a new transcript (the old file is kept)."""
        self.index.remove(key)
