"""Posting a webhook the way AlertManager's notifier does: retried with exponential back-off on
connection errors, 5xx and 429, never on another 4xx (the receiver refused it for good), until a
deadline. The alert source and the media apps' webhook sender both deliver through it, so a
gateway that is still starting (or restarting) loses nothing posted meanwhile."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Retry:
    first_delay_s: float = 0.1
    max_delay_s: float = 5.0
    give_up_after_s: float = 60.0  # wall seconds: a start-up takes wall time, whatever the simulated speed


def retryable(status: int) -> bool:
    return status >= 500 or status == 429


async def post(client: httpx.AsyncClient, url: str, body: Any, headers: Mapping[str, str], retry: Retry = Retry()) -> tuple[int | None, str, int]:
    """(last status or None, last error name, attempts). Stops at the first answer that is not retryable."""
    deadline = time.monotonic() + retry.give_up_after_s
    delay = retry.first_delay_s
    attempts = 0
    while True:
        attempts += 1
        status: int | None = None
        error = ""
        try:
            response = await client.post(url, json=body, headers=dict(headers))
            status = response.status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        if status is not None and not retryable(status):
            return status, error, attempts
        if time.monotonic() + delay > deadline:
            return status, error, attempts
        log.info("sandbox.delivery_retry", extra={"url": url, "status": status, "error": error, "attempt": attempts})
        await asyncio.sleep(delay)
        delay = min(delay * 2, retry.max_delay_s)
