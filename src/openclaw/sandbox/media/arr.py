"""What Sonarr's and Radarr's API v3 share: system status, health, paging, quality, commands, queue shape.

Every body is shaped by the apps' own OpenAPI documents (their schemas forbid unknown keys), and
null fields are left out as the apps' serializer does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openclaw.sandbox.media.pipeline import MediaError, MediaPipeline
from openclaw.sandbox.media.state import App, Command, DownloadView, QueueItem, Release
from openclaw.sandbox.media.web import read_json
from openclaw.sandbox.media.webhooks import ENGLISH, client_name
from openclaw.sandbox.media.webhooks import compact as compact
from openclaw.sandbox.simclock import iso


# Radarr names its quality sources differently from Sonarr (QualitySource enums in each document).
RADARR_SOURCES = {"web": "webdl", "webRip": "webrip", "television": "tv"}


def quality(release: Release, app: str = "sonarr") -> dict[str, Any]:
    source = RADARR_SOURCES.get(release.source, release.source) if app == "radarr" else release.source
    return {
        "quality": {"id": release.quality_id, "name": release.quality, "source": source, "resolution": release.resolution},
        "revision": {"version": 1, "real": 0, "isRepack": False},
    }


def system_status(app: str, version: str, started: datetime) -> dict[str, Any]:
    return {
        "appName": app, "instanceName": app, "version": version, "buildTime": iso(started - timedelta(days=30)),
        "isDebug": False, "isProduction": True, "isAdmin": False, "isUserInteractive": False,
        "startupPath": "/app/bin", "appData": "/config", "osName": "ubuntu", "osVersion": "22.04",
        "isNetCore": True, "isLinux": True, "isOsx": False, "isWindows": False, "isDocker": True,
        "mode": "console", "branch": "main", "authentication": "forms", "sqliteVersion": "3.44.2",
        "migrationVersion": 214, "urlBase": "", "runtimeVersion": "6.0.35", "runtimeName": ".NET",
        "startTime": iso(started), "packageVersion": version, "packageAuthor": "hotio",
        "packageUpdateMechanism": "docker", "databaseVersion": "3.44.2", "databaseType": "sqLite",
    }


def paging(request: Request, records: list[dict[str, Any]], sort_key: str) -> dict[str, Any]:
    page = max(int(request.query_params.get("page", "1") or 1), 1)
    size = max(int(request.query_params.get("pageSize", "10") or 10), 1)
    direction = request.query_params.get("sortDirection", "descending")
    if direction not in ("default", "ascending", "descending"):
        raise MediaError(f"sortDirection: expected ascending or descending, got {direction!r}", field="sortDirection")
    return {
        "page": page, "pageSize": size, "sortKey": request.query_params.get("sortKey", sort_key),
        "sortDirection": direction, "totalRecords": len(records), "records": records[(page - 1) * size: page * size],
    }


def command(cmd: Command) -> dict[str, Any]:
    duration = None
    if cmd.started and cmd.ended:
        secs = int((cmd.ended - cmd.started).total_seconds())
        duration = f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    return compact({
        "id": cmd.id, "name": cmd.name, "commandName": _spaced(cmd.name), "message": cmd.message or None,
        "body": {"sendUpdatesToClient": True, "updateScheduledTask": False, "completionMessage": "Completed",
                 "requiresDiskAccess": False, "isExclusive": False, "isLongRunning": False, "name": cmd.name,
                 "trigger": "manual", "suppressMessages": False},
        "priority": "normal", "status": cmd.status, "result": "successful" if cmd.status == "completed" else "unknown",
        "queued": iso(cmd.queued), "started": iso(cmd.started) if cmd.started else None,
        "ended": iso(cmd.ended) if cmd.ended else None, "duration": duration, "trigger": "manual",
        "stateChangeTime": iso(cmd.ended or cmd.started or cmd.queued), "sendUpdatesToClient": True,
        "updateScheduledTask": False,
    })


def _spaced(name: str) -> str:
    return "".join(f" {c}" if c.isupper() and i else c for i, c in enumerate(name))


def queue_fields(item: QueueItem, download: DownloadView | None, now: datetime, bytes_per_s: float) -> dict[str, Any]:
    """The queue record fields that do not depend on the app: status, tracked state, messages, size left."""
    size = float(item.release.size)
    left = size * (1.0 - (download.progress if download else 0.0))
    status, tracked_status, tracked_state, messages = "downloading", "ok", "downloading", None
    timeleft, eta, error_message = None, None, None
    if item.state == "downloading" and download is not None:
        if download.paused:
            status = "paused"
        elif download.errored or download.missing:
            # Sonarr/Radarr show a client error as a warning, deliberately not failed (no failed-download handling).
            status, tracked_status = "warning", "warning"
            messages = [{"title": item.release.title, "messages": ["qBittorrent is reporting an error" if download.errored else "The download is missing files"]}]
        elif download.metadata:
            status = "queued"
            messages = [{"title": item.release.title, "messages": ["qBittorrent is downloading metadata"]}]
        elif download.stalled:
            status, tracked_status = "warning", "warning"
            messages = [{"title": item.release.title, "messages": ["The download is stalled with no connections"]}]
        else:
            secs = int(left / bytes_per_s) if bytes_per_s else 0
            timeleft = f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
            eta = iso(now + timedelta(seconds=secs))
    elif item.state == "failedPending":
        # The client reports the job failed (SABnzbd's fail_message); failed download handling has not run.
        status, tracked_status, tracked_state, error_message = "failed", "error", "failedPending", item.blocked_reason
        messages = [{"title": item.release.title, "messages": [item.blocked_reason]}]
    elif item.state in ("importPending", "importing"):
        status, tracked_state = "completed", item.state
    elif item.state in ("importBlocked", "importFailed"):
        status, tracked_status, tracked_state = "completed", "warning", item.state
        messages = [{"title": item.release.title, "messages": [item.blocked_reason]}]
        messages += [{"title": name, "messages": [reason]} for name, reason in item.rejected]
    category = download.category if download else ""
    folder = "complete" if download and download.done else "incomplete"
    return {
        "languages": [ENGLISH], "quality": quality(item.release, item.app), "customFormats": [], "customFormatScore": 0,
        "size": size, "title": item.release.title, "estimatedCompletionTime": eta, "added": iso(item.added),
        "status": status, "trackedDownloadStatus": tracked_status, "trackedDownloadState": tracked_state,
        "statusMessages": messages or [], "errorMessage": error_message, "downloadId": item.download_id,
        "protocol": "usenet" if item.client == "sabnzbd" else "torrent",
        "downloadClient": client_name(item), "downloadClientHasPostImportCategory": False, "indexer": item.release.indexer,
        "outputPath": f"/downloads/{folder}/{category}/{item.release.title}",
        "sizeleft": left, "timeleft": timeleft,
    }


def health(issues: list[tuple[str, str, str]], app: str) -> list[dict[str, Any]]:
    return [
        {"id": i + 1, "source": source, "type": level, "message": message,
         "wikiUrl": {"fullUri": f"https://wiki.servarr.com/{app}/system#{source.lower()}"}}
        for i, (source, level, message) in enumerate(issues)
    ]


def flag(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise MediaError(f"{name}: expected true or false, got {raw!r}", field=name)
    return raw.lower() == "true"


def queue_delete_routes(p: MediaPipeline, app: App, api: str) -> list[Route]:
    """`DELETE {api}/queue/{id}` and `{api}/queue/bulk`, with the flags and defaults Sonarr, Radarr and Lidarr share."""

    def remove(request: Request, record_id: int) -> None:
        p.remove_from_queue(app, record_id, remove_from_client=flag(request, "removeFromClient", True),
                            blocklist=flag(request, "blocklist", False), skip_redownload=flag(request, "skipRedownload", False))

    async def one(request: Request) -> Response:
        remove(request, int(request.path_params["id"]))
        return Response(status_code=200)  # the apps answer an empty 200

    async def bulk(request: Request) -> Response:
        ids = (await read_json(request)).get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise MediaError("ids: expected a list of queue ids", field="ids")
        for record_id in ids:
            remove(request, record_id)
        return Response(status_code=200)

    return [Route(f"{api}/queue/bulk", bulk, methods=["DELETE"]), Route(f"{api}/queue/{{id:int}}", one, methods=["DELETE"])]
