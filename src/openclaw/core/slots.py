"""Typed slots: how capabilities find each other on the app object.

Each capability declares its slot beside itself (`EVENTS: Slot[Events] = Slot("events", "the event
store is not running")`), fills it in `install`, and others read it typed: `services.get(EVENTS) -> Events`. A
missing capability is a `CapabilityMissing` that says which one, not a `KeyError` on a string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


class CapabilityMissing(LookupError):
    """Something needs a capability the gateway is not running."""


@dataclass(frozen=True, slots=True)
class Slot(Generic[T]):
    name: str
    missing: str  # the whole refusal when it is not installed: "the event store is not running"


class Slots:
    def __init__(self) -> None:
        self._filled: dict[str, Any] = {}

    def put(self, slot: Slot[T], value: T) -> None:
        if slot.name in self._filled:
            raise ValueError(f"slot {slot.name} filled twice")
        self._filled[slot.name] = value

    def get(self, slot: Slot[T]) -> T:
        if slot.name not in self._filled:
            raise CapabilityMissing(slot.missing)
        return cast(T, self._filled[slot.name])

    def find(self, slot: Slot[T]) -> T | None:
        return cast(T | None, self._filled.get(slot.name))

    def __contains__(self, slot: Slot[Any] | str) -> bool:
        return (slot if isinstance(slot, str) else slot.name) in self._filled

    def names(self) -> frozenset[str]:
        """The slots filled (toolsets name the capabilities they require by slot name)."""
        return frozenset(self._filled)
