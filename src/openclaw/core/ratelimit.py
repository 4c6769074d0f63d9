"""Failed-auth rate limit per client IP (`gateway.auth.rateLimit`).

Each failed attempt is remembered for `windowMs`; `maxAttempts` failures inside the window lock
the IP out for `lockoutMs`, during which every attempt is refused with the time left. Settings are
read on every call, so a hot-reloaded limit applies at once. A success clears the IP's record.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.responses import JSONResponse

from openclaw.config.schema import RateLimitSettings

MAX_TRACKED = 10_000  # distinct IPs remembered; the stalest are dropped past this


@dataclass
class _Entry:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class AuthRateLimiter:
    def __init__(self, settings: Callable[[], RateLimitSettings], clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._entries: dict[str, _Entry] = {}

    def exempt(self, *, is_local: bool, is_browser: bool) -> bool:
        """Local non-browser clients (the CLI in the pod) are exempt when `exemptLoopback` is on;
        a browser never is, so a web page cannot brute-force a loopback gateway."""
        return bool(self._settings().exempt_loopback and is_local and not is_browser)

    def retry_after_ms(self, key: str) -> int | None:
        """Milliseconds until `key` may try again, or None when it is not locked out."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        left = entry.locked_until - self._clock()
        return max(1, int(left * 1000)) if left > 0 else None

    def record_failure(self, key: str) -> int | None:
        """Count a failed attempt; returns the lockout in ms when this one crossed the limit."""
        cfg = self._settings()
        now = self._clock()
        entry = self._entries.pop(key, None) or _Entry()
        self._entries[key] = entry  # re-insert: dict order is staleness order
        window = cfg.window_ms / 1000
        while entry.failures and entry.failures[0] <= now - window:
            entry.failures.popleft()
        entry.failures.append(now)
        if len(entry.failures) >= cfg.max_attempts:
            entry.failures.clear()
            entry.locked_until = now + (cfg.lockout_ms or cfg.window_ms) / 1000  # lockoutMs 0: locked for one window
        if len(self._entries) > MAX_TRACKED:
            self._entries.pop(next(iter(self._entries)))
        return self.retry_after_ms(key)

    def tracking(self) -> bool:
        """True while any client has recent failures or a lockout (lets hot paths skip the lookup)."""
        return bool(self._entries)

    def reset(self, key: str) -> None:
        self._entries.pop(key, None)


def too_many_attempts(retry_ms: int) -> JSONResponse:
    """The HTTP answer for a locked-out client: 429, `Retry-After` in seconds, and a JSON error
    with `retryAfterMs` (used for the WebSocket upgrade and any HTTP surface that checks tokens)."""
    secs = max(1, (retry_ms + 999) // 1000)
    error = {
        "code": "RATE_LIMITED",
        "message": f"too many failed authentication attempts; retry in {secs}s",
        "details": {"code": "RATE_LIMITED", "retryAfterMs": retry_ms},
        "retryable": True,
        "retryAfterMs": retry_ms,
    }
    return JSONResponse({"ok": False, "error": error}, status_code=429, headers={"Retry-After": str(secs)})
