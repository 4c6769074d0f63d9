"""Stuck detection: what one poll observed about an item, turned into a reason and a strike.

Reasons come from the apps' own state (qBittorrent's `state`, SABnzbd's job `status`, the queue's
`trackedDownloadState`, Seerr's status numbers), never from their localized messages. A reason must strike on consecutive
checks before the item counts as stuck (`media.stuckChecks`, at least 3); the time-based ones
(pending approval, missing from the library, not yet available in Seerr) need as many checks as their duration spans. Any
progress (more bytes, a later stage) clears the strikes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from openclaw.config.schema import MediaSettings
from openclaw.media.stages import Stage, Stuck
from openclaw.media.tracker import Tracked, advance

DOWNLOAD_STATES = {"stalledDL": Stuck.STALLED, "metaDL": Stuck.METADATA, "forcedMetaDL": Stuck.METADATA,
                   "error": Stuck.ERRORED, "missingFiles": Stuck.MISSING_FILES}
MOVING_STATES = {"downloading", "forcedDL", "Downloading"}  # qBittorrent's and SABnzbd's words
SAB_FAILED = "Failed"
# SABnzbd's one failure that is the disk's, not the release's (Sonarr reads it as a warning, Sabnzbd.cs):
# retrying or blocklisting would only throw a good release away.
SAB_DISK_FULL = "Unpacking failed, write error or disk is full"
LIBRARY_STAGES = (Stage.IMPORTED, Stage.IN_LIBRARY, Stage.AVAILABLE)
IMPORT_STUCK = {"importBlocked", "importFailed"}
SEERR_PENDING, SEERR_APPROVED, SEERR_FAILED, MEDIA_AVAILABLE = 1, 2, 4, 5


@dataclass
class Observation:
    """What one poll cycle saw of one item (None: that app said nothing about it)."""

    stage: Stage | None = None
    app: str | None = None
    ids: dict[str, Any] = field(default_factory=dict)
    download_id: str | None = None
    download: dict[str, Any] | None = None
    queue: dict[str, Any] | None = None
    request: dict[str, Any] | None = None
    in_library: bool = False  # at least one media server lists it
    missing_from: list[str] = field(default_factory=list)  # media servers that answered and do not list it
    protected: bool = False
    checked: set[str] = field(default_factory=set)  # kinds of app that answered this cycle
    # history records no webhook reports (downloadFailed): (event id, epoch seconds, app, type, download id, summary)
    history: list[tuple[str, float, str, str, str | None, str]] = field(default_factory=list)


def thresholds(settings: MediaSettings) -> dict[str, int]:
    """Consecutive checks each reason needs before the item is stuck."""
    checks = settings.stuck_checks
    spans = {Stuck.PENDING_APPROVAL: settings.pending_approval_after, Stuck.NOT_IN_LIBRARY: settings.library_grace,
             Stuck.NOT_AVAILABLE_IN_SEERR: settings.library_grace}
    out = {str(r): checks for r in Stuck}
    for reason, seconds in spans.items():
        out[str(reason)] = max(checks, math.ceil(seconds / settings.poll_interval))
    out[str(Stuck.REQUEST_FAILED)] = 1  # Seerr has already given up: nothing to wait for
    return out


def reason_for(item: Tracked, seen: Observation, previous_bytes: int | None) -> tuple[Stuck | None, str | None]:
    request = seen.request or {}
    if request.get("status") == SEERR_FAILED:
        return Stuck.REQUEST_FAILED, "Seerr request status FAILED: it could not be handed to Sonarr/Radarr"
    if item.stage is Stage.REQUESTED and request.get("status") == SEERR_PENDING:
        return Stuck.PENDING_APPROVAL, f"Seerr request {item.ids.get('seerrRequest')} is waiting for approval"
    download = seen.download
    if download is not None and download.get("protocol") == "usenet" and download.get("state") == SAB_FAILED:
        if str(download.get("failMessage") or "").startswith(SAB_DISK_FULL):
            return Stuck.DISK_FULL, f"SABnzbd job {download.get('id')} could not be unpacked: {download.get('failMessage')} (free space on the download volume)"
        return Stuck.DOWNLOAD_FAILED, f"SABnzbd job {download.get('id')} failed: {download.get('failMessage') or 'no message'}"
    if download is not None:
        state = str(download.get("state"))
        if state in DOWNLOAD_STATES:
            reason = DOWNLOAD_STATES[state]
            return reason, f"qBittorrent state {state} ({download.get('progress', 0):.0%} done, {download.get('seeds', 0)} seeds)"
        done = int(download.get("bytesDone") or 0)
        if state in MOVING_STATES and previous_bytes is not None and done <= previous_bytes and float(download.get("progress") or 0) < 1.0:
            return Stuck.NO_PROGRESS, f"qBittorrent state {state} but no bytes since the last check ({done} of {download.get('size')})"
    queue = seen.queue
    if queue is not None and (queue.get("trackedDownloadState") in IMPORT_STUCK
                              or (queue.get("status") == "completed" and queue.get("trackedDownloadStatus") in ("warning", "error"))):
        messages = "; ".join(queue.get("messages") or []) or "no message"
        return Stuck.IMPORT_BLOCKED, f"{item.app or 'the app'} cannot import it: {queue.get('trackedDownloadState')}: {messages}"
    arr_answered = bool({"sonarr", "radarr"} & seen.checked)
    if item.stage is Stage.SEARCHING and item.ids.get("seerrRequest") and arr_answered and seen.queue is None and seen.download is None:
        return Stuck.NO_RELEASE, f"{item.app or 'the app'} has searched and grabbed nothing"
    if item.stage in LIBRARY_STAGES and seen.missing_from:
        return Stuck.NOT_IN_LIBRARY, f"imported, but {', '.join(seen.missing_from)} does not list it"
    # Seerr marks media available only from its own scans of the media server (hourly by default, or
    # a missed one): every server lists it, the request is approved, and Seerr's media is not AVAILABLE.
    if (item.stage is Stage.IN_LIBRARY and seen.in_library and "seerr" in seen.checked
            and request.get("status") == SEERR_APPROVED and request.get("mediaStatus") != MEDIA_AVAILABLE):
        return Stuck.NOT_AVAILABLE_IN_SEERR, (f"{', '.join(sorted(seen.checked & {'jellyfin', 'plex'})) or 'the media server'} lists it, but Seerr "
                                              f"media status is {request.get('mediaStatus')}, not available ({MEDIA_AVAILABLE})")
    return None, None


def apply(item: Tracked, seen: Observation, now: float) -> bool:
    """Fold one observation into the item; True when it made progress (strikes cleared)."""
    previous = item.state.get("download") or {}
    previous_bytes = int(previous["bytesDone"]) if previous.get("bytesDone") is not None and item.download_id == seen.download_id else None
    item.ids.update({k: v for k, v in seen.ids.items() if v is not None})
    item.app = seen.app or item.app
    item.protected = seen.protected
    if seen.download_id:
        item.download_id = seen.download_id
    library = {"missingFrom": seen.missing_from} if seen.missing_from else None
    item.state = {k: v for k, v in (("download", seen.download), ("queue", seen.queue), ("request", seen.request or item.state.get("request")),
                                    ("library", library)) if v is not None}
    progressed = False
    if seen.stage is not None:
        progressed = advance(item, seen.stage, now)
    done = int((seen.download or {}).get("bytesDone") or 0)
    if previous_bytes is not None and done > previous_bytes:
        progressed = True
        item.strikes, item.ladder = {}, []
    reason, detail = reason_for(item, seen, previous_bytes)
    if reason is None:
        item.stuck_reason, item.stuck_detail, item.strikes = None, None, {}
        if progressed:
            item.ladder, item.escalated = [], False
    else:
        key = str(reason)
        item.strikes = {key: (item.strikes.get(key, 0) if item.stuck_reason == key else 0) + 1}
        item.stuck_reason, item.stuck_detail = key, detail
    item.updated_at = now
    return progressed
