"""Socket Mode, the default transport: the gateway dials Slack (no public ingress needed).

slack-sdk's aiohttp client asks `apps.connections.open` for a WebSocket URL with the app token,
reconnects when Slack sends `disconnect` or the socket drops, and pings to notice a dead link.
Each envelope is acknowledged first (with the slash command's answer, computed within the 3 s Slack
allows), then handled. One gateway holds one connection: Slack gives each event to one random
connection, so a second consumer would steal half of them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

Dispatch = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any] | None]]


class SocketModeLink:
    def __init__(self, app_token: str, web_client: AsyncWebClient, dispatch: Dispatch, *, ping_interval: float = 10.0) -> None:
        self.client = SocketModeClient(app_token=app_token, web_client=web_client, auto_reconnect_enabled=True, ping_interval=ping_interval,
                                       logger=logging.getLogger("openclaw.slack.socket_mode.sdk"))
        self._dispatch = dispatch
        self.client.socket_mode_request_listeners.append(self._on_request)

    async def _on_request(self, client: Any, req: SocketModeRequest) -> None:
        payload = req.payload if isinstance(req.payload, dict) else {}
        if req.type == "slash_commands":
            answer = await self._dispatch(req.type, payload)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id, payload=answer))
            return
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
        await self._dispatch(req.type, payload)

    async def connect(self) -> None:
        """Raises when Slack cannot be reached or refuses the app token. The WebSocket URL is asked
        for here, not inside the client, whose own loop retries forever and only logs why."""
        opened = await self.client.web_client.apps_connections_open(app_token=self.client.app_token)
        self.client.wss_uri = str(opened["url"])
        await self.client.connect()  # type: ignore[no-untyped-call]  # slack-sdk leaves it unannotated
        log.info("slack.socket_connected")

    async def connected(self) -> bool:
        return bool(await self.client.is_connected())

    async def close(self) -> None:
        await self.client.close()  # type: ignore[no-untyped-call]  # slack-sdk leaves it unannotated
