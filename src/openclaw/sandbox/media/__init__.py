"""Simulated media apps (Sonarr, Radarr, Lidarr, Prowlarr, qBittorrent, SABnzbd, Jellyseerr, Jellyfin, Plex) over one pipeline."""

from __future__ import annotations

from openclaw.sandbox.media.faults import MediaFaults
from openclaw.sandbox.media.pipeline import MediaError, MediaPipeline
from openclaw.sandbox.media.stack import MediaCredentials, MediaStack

__all__ = ["MediaCredentials", "MediaError", "MediaFaults", "MediaPipeline", "MediaStack"]
