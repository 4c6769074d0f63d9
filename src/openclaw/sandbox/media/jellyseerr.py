"""Simulated Jellyseerr (/api/v1): requests (create, list, get, approve, decline, retry), counts, status,
and the scheduled jobs (list, run: a Jellyfin scan job marks what the library has available now).

Approve and decline answer as Seerr's `POST /request/{id}/{status}` does: only a pending request
(else 409), only `approve` or `decline` (else 400), only by a user with MANAGE_REQUESTS (else 403)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openclaw.sandbox.media.pipeline import MediaError, MediaPipeline
from openclaw.sandbox.media.state import (
    MEDIA_AVAILABLE,
    MEDIA_PROCESSING,
    REQUEST_APPROVED,
    REQUEST_COMPLETED,
    REQUEST_DECLINED,
    REQUEST_FAILED,
    REQUEST_PENDING,
    SeerrRequest,
    SeerrUser,
)
from openclaw.sandbox.media.web import build, read_json
from openclaw.sandbox.simclock import iso

VERSION = "2.5.2"
# The jobs a Jellyfin-backed Jellyseerr schedules (server/job/schedule.ts): id, name, type, interval.
JOBS = (("jellyfin-recently-added-scan", "Jellyfin Recently Added Scan", "process", "short"),
        ("jellyfin-full-scan", "Jellyfin Full Library Scan", "process", "long"),
        ("radarr-scan", "Radarr Scan", "process", "long"), ("sonarr-scan", "Sonarr Scan", "process", "long"),
        ("availability-sync", "Media Availability Sync", "process", "long"), ("download-sync", "Download Sync", "command", "fixed"),
        ("download-sync-reset", "Download Sync Reset", "command", "long"), ("image-cache-cleanup", "Image Cache Cleanup", "process", "long"))
FILTERS: dict[str, Callable[[SeerrRequest], bool]] = {
    "all": lambda r: True,
    "pending": lambda r: r.status == REQUEST_PENDING,
    "approved": lambda r: r.status == REQUEST_APPROVED,
    "declined": lambda r: r.status == REQUEST_DECLINED,
    "failed": lambda r: r.status == REQUEST_FAILED,
    "completed": lambda r: r.status == REQUEST_COMPLETED,
    "processing": lambda r: r.media_status == MEDIA_PROCESSING,
    "available": lambda r: r.media_status == MEDIA_AVAILABLE,
    "unavailable": lambda r: r.media_status != MEDIA_AVAILABLE and r.status != REQUEST_DECLINED,
}


def user_resource(user: SeerrUser) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "username": user.username, "displayName": user.username,
            "userType": 3, "permissions": 2 if user.auto_approve else 32, "avatar": f"/avatarproxy/{user.id}",
            "requestCount": 0}


def request_resource(r: SeerrRequest) -> dict[str, Any]:
    return {
        "id": r.id, "status": r.status, "createdAt": iso(r.created), "updatedAt": iso(r.updated), "type": r.media_type,
        "is4k": False, "serverId": 0, "profileId": 1, "rootFolder": "/tv" if r.media_type == "tv" else "/movies",
        "media": {"id": r.media_id, "mediaType": r.media_type, "tmdbId": r.tmdb_id, "tvdbId": r.tvdb_id, "status": r.media_status,
                  "status4k": 1, "createdAt": iso(r.created), "updatedAt": iso(r.updated), "jellyfinMediaId": r.jellyfin_id},
        "seasons": [{"id": r.id * 100 + s, "seasonNumber": s, "status": r.status} for s in r.seasons],
        "requestedBy": user_resource(r.requested_by),
        "modifiedBy": user_resource(r.modified_by) if r.modified_by else None, "seasonCount": len(r.seasons),
    }


def error_body(status: int, message: str, field: str | None) -> Response:
    body: dict[str, Any] = {"message": message}
    if field:
        body["errors"] = [{"path": field, "message": message}]
    return JSONResponse(body, status_code=status)


def build_app(p: MediaPipeline, api_key: str) -> Starlette:
    def acting_user(request: Request) -> int:
        raw = request.headers.get("x-api-user", "1")
        if not raw.isdigit():
            raise MediaError(f"X-Api-User: expected a user id, got {raw!r}", field="X-Api-User")
        return int(raw)

    async def status(request: Request) -> Response:
        return JSONResponse({"version": VERSION, "commitTag": f"v{VERSION}", "updateAvailable": False,
                             "commitsBehind": 0, "restartRequired": False})

    async def request_list(request: Request) -> Response:
        q = request.query_params
        flt = q.get("filter", "all")
        if flt not in FILTERS:
            raise MediaError(f"filter: expected one of {', '.join(FILTERS)}, got {flt!r}", field="filter")
        take, skip = int(q.get("take", "10")), int(q.get("skip", "0"))
        rows = sorted((r for r in p.state.requests.values() if FILTERS[flt](r)), key=lambda r: r.created, reverse=True)
        page = rows[skip: skip + take]
        return JSONResponse({"pageInfo": {"pages": max((len(rows) + take - 1) // max(take, 1), 1), "pageSize": take,
                                          "results": len(rows), "page": skip // max(take, 1) + 1},
                             "results": [request_resource(r) for r in page]})

    async def request_create(request: Request) -> Response:
        body = await read_json(request)
        media_id = body.get("mediaId")
        if not isinstance(media_id, int):
            raise MediaError("mediaId: expected the TMDb id (integer)", field="mediaId")
        seasons = body.get("seasons")
        season_list: list[int] | None = None
        if seasons not in (None, "all"):
            if not isinstance(seasons, list) or not all(isinstance(s, int) for s in seasons):
                raise MediaError("seasons: expected a list of season numbers or 'all'", field="seasons")
            season_list = seasons
        created = p.create_request(str(body.get("mediaType")), media_id, season_list, acting_user(request))
        return JSONResponse(request_resource(created), status_code=201)

    async def request_get(request: Request) -> Response:
        found = p.state.requests.get(int(request.path_params["id"]))
        if found is None:
            raise MediaError("Request not found.", field="requestId", status=404)
        return JSONResponse(request_resource(found))

    def manager(request: Request) -> int:
        """Answering a request needs MANAGE_REQUESTS (the admin has it; a requesting user does not)."""
        user = p.state.users.get(acting_user(request))
        if user is None or not user.auto_approve:
            raise MediaError("You do not have permission to access this endpoint", field="X-Api-User", status=403)
        return user.id

    async def request_retry(request: Request) -> Response:
        return JSONResponse(request_resource(p.retry(int(request.path_params["id"]), manager(request))))

    async def request_status(request: Request) -> Response:
        rid, action = int(request.path_params["id"]), request.path_params["status"]
        if action not in ("approve", "decline"):
            raise MediaError("Status must be approve or decline.", field="status")
        user = manager(request)
        changed = p.approve(rid, user) if action == "approve" else p.decline(rid, user)
        return JSONResponse(request_resource(changed))

    def job_resource(job_id: str, running: bool = False) -> dict[str, Any]:
        _, name, kind, interval = next(j for j in JOBS if j[0] == job_id)
        return {"id": job_id, "name": name, "type": kind, "interval": interval,
                "nextExecutionTime": iso(p.clock.now() + timedelta(minutes=5 if interval == "short" else 60)), "running": running}

    async def job_list(request: Request) -> Response:
        manager(request)  # settings need ADMIN, which only the admin holds here
        return JSONResponse([job_resource(j[0]) for j in JOBS])

    async def job_run(request: Request) -> Response:
        manager(request)
        job_id = request.path_params["id"]
        if job_id not in {j[0] for j in JOBS}:
            raise MediaError("Job not found.", field="jobId", status=404)
        p.run_seerr_job(job_id)
        return JSONResponse(job_resource(job_id, running=True))

    async def request_count(request: Request) -> Response:
        rows = list(p.state.requests.values())
        return JSONResponse({
            "total": len(rows), "movie": sum(r.media_type == "movie" for r in rows), "tv": sum(r.media_type == "tv" for r in rows),
            "pending": sum(r.status == REQUEST_PENDING for r in rows), "approved": sum(r.status == REQUEST_APPROVED for r in rows),
            "declined": sum(r.status == REQUEST_DECLINED for r in rows), "processing": sum(r.media_status == MEDIA_PROCESSING for r in rows),
            "available": sum(r.media_status == MEDIA_AVAILABLE for r in rows), "completed": sum(r.status == REQUEST_COMPLETED for r in rows),
        })

    return build([
        Route("/api/v1/status", status), Route("/api/v1/request", request_list),
        Route("/api/v1/request", request_create, methods=["POST"]), Route("/api/v1/request/count", request_count),
        Route("/api/v1/request/{id:int}", request_get),
        Route("/api/v1/request/{id:int}/retry", request_retry, methods=["POST"]),
        Route("/api/v1/request/{id:int}/{status}", request_status, methods=["POST"]),
        Route("/api/v1/settings/jobs", job_list), Route("/api/v1/settings/jobs/{id}/run", job_run, methods=["POST"]),
    ], api_key, name="jellyseerr", recorder=p.received, public=("/api/v1/status",), error_body=error_body)
