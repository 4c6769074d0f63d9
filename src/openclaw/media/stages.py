"""The stages a tracked media item moves through, in order, and the reasons it can be stuck."""

from __future__ import annotations

import enum


class Stage(enum.StrEnum):
    REQUESTED = "requested"  # asked for in Seerr, waiting for approval
    APPROVED = "approved"  # approved, handed to Sonarr/Radarr
    SEARCHING = "searching"  # monitored and missing, nothing grabbed yet
    GRABBED = "grabbed"  # a release was sent to the download client
    DOWNLOADING = "downloading"
    IMPORTING = "importing"  # downloaded, waiting for (or blocked in) import
    IMPORTED = "imported"  # the file is in the library folder
    IN_LIBRARY = "in library"  # the media server has it
    AVAILABLE = "available"  # Seerr says available (or nothing requested it and the server has it)

    @property
    def rank(self) -> int:
        return ORDER.index(self)


ORDER = tuple(Stage)


class Stuck(enum.StrEnum):
    """Why an item is not moving on, each read from the app's own state (never localized text)."""

    NO_RELEASE = "no-release"  # searched, nothing grabbed
    STALLED = "stalled"  # qBittorrent stalledDL: no peers
    METADATA = "metadata"  # qBittorrent metaDL / forcedMetaDL: the magnet never resolved
    ERRORED = "errored"  # qBittorrent error
    MISSING_FILES = "missing-files"  # qBittorrent missingFiles
    DOWNLOAD_FAILED = "download-failed"  # SABnzbd history status Failed (repair or unpack failed)
    DISK_FULL = "disk-full"  # SABnzbd could not write the unpacked files: no fix of the item helps
    NO_PROGRESS = "no-progress"  # downloading, but no bytes over N checks
    IMPORT_BLOCKED = "import-blocked"  # trackedDownloadState importBlocked / importFailed
    NOT_IN_LIBRARY = "not-in-library"  # imported, but Jellyfin or Plex does not list it
    NOT_AVAILABLE_IN_SEERR = "not-available-in-seerr"  # the media server lists it, Seerr's media is not AVAILABLE yet
    PENDING_APPROVAL = "pending-approval"  # a Seerr request pending longer than media.pendingApprovalAfter
    REQUEST_FAILED = "request-failed"  # Seerr request status FAILED
