"""`wait_for`: passes only when the state holds for the stable window; a failed read is not a crash."""

from __future__ import annotations

from openclaw.errors import KubeError
from openclaw.ops.verify import wait_for


async def test_a_state_that_holds_passes() -> None:
    async def ok() -> str | None:
        return None

    assert await wait_for(ok, timeout_s=1, stable_s=0.05, interval_s=0.01) == "passed"


async def test_a_state_that_never_comes_fails_with_the_last_problem() -> None:
    async def never() -> str | None:
        return "Deployment/media/radarr has 0/1 ready"

    result = await wait_for(never, timeout_s=0.05, interval_s=0.01)
    assert result.startswith("failed: after") and result.endswith("Deployment/media/radarr has 0/1 ready")


async def test_a_state_that_flaps_is_not_accepted_as_stable() -> None:
    calls = 0

    async def flapping() -> str | None:
        nonlocal calls
        calls += 1
        return None if calls % 3 else "pod crashed again"

    result = await wait_for(flapping, timeout_s=0.1, stable_s=0.05, interval_s=0.01)
    assert result.startswith("failed:") and "pod crashed again" in result


async def test_a_failed_read_counts_as_not_confirmed() -> None:
    async def broken() -> str | None:
        raise KubeError("get Node/homelab-w9: nodes \"homelab-w9\" not found")

    result = await wait_for(broken, timeout_s=0.03, interval_s=0.01)
    assert result.startswith("failed:") and "could not read the state" in result


async def test_the_deadline_runs_on_the_given_clock_so_simulated_time_counts() -> None:
    """Under the sandbox a 120 s verify timeout is 120 simulated seconds: at x600 that is 0.2 wall s."""
    from openclaw.sandbox.simclock import SimClock

    async def never() -> str | None:
        return "Deployment/media/radarr has 0/1 ready"

    fast = SimClock(600.0)
    result = await wait_for(never, timeout_s=120, interval_s=0.01, clock=fast)
    assert result.startswith("failed: after 12") and fast.seconds() >= 120
