"""Jellyseerr / Overseerr API v1 (one API since the projects merged as Seerr)."""

from __future__ import annotations

from typing import Any

from openclaw.media.clients.arr import _list, _object
from openclaw.media.clients.base import AppClient, MediaAppError
from openclaw.media.clients.registry import register
from openclaw.policy.grant import Approval

# MediaRequestStatus and MediaStatus (seerr server/constants/media.ts)
REQUEST_PENDING, REQUEST_APPROVED, REQUEST_DECLINED, REQUEST_FAILED, REQUEST_COMPLETED = 1, 2, 3, 4, 5
MEDIA_AVAILABLE = 5
PAGE = 100
# Seerr learns that a request's media is available only from its own scans of the media server
# (server/job/schedule.ts); a "recently added" scan is the cheap one.
SCAN_JOBS = {"jellyfin": "jellyfin-recently-added-scan", "plex": "plex-recently-added-scan"}


@register
class SeerrClient(AppClient):
    kind = "seerr"
    api_prefix = "/api/v1"

    def auth_headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.api_key or ""}

    async def status(self) -> dict[str, Any]:
        return _object(self, await self.get_json("/status"), "/status")

    async def requests(self, filter: str = "all", limit: int = 1000) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while len(out) < limit:
            body = _object(self, await self.get_json("/request", {"take": PAGE, "skip": len(out), "filter": filter, "sort": "added"}), "/request")
            results = body.get("results")
            if not isinstance(results, list):
                raise MediaAppError(self.name, "bad-response", "/request: expected results[]")
            out.extend(r for r in results if isinstance(r, dict))
            total = (body.get("pageInfo") or {}).get("results")
            if not results or not isinstance(total, int) or len(out) >= total:
                break
        return out

    async def request(self, request_id: int) -> dict[str, Any]:
        return _object(self, await self.get_json(f"/request/{request_id}"), "/request/{id}")

    async def approve(self, request_id: int, *, approval: Approval, action: str, target: str) -> None:
        await self.write("POST", f"/request/{request_id}/approve", approval=approval, action=action, target=target)

    async def decline(self, request_id: int, *, approval: Approval, action: str, target: str) -> None:
        await self.write("POST", f"/request/{request_id}/decline", approval=approval, action=action, target=target)

    async def retry(self, request_id: int, *, approval: Approval, action: str, target: str) -> None:
        await self.write("POST", f"/request/{request_id}/retry", approval=approval, action=action, target=target)

    async def jobs(self) -> list[dict[str, Any]]:
        """The scheduled jobs (id, name, type, interval, nextExecutionTime, running); needs an admin's API key."""
        return _list(self, await self.get_json("/settings/jobs"), "/settings/jobs")

    async def run_job(self, job_id: str, *, approval: Approval, action: str, target: str) -> dict[str, Any] | None:
        """Start a job now; Seerr answers with the job (running true). None in a dry run."""
        response = await self.write("POST", f"/settings/jobs/{job_id}/run", approval=approval, action=action, target=target)
        return None if response is None else _object(self, self.decode(response, "/settings/jobs/{jobId}/run"), "/settings/jobs/{jobId}/run")
