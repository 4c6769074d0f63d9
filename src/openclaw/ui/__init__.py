"""The Control UI: static files served by the gateway at `<basePath>/` (page) and `<basePath>/ui/` (assets)."""

from __future__ import annotations

from openclaw.ui.routes import STATIC_DIR, routes

__all__ = ["STATIC_DIR", "routes"]
