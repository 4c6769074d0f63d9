"""How many agent turns one webhook sender has queued or running (`hooks.agentTurnsPerSender`).

A `/hooks/agent` event (or a mapping with `action: agent`) is acked once stored, and its turn runs
later: without a bound one sender could queue turns faster than they finish. The gateway takes a
ticket for the sender before storing the event (refusing with 429 when the sender holds the limit),
names the ticket by the stored event's id, and the agent hands it back when the turn ends. A turn
can end before its ticket is named (the event is processed while the 202 is being written), so an
ending for an unnamed event is remembered until the naming. A ticket whose turn never ended (its
processing failed) expires after `stale_after_s`, so a sender is never locked out for good.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(eq=False)  # tickets are told apart by identity
class Ticket:
    sender: str
    taken_at: float
    event_id: str | None = None
    unnamed: bool = True
    returned: bool = False


@dataclass
class HookQuota:
    limit: Callable[[], int]
    stale_after_s: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _held: dict[str, list[Ticket]] = field(default_factory=dict)
    _by_event: dict[str, Ticket] = field(default_factory=dict)
    _ended_early: set[str] = field(default_factory=set)
    _unnamed: int = 0

    def held(self, sender: str) -> int:
        return len(self._held.get(sender, ()))

    def take(self, sender: str) -> Ticket | None:
        """A ticket for one more turn of `sender`, or None when it holds the limit already."""
        now = self.clock()
        tickets = self._held.setdefault(sender, [])
        for stale in [t for t in tickets if now - t.taken_at > self.stale_after_s]:
            self.give_back(stale)
        if len(tickets) >= self.limit():
            return None
        ticket = Ticket(sender, now)
        tickets.append(ticket)
        self._unnamed += 1
        return ticket

    def name(self, ticket: Ticket, event_id: str) -> None:
        """The stored event `ticket` was taken for; its turn's end returns the ticket."""
        self._settle(ticket)
        ticket.event_id = event_id
        if event_id in self._ended_early:
            self._ended_early.discard(event_id)
            self.give_back(ticket)
        elif not ticket.returned:
            self._by_event[event_id] = ticket

    def ended(self, event_id: str) -> None:
        """The turn of event `event_id` is over (done, failed or aborted)."""
        ticket = self._by_event.pop(event_id, None)
        if ticket is not None:
            self.give_back(ticket)
        elif self._unnamed > 0:  # events from before a restart, or not counted, leave nothing behind
            self._ended_early.add(event_id)

    def give_back(self, ticket: Ticket) -> None:
        """Return a ticket (its turn ended, or its event was not stored). Returning twice is harmless."""
        if ticket.returned:
            return
        ticket.returned = True
        self._settle(ticket)
        if ticket.event_id is not None:
            self._by_event.pop(ticket.event_id, None)
        tickets = self._held.get(ticket.sender, [])
        if ticket in tickets:
            tickets.remove(ticket)
        if not tickets:
            self._held.pop(ticket.sender, None)
        if not self._unnamed:
            self._ended_early.clear()

    def _settle(self, ticket: Ticket) -> None:
        if ticket.unnamed:
            ticket.unnamed = False
            self._unnamed -= 1
