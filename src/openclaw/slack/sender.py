"""The one task that talks to Slack's Web API: drains the outbox, a channel at a time.

Paced at `slack.channelInterval` per channel (chat.postMessage allows about one message a second
per channel), a 429 pauses that channel for its `Retry-After`, and Slack unreachable (connection
error, 5xx) pauses every channel with a growing delay. Nothing upstream waits for any of it: the
feed only writes rows, so incident handling goes on whatever Slack does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from openclaw.slack.outbox import Outbox, Pending

log = logging.getLogger(__name__)

_IDLE_WAIT_S = 5.0


@dataclass
class SenderState:
    """What the Control UI and `slack.status` show."""

    sent: int = 0
    dropped: int = 0
    last_sent_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    outage_until: float = 0.0


@dataclass
class Pacing:
    interval: Callable[[], float]
    retry_max_delay: Callable[[], float]
    channel_free_at: dict[str, float] = field(default_factory=dict)
    failures: int = 0


class Sender:
    def __init__(self, outbox: Outbox, client: Callable[[], AsyncWebClient], pacing: Pacing, clock: Callable[[], float] = time.time) -> None:
        self.outbox = outbox
        self._client = client
        self.pacing = pacing
        self._clock = clock
        self._wake = asyncio.Event()
        self.state = SenderState()

    def wake(self) -> None:
        """Something was queued: look again now instead of at the next due time."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await self.send_due()
            except Exception:  # a bug in one pass must not stop Slack for good
                log.exception("slack.sender_failed")
            await self._sleep()

    async def send_due(self) -> None:
        now = self._clock()
        if now < self.state.outage_until:
            return
        blocked = {ch for ch, at in self.pacing.channel_free_at.items() if at > now}
        rows = self.outbox.due(now, blocked)
        # Channels are independent: one paused by a 429 does not hold up another.
        await asyncio.gather(*(self._send(row) for row in rows))

    async def _sleep(self) -> None:
        now = self._clock()
        times = [t for t in (self.outbox.next_time(), self.state.outage_until or None, *self.pacing.channel_free_at.values()) if t and t > now]
        wait = min([_IDLE_WAIT_S, *(t - now for t in times)]) if self.outbox.count() else _IDLE_WAIT_S
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), max(0.01, wait))
        except TimeoutError:
            pass

    async def _send(self, row: Pending) -> None:
        now = self._clock()
        try:
            response = await self._call(row)
        except SlackApiError as exc:
            self._api_error(row, exc, now)
            return
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:  # Slack could not be reached
            self._outage(row, f"{type(exc).__name__}: {exc}", now)
            return
        if row.method == "post" and row.key and response is not None:
            self.outbox.remember(row.key, str(response.get("channel") or row.channel), str(response["ts"]), now=now)
        self.outbox.done(row.id)
        self.pacing.failures = 0
        self.pacing.channel_free_at[row.channel] = now + self.pacing.interval()
        self.state.sent += 1
        self.state.last_sent_at = now

    async def _call(self, row: Pending) -> dict[str, Any] | None:
        client = self._client()
        body = dict(row.body)
        if row.method == "ephemeral":
            await client.chat_postEphemeral(channel=row.channel, **body)
            return None
        if row.method == "update":
            posted = self.outbox.posted(row.key or "")
            if posted is None:  # its message was never posted (dropped): nothing to update
                return None
            body.pop("thread_ts", None)
            await client.chat_update(channel=posted.channel, ts=posted.ts, **body)
            return None
        if row.thread_key:
            parent = self.outbox.posted(row.thread_key)
            if parent is not None:
                body["thread_ts"] = parent.ts
        response = await client.chat_postMessage(channel=row.channel, **body)
        return dict(response.data) if isinstance(response.data, dict) else None

    def _api_error(self, row: Pending, exc: SlackApiError, now: float) -> None:
        status = exc.response.status_code
        error = str(exc.response.get("error") or status)
        if status == 429:
            retry_after = _retry_after(exc.response.headers)
            self.pacing.channel_free_at[row.channel] = now + retry_after
            self.outbox.retry(row.id, now + retry_after, f"ratelimited: retry after {retry_after:g}s")
            log.warning("slack.ratelimited", extra={"channel": row.channel, "retry_after": retry_after})
            return
        if status >= 500:
            self._outage(row, f"HTTP {status}: {error}", now)
            return
        # Slack said no to this call (channel_not_found, not_in_channel, invalid_auth...): retrying
        # would get the same answer, so it is dropped and the reason shown in slack.status.
        self.outbox.done(row.id)
        self.note_error(f"{row.method} to {row.channel}: {error}", now)
        self.state.dropped += 1
        log.error("slack.call_refused", extra={"channel": row.channel, "method": row.method, "error": error})

    def _outage(self, row: Pending, detail: str, now: float) -> None:
        self.pacing.failures += 1
        delay = min(self.pacing.retry_max_delay(), 0.5 * 2 ** (self.pacing.failures - 1))
        self.state.outage_until = now + delay
        self.outbox.retry(row.id, now + delay, detail)
        self.note_error(f"Slack unreachable: {detail}", now)
        log.warning("slack.unreachable", extra={"detail": detail, "retry_in": delay})

    def note_error(self, text: str, now: float) -> None:
        self.state.last_error, self.state.last_error_at = text, now


def _retry_after(headers: Any) -> float:
    for name in ("Retry-After", "retry-after"):
        value = headers.get(name) if headers else None
        if value is not None:
            try:
                return max(0.0, float(value[0] if isinstance(value, list) else value))
            except ValueError:
                break
    return 1.0
