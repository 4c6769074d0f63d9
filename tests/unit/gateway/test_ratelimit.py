from __future__ import annotations

from openclaw.config.schema import RateLimitSettings
from openclaw.core.ratelimit import AuthRateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(clock: Clock, **kw: int | bool) -> AuthRateLimiter:
    cfg = RateLimitSettings(**{"max_attempts": 3, "window_ms": 60_000, "lockout_ms": 300_000, **kw})  # type: ignore[arg-type]
    return AuthRateLimiter(lambda: cfg, clock)


def test_lockout_after_max_attempts_then_expires() -> None:
    clock = Clock()
    lim = limiter(clock)
    assert lim.record_failure("ip") is None
    assert lim.record_failure("ip") is None
    assert lim.record_failure("ip") == 300_000
    assert lim.retry_after_ms("other") is None
    clock.now += 299
    assert lim.retry_after_ms("ip") == 1000
    clock.now += 1.5
    assert lim.retry_after_ms("ip") is None


def test_failures_outside_the_window_do_not_count() -> None:
    clock = Clock()
    lim = limiter(clock)
    lim.record_failure("ip")
    lim.record_failure("ip")
    clock.now += 61
    assert lim.record_failure("ip") is None


def test_success_clears_the_record() -> None:
    clock = Clock()
    lim = limiter(clock)
    lim.record_failure("ip")
    lim.record_failure("ip")
    lim.reset("ip")
    assert lim.record_failure("ip") is None


def test_only_local_non_browser_clients_are_exempt() -> None:
    lim = limiter(Clock())
    assert lim.exempt(is_local=True, is_browser=False)
    assert not lim.exempt(is_local=True, is_browser=True)
    assert not lim.exempt(is_local=False, is_browser=False)
    assert not limiter(Clock(), exempt_loopback=False).exempt(is_local=True, is_browser=False)
