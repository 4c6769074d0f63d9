"""The heartbeat: every `agents.defaults.heartbeat.every` the agent reads HEARTBEAT.md in the main
session and says whether anything needs attention. A reply that is just `HEARTBEAT_OK` (plus at most
`ackMaxChars` of other text) is dropped; anything else is delivered as a chat message and a
`heartbeat` event. No HEARTBEAT.md (or an empty one) or no model: the tick is skipped, at no cost."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openclaw.agent.brains import is_offline
from openclaw.agent.messages import Message
from openclaw.agent.prompt import wrap_untrusted
from openclaw.agent.runtime import AgentRuntime, RunRequest

log = logging.getLogger(__name__)

HEARTBEAT_OK = "HEARTBEAT_OK"
DEFAULT_PROMPT = ("Heartbeat. Read HEARTBEAT.md (in your workspace files above) and follow it strictly; do not repeat old "
                  f"tasks from earlier chats. If nothing needs attention, reply {HEARTBEAT_OK}.")
_UNITS = {"": 60, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> float:
    """`30m`, `1h`, `45s`, `2d` (a bare number is minutes) in seconds; 0 disables. Raises ValueError."""
    m = re.fullmatch(r"(\d+)([smhd]?)", text.strip())
    if not m:
        raise ValueError(f"agents.defaults.heartbeat.every: expected a duration like 30m, got {text!r}")
    return int(m.group(1)) * _UNITS[m.group(2)]


def strip_heartbeat_ok(text: str, ack_max_chars: int) -> str | None:
    """None when the reply is an acknowledgement to drop, else the text to deliver."""
    stripped = text.strip()
    for token in (HEARTBEAT_OK,):
        if stripped.startswith(token) or stripped.endswith(token):
            rest = stripped.replace(token, "", 1).strip(" \n.:-")
            if len(rest) <= ack_max_chars:
                return None
    return stripped or None


def heartbeat_has_content(text: str | None) -> bool:
    """A HEARTBEAT.md with only headings, blank lines or comments asks for nothing."""
    if not text:
        return False
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("#") and not (s.startswith("<!--") and s.endswith("-->")):
            return True
    return False


@dataclass(frozen=True, slots=True)
class HeartbeatResult:
    status: str  # "skipped", "ok" (dropped), "alert" (delivered), "error"
    text: str | None = None
    reason: str | None = None


@dataclass
class Heartbeat:
    runtime: AgentRuntime
    publish: Callable[[str, dict[str, Any]], None]
    session_key: str = "agent:main:main"
    last: HeartbeatResult | None = None
    last_at: float | None = None
    # System events (from /hooks/wake) waiting for the next heartbeat; they make it run even
    # when HEARTBEAT.md is empty.
    pending: list[str] = field(default_factory=list)

    def enqueue(self, text: str) -> None:
        self.pending.append(text)

    async def tick(self) -> HeartbeatResult:
        settings = self.runtime.settings().agents.defaults.heartbeat
        result = await self._tick(settings.prompt or DEFAULT_PROMPT, settings.ack_max_chars)
        self.last, self.last_at = result, time.time()
        payload = {"status": result.status, "ts": int(self.last_at * 1000), "sessionKey": self.session_key}
        if result.text:
            payload["text"] = result.text
        if result.reason:
            payload["reason"] = result.reason
        self.publish("heartbeat", payload)
        if result.status == "alert":
            self.publish("chat", {"runId": f"heartbeat-{int(self.last_at)}", "sessionKey": self.session_key, "seq": 1,
                                  "state": "final", "message": {"role": "assistant", "content": [{"type": "text", "text": result.text}]},
                                  "stopReason": "heartbeat"})
        log.info("agent.heartbeat", extra={"status": result.status})
        return result

    async def _tick(self, prompt: str, ack_max: int) -> HeartbeatResult:
        if is_offline(self.runtime.brain):
            return HeartbeatResult("skipped", reason="no model configured")
        events, self.pending = self.pending, []
        if not events and not heartbeat_has_content(self.runtime.workspace().read_text("HEARTBEAT.md")):
            return HeartbeatResult("skipped", reason="HEARTBEAT.md is missing or empty")
        if events:
            prompt += "\n\nSystem events since the last heartbeat:\n" + "\n".join(
                wrap_untrusted(text, "webhook /hooks/wake") for text in events)
        out = await self.runtime.run(RunRequest(self.session_key, Message.user(prompt), kind="heartbeat"))
        if out.stop in ("error", "budget"):
            return HeartbeatResult("error", reason=out.error)
        text = strip_heartbeat_ok(out.text, ack_max)
        return HeartbeatResult("ok") if text is None else HeartbeatResult("alert", text=text)

    async def run_forever(self, sleep: Callable[[float], Any] = asyncio.sleep) -> None:
        while True:
            try:
                every = parse_every(self.runtime.settings().agents.defaults.heartbeat.every)
            except ValueError:
                every = 1800.0
            if every <= 0:
                await sleep(60)  # disabled; look again later in case the config changes
                continue
            await sleep(every)
            try:
                await self.tick()
            except Exception:
                log.exception("agent.heartbeat_failed")
