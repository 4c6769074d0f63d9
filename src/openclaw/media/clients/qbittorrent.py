"""qBittorrent WebUI API v2.

Authentication: an API key as `Authorization: Bearer <key>` on 5.2+; otherwise a form login whose
session cookie is `SID` up to 5.1 and `QBT_SID_<port>` from 5.2 (the cookie jar keeps whichever the
server sets). qBittorrent answers 403 once a session has expired: the client logs in again once.
5.0 renamed pause/resume to stop/start; the Web API version (`/app/webapiVersion`) decides which.
"""

from __future__ import annotations

from typing import Any

import httpx

from openclaw.media.clients.arr import _list
from openclaw.media.clients.base import AppClient, MediaAppError
from openclaw.media.clients.registry import register
from openclaw.policy.grant import Approval

STOP_START_FROM = (2, 11)  # Web API 2.11 shipped with qBittorrent 5.0


@register
class QbittorrentClient(AppClient):
    kind = "qbittorrent"
    api_prefix = "/api/v2"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._logged_in = False
        self._webapi: tuple[int, ...] | None = None

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    async def ensure_session(self) -> None:
        if self.api_key or self._logged_in:
            return
        if not self.username:
            raise MediaAppError(self.name, "unauthorized", f"media.apps.{self.name}: set apiKey (qBittorrent 5.2+) or username and password")
        response = await self._once("POST", "/auth/login", data={"username": self.username, "password": self.password or ""})
        # qBittorrent answers 200 "Fails." to wrong credentials, 403 once it has banned the address.
        if response.status_code != 200 or response.text.strip() != "Ok.":
            raise MediaAppError(self.name, "unauthorized", f"login refused ({response.status_code} {response.text.strip()[:40]!r}): check media.apps.{self.name}.username/password",
                                status=response.status_code)
        self._logged_in = True

    def session_expired(self, response: httpx.Response) -> bool:
        if response.status_code == 403 and not self.api_key:
            self._logged_in = False
            return True
        return False

    # ---- reads ----------------------------------------------------------------------------------

    async def version(self) -> str:
        return (await self.read("GET", "/app/version")).text.strip()

    async def webapi_version(self) -> tuple[int, ...]:
        if self._webapi is None:
            text = (await self.read("GET", "/app/webapiVersion")).text.strip()
            try:
                self._webapi = tuple(int(p) for p in text.split("."))
            except ValueError:
                raise MediaAppError(self.name, "bad-response", f"/app/webapiVersion: expected a version such as 2.11.2, got {text[:40]!r}") from None
        return self._webapi

    async def torrents(self, hashes: list[str] | None = None) -> list[dict[str, Any]]:
        params = {"hashes": "|".join(h.lower() for h in hashes)} if hashes else None
        return _list(self, await self.get_json("/torrents/info", params), "/torrents/info")

    # ---- writes (the hash is the download id lower-cased, as Sonarr sends it) ---------------------

    async def reannounce(self, download_id: str, *, approval: Approval, action: str, target: str) -> None:
        await self.write("POST", "/torrents/reannounce", data={"hashes": download_id.lower()}, approval=approval, action=action, target=target)

    async def recheck(self, download_id: str, *, approval: Approval, action: str, target: str) -> None:
        await self.write("POST", "/torrents/recheck", data={"hashes": download_id.lower()}, approval=approval, action=action, target=target)

    async def start(self, download_id: str, *, approval: Approval, action: str, target: str) -> None:
        verb = "start" if await self.webapi_version() >= STOP_START_FROM else "resume"
        await self.write("POST", f"/torrents/{verb}", data={"hashes": download_id.lower()}, approval=approval, action=action, target=target)
