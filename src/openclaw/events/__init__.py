"""Events: every webhook becomes a typed, durably stored event, processed exactly once."""

from __future__ import annotations

from openclaw.events.capability import Events, events_of, install
from openclaw.core.notices import Notice
from openclaw.events.processor import Processing
from openclaw.events.receivers import Accepted
from openclaw.events.store import NewEvent, StoredEvent

__all__ = ["Accepted", "Events", "NewEvent", "Notice", "Processing", "StoredEvent", "events_of", "install"]
