"""Clients for the media apps: the only code that talks to them. Reads are open to the tracker and
the agent; every write demands an `Approval` (see `base.py`). Kinds: `registry.kinds()`."""

from __future__ import annotations

from openclaw.media.clients.base import AppClient, MediaAppError
from openclaw.media.clients.registry import MediaClients, build, kinds, register

__all__ = ["AppClient", "MediaAppError", "MediaClients", "build", "kinds", "register"]
