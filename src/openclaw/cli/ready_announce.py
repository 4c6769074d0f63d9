"""`openclaw gateway --sandbox` says where to click once the gateway answers /readyz.

Asked over HTTP, as a browser would: the line appears only when the page behind it would load.
Only the sandbox start prints it: the URL carries the gateway token, which must not reach the logs
of a deployed gateway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

POLL_S = 0.2
# After this long without a 200, say which checks are failing (once) and keep asking.
PATIENCE_S = 30.0


async def announce_when_ready(probe_url: str, line: str, echo: Callable[[str], None]) -> None:
    waited = 0.0
    complained = False
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            try:
                answer = await client.get(probe_url)
                if answer.status_code == 200:
                    echo(line)
                    return
                failing = answer.text
            except httpx.HTTPError as exc:
                failing = type(exc).__name__
            if waited >= PATIENCE_S and not complained:
                echo(f"gateway not ready after {int(PATIENCE_S)} s, still waiting: {failing[:300]}")
                complained = True
            await asyncio.sleep(POLL_S)
            waited += POLL_S
