"""The per-sender bound on queued agent turns: tickets up to the limit, returned when the turn ends
(also when it ends before the ticket is named), when the event was not stored, or when stale."""

from __future__ import annotations

from openclaw.agent.hook_quota import HookQuota


def test_a_sender_gets_tickets_up_to_the_limit_and_one_more_after_a_turn_ends() -> None:
    quota = HookQuota(lambda: 2)
    a, b = quota.take("10.0.0.1"), quota.take("10.0.0.1")
    assert a is not None and b is not None
    assert quota.take("10.0.0.1") is None
    assert quota.take("10.0.0.2") is not None  # another sender is not affected
    quota.name(a, "ev-a")
    quota.name(b, "ev-b")
    quota.ended("ev-a")
    assert quota.held("10.0.0.1") == 1
    assert quota.take("10.0.0.1") is not None


def test_a_turn_that_ends_before_its_ticket_is_named_still_returns_it() -> None:
    quota = HookQuota(lambda: 1)
    ticket = quota.take("s")
    assert ticket is not None
    quota.ended("ev-1")  # processed while the 202 was being written
    quota.name(ticket, "ev-1")
    assert quota.held("s") == 0 and quota.take("s") is not None


def test_endings_of_uncounted_events_leave_nothing_behind() -> None:
    quota = HookQuota(lambda: 1)
    for n in range(1000):
        quota.ended(f"replayed-{n}")  # events from before a restart
    assert quota._ended_early == set()


def test_a_ticket_given_back_twice_counts_once_and_a_changed_limit_applies() -> None:
    limit = {"n": 1}
    quota = HookQuota(lambda: limit["n"])
    ticket = quota.take("s")
    assert ticket is not None and quota.take("s") is None
    limit["n"] = 2
    other = quota.take("s")
    assert other is not None
    quota.give_back(ticket)  # its event was not stored
    quota.give_back(ticket)
    assert quota.held("s") == 1


def test_a_ticket_whose_turn_never_ended_expires() -> None:
    now = {"t": 0.0}
    quota = HookQuota(lambda: 1, stale_after_s=60, clock=lambda: now["t"])
    ticket = quota.take("s")
    assert ticket is not None
    quota.name(ticket, "ev-lost")
    assert quota.take("s") is None
    now["t"] = 61.0
    assert quota.take("s") is not None
