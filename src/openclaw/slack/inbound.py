"""What Slack sends us, whichever transport carried it (Socket Mode or HTTP): events (mentions,
DMs), interactions (Approve/Deny, Approve/Decline of a Seerr request, Mute) and the `/openclaw` slash command.

`dispatch` returns within Slack's 3 s: a slash command's answer is computed there (local reads and
`PolicyEngine.resolve`, which only starts the execution), everything else is acknowledged at once
and done in a task. Slack redelivers an event it thinks was not acknowledged; the event id is
remembered so a retry is not a second agent turn.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openclaw.config.schema import SlackSettings
from openclaw.slack import approvals, media_requests, render
from openclaw.slack.feed import Feed
from openclaw.slack.outbox import Outbox

if TYPE_CHECKING:
    from openclaw.core.services import Services

log = logging.getLogger(__name__)

_SEEN_KEEP = 2000
_MENTION = re.compile(r"^\s*<@[A-Z0-9]+>\s*")
USAGE = "Usage: /openclaw status | incidents | approve ACTION_ID | deny ACTION_ID"


@dataclass
class Inbound:
    services: Services
    outbox: Outbox
    feed: Feed
    settings: Callable[[], SlackSettings]
    wake: Callable[[], None]
    clock: Callable[[], float] = time.time
    media: media_requests.MediaRequests | None = None  # Approve / Decline on a waiting Seerr request
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _seen: OrderedDict[str, None] = field(default_factory=OrderedDict)

    async def dispatch(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Handle one request; returns the acknowledgement's payload (slash commands only)."""
        if kind == "slash_commands":
            return {"response_type": "ephemeral", "text": await self.command(payload)}
        if kind == "interactive" and payload.get("type") == "block_actions":
            self._start(self._interaction(payload), "slack.interaction")
        elif kind == "events_api" and payload.get("type") == "event_callback":
            event_id = str(payload.get("event_id") or "")
            if event_id and self._replayed(event_id):
                return None
            event = payload.get("event") or {}
            if self._is_chat(event):
                self._start(self.converse(event), "slack.chat")
        return None

    def _start(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("slack.handler_failed", extra={"task": task.get_name()}, exc_info=task.exception())

    def _replayed(self, key: str) -> bool:
        if key in self._seen:
            return True
        self._seen[key] = None
        while len(self._seen) > _SEEN_KEEP:
            self._seen.popitem(last=False)
        return False

    def _tell(self, channel: str | None, user: str, text: str, thread_ts: str | None = None) -> None:
        if channel:
            self.outbox.ephemeral(channel, user, text, now=self.clock(), thread_ts=thread_ts)
            self.wake()

    # ---- buttons -------------------------------------------------------------------------------

    async def _interaction(self, payload: dict[str, Any]) -> None:
        user = str((payload.get("user") or {}).get("id") or "")
        channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get("channel_id")
        for action in payload.get("actions") or []:
            action_id, value = action.get("action_id"), str(action.get("value") or "")
            if action_id in ("approve", "deny"):
                target, _, digest = value.partition(":")
                got = await approvals.answer(self._policy(), self.settings(), user=user, action_id=target,
                                             approve=action_id == "approve", expected_hash=digest)
                if not got.ok:
                    self._tell(channel, user, got.message)
                log.info("slack.approval_click", extra={"user": user, "action_id": target, "accepted": got.ok})
            elif action_id in media_requests.BUTTONS and self.media is not None:
                got = await self.media.click(user, str(action_id), value)
                if not got.ok:
                    self._tell(channel, user, got.message)
                log.info("slack.media_request_click", extra={"user": user, "button": action_id, "accepted": got.ok})
            elif action_id in ("mute", "unmute"):
                if not self._allowed(user):
                    self._tell(channel, user, "You are not in slack.allowedUsers; nothing was changed.")
                    continue
                self.feed.set_muted(value, f"slack:{user}" if action_id == "mute" else None)

    def _policy(self) -> Any:
        from openclaw.policy.capability import policy_of

        return policy_of(self.services)

    def _allowed(self, user: str) -> bool:
        s = self.settings()
        return user in s.allowed_users or user in s.approvers

    # ---- /openclaw -----------------------------------------------------------------------------

    async def command(self, payload: dict[str, Any]) -> str:
        user = str(payload.get("user_id") or "")
        words = str(payload.get("text") or "").split()
        verb = words[0].lower() if words else ""
        if verb in ("approve", "deny"):
            if len(words) != 2:
                return f"Usage: /openclaw {verb} ACTION_ID (see /openclaw status for waiting approvals)"
            got = await approvals.answer(self._policy(), self.settings(), user=user, action_id=words[1], approve=verb == "approve", expected_hash=None)
            return got.message
        if not self._allowed(user):
            return "You are not in slack.allowedUsers; ask an operator to add your Slack user id."
        if verb == "status":
            return await self._status()
        if verb == "incidents":
            return await self._incidents()
        return USAGE

    async def _status(self) -> str:
        from openclaw.incidents import incidents_of

        firing = await incidents_of(self.services).list(status="firing", limit=1000)
        waiting = [r for r in self._policy().audit.pending() if r.resolution is None]
        lines = [f"{len(firing)} incident(s) firing, {len(waiting)} action(s) waiting for approval, {self.outbox.count()} Slack message(s) queued."]
        lines += [f"• {r.id}: {r.kind} {r.target} ({r.reason})" for r in waiting[:10]]
        return "\n".join(lines)

    async def _incidents(self) -> str:
        from openclaw.incidents import incidents_of

        firing = await incidents_of(self.services).list(status="firing", limit=20)
        if not firing:
            return "No incident is firing."
        return "\n".join(f"• {i.id} [{i.severity}] {i.title} ({i.firing_count} firing)" for i in firing)

    # ---- chat ----------------------------------------------------------------------------------

    @staticmethod
    def _is_chat(event: dict[str, Any]) -> bool:
        if event.get("bot_id") or event.get("subtype"):
            return False  # our own messages and edits, joins, ...
        return event.get("type") == "app_mention" or (event.get("type") == "message" and event.get("channel_type") == "im")

    async def converse(self, event: dict[str, Any]) -> None:
        """One agent turn in the session of the thread (`slack:<channel>:<thread ts>`), its answer
        streamed into the thread by editing one reply at most every `slack.chatUpdateInterval`."""
        user, channel = str(event.get("user") or ""), str(event.get("channel") or "")
        thread = str(event.get("thread_ts") or event.get("ts") or "")
        s = self.settings()
        if user not in s.allowed_users:
            self._tell(channel, user, "You are not in slack.allowedUsers; ask an operator to add your Slack user id.", thread)
            return
        from openclaw.agent.capability import AGENT

        agent = self.services.find(AGENT)
        if agent is None:
            self._tell(channel, user, "No agent runs on this gateway.", thread)
            return
        text = _MENTION.sub("", str(event.get("text") or ""), count=1)
        started = agent.chat.send(f"slack:{channel}:{thread}", text, operator=f"slack:{user}", idempotency_key=f"slack:{channel}:{event.get('ts')}")
        run_id = started["runId"]
        key = f"chat:{run_id}"
        self.outbox.put_message(key, channel, render.chat_reply("", thread_ts=thread, done=False), now=self.clock())
        self.wake()
        shown = ""
        while run_id in agent.chat.runs:
            run = agent.chat.runs.get(run_id)
            so_far = "".join(run.text) if run is not None else shown
            if so_far != shown:
                shown = so_far
                self.outbox.put_message(key, channel, render.chat_reply(shown, thread_ts=thread, done=False), now=self.clock())
                self.wake()
            await asyncio.sleep(max(0.05, s.chat_update_interval))
        outcome = await agent.chat.wait(run_id)
        final = (outcome.text or outcome.error or f"(stopped: {outcome.stop})") if outcome is not None else "(the run vanished)"
        self.outbox.put_message(key, channel, render.chat_reply(final, thread_ts=thread, done=True), now=self.clock())
        self.wake()

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
