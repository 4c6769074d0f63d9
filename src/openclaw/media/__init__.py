"""Media: the capability that owns what happens to a movie, series or album across the apps
(timelines today; the tracker, the app clients and the media runbooks build here)."""

from __future__ import annotations

from openclaw.media.capability import Media, install, media_of

__all__ = ["Media", "install", "media_of"]
