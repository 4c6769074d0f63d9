"""What Sonarr v3 and Radarr v3 share (their API v3 has one shape for queue, history, commands,
health and wanted): `ArrClient`, subclassed per app for the names that differ."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from openclaw.media.clients.base import AppClient, MediaAppError
from openclaw.policy.grant import Approval

QUEUE_PAGE = 250


class ArrClient(AppClient):
    api_prefix = "/api/v3"
    unknown_items_param: ClassVar[str] = ""  # includeUnknownSeriesItems / includeUnknownMovieItems
    media_kind: ClassVar[str] = ""  # the tracked item kind it holds: movie, tv, music
    owner_field: ClassVar[str] = ""  # what a queue or history record names its owner by: movieId, seriesId, artistId
    search_command: ClassVar[str] = ""
    scan_command: ClassVar[str] = ""
    refresh_command: ClassVar[str] = ""

    # ---- what each app's library looks like ---------------------------------------------------------

    async def library(self) -> list[dict[str, Any]]:
        """The monitored things it holds (movies, series, artists)."""
        raise NotImplementedError

    def item_id(self, record: dict[str, Any]) -> str | None:
        """The tracker's id for a library record (`movie:tmdb:603`), None when it has no external id."""
        raise NotImplementedError

    def title_of(self, record: dict[str, Any]) -> str:
        return f"{record.get('title')} ({record.get('year')})"

    def complete(self, record: dict[str, Any]) -> bool:
        """Every wanted file is on disk."""
        stats = record.get("statistics") or {}
        return int(stats.get("episodeFileCount") or 0) >= int(stats.get("episodeCount") or 1) > 0

    def auth_headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.api_key or ""}

    # ---- reads ----------------------------------------------------------------------------------

    async def system_status(self) -> dict[str, Any]:
        return _object(self, await self.get_json("/system/status"), "/system/status")

    async def health(self) -> list[dict[str, Any]]:
        return _list(self, await self.get_json("/health"), "/health")

    async def queue(self) -> list[dict[str, Any]]:
        """Every queue record, including the ones no series/movie matched (title mismatches)."""
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            body = _object(self, await self.get_json("/queue", {"page": page, "pageSize": QUEUE_PAGE, self.unknown_items_param: "true"}), "/queue")
            chunk = body.get("records")
            if not isinstance(chunk, list):
                raise MediaAppError(self.name, "bad-response", "/queue: expected a paged body with records[]")
            records.extend(r for r in chunk if isinstance(r, dict))
            total = body.get("totalRecords")
            if not chunk or not isinstance(total, int) or len(records) >= total:
                return records
            page += 1

    async def history_since(self, since: datetime, event_type: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"date": since.isoformat().replace("+00:00", "Z")}
        if event_type:
            params["eventType"] = event_type
        return _list(self, await self.get_json("/history/since", params), "/history/since")

    async def wanted_missing(self, page_size: int = 250) -> list[dict[str, Any]]:
        body = _object(self, await self.get_json("/wanted/missing", {"page": 1, "pageSize": page_size, "monitored": "true"}), "/wanted/missing")
        return [r for r in body.get("records") or [] if isinstance(r, dict)]

    async def command_status(self, command_id: int) -> dict[str, Any]:
        return _object(self, await self.get_json(f"/command/{command_id}"), "/command/{id}")

    # ---- writes ---------------------------------------------------------------------------------

    async def remove_from_queue(self, queue_id: int, *, remove_from_client: bool, blocklist: bool, skip_redownload: bool,
                                change_category: bool, approval: Approval, action: str, target: str) -> None:
        """`DELETE /queue/{id}` with every flag explicit (the app's default for removeFromClient is true)."""
        flags = {"removeFromClient": _bool(remove_from_client), "blocklist": _bool(blocklist),
                 "skipRedownload": _bool(skip_redownload), "changeCategory": _bool(change_category)}
        await self.write("DELETE", f"/queue/{queue_id}", params=flags, approval=approval, action=action, target=target)

    async def command(self, name: str, body: dict[str, Any], *, approval: Approval, action: str, target: str) -> dict[str, Any] | None:
        """`POST /command`: a search, scan or refresh; the queued command (None in a dry run)."""
        response = await self.write("POST", "/command", json={"name": name, **body}, approval=approval, action=action, target=target)
        return None if response is None else _object(self, self.decode(response, "/command"), "/command")


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _object(client: AppClient, body: Any, path: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise MediaAppError(client.name, "bad-response", f"{path}: expected a JSON object, got {type(body).__name__}")
    return body


def _list(client: AppClient, body: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(body, list):
        raise MediaAppError(client.name, "bad-response", f"{path}: expected a JSON array, got {type(body).__name__}")
    return [r for r in body if isinstance(r, dict)]
