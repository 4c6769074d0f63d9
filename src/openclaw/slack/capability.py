"""The Slack capability inside the gateway: outbox and sender, the notice feed, the inbound
dispatcher and its transport (Socket Mode by default, HTTP mode on the gateway's port), and the
`slack.status` method the Control UI's Config screen reads.

Others reach it as `slack_of(services)`. With `slack.enabled` false nothing connects or sends;
`/slack/*` answers 404. Tokens: `slack.botToken` / `slack.appToken` / `slack.signingSecret`,
else `$SLACK_BOT_TOKEN` / `$SLACK_APP_TOKEN` / `$SLACK_SIGNING_SECRET` (the deploy's ExternalSecret).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from openclaw.config.schema import SlackSettings
from openclaw.core.methods import READ, MethodCall
from openclaw.core.slots import Slot
from openclaw.slack import media_requests, notices
from openclaw.slack.feed import Feed
from openclaw.slack.http_mode import HttpModeEndpoints
from openclaw.slack.inbound import Inbound
from openclaw.slack.outbox import Outbox
from openclaw.slack.sender import Pacing, Sender
from openclaw.slack.socket_mode import SocketModeLink

if TYPE_CHECKING:
    from openclaw.core.services import Services

log = logging.getLogger(__name__)

DB_FILE = "slack.db"
_CONNECT_RETRY_MAX_S = 60.0


def secret(settings: SlackSettings, field: str, env: str) -> str | None:
    value: str | None = getattr(settings, field)
    return value or os.environ.get(env) or None


@dataclass
class Slack:
    outbox: Outbox
    sender: Sender
    feed: Feed
    inbound: Inbound
    http: HttpModeEndpoints
    link: SocketModeLink | None = None
    client: AsyncWebClient | None = None

    async def status(self, settings: SlackSettings) -> dict[str, Any]:
        state = self.sender.state
        return {
            "enabled": settings.enabled,
            "mode": settings.mode,
            "connected": await self.link.connected() if self.link is not None else None,
            "botToken": bool(secret(settings, "bot_token", "SLACK_BOT_TOKEN")),
            "appToken": bool(secret(settings, "app_token", "SLACK_APP_TOKEN")),
            "signingSecret": bool(secret(settings, "signing_secret", "SLACK_SIGNING_SECRET")),
            "channels": settings.channels.all(),
            "approvers": len(settings.approvers),
            "allowedUsers": len(settings.allowed_users),
            "queued": self.outbox.count(),
            "sent": state.sent,
            "dropped": state.dropped + self.feed.dropped,
            "lastSentAt": state.last_sent_at,
            "lastError": state.last_error,
            "lastErrorAt": state.last_error_at,
        }


SLACK: Slot[Slack] = Slot("slack", "the Slack capability is not running")


def slack_of(services: Services) -> Slack:
    return services.get(SLACK)


def install(services: Services) -> Slack:
    def settings() -> SlackSettings:
        return services.config.settings.slack

    outbox = Outbox(services.state_dir / DB_FILE, limit=settings().queue_limit)
    holder: dict[str, AsyncWebClient] = {}

    def client() -> AsyncWebClient:
        s = settings()
        token = secret(s, "bot_token", "SLACK_BOT_TOKEN")
        made = holder.get("client")
        # Rebuilt when the token or URL changes (config reload); retries are the sender's (Retry-After, outage backoff).
        if made is None or made.token != token or made.base_url != s.api_url:
            made = AsyncWebClient(token=token, base_url=s.api_url, timeout=10, retry_handlers=[])
            holder["client"] = made
        return made

    sender = Sender(outbox, client, Pacing(lambda: settings().channel_interval, lambda: settings().retry_max_delay))
    feed = Feed(outbox, settings, sender.wake, media_buttons=lambda key: media_requests.offered(services, settings(), key))
    inbound = Inbound(services, outbox, feed, settings, sender.wake, media=media_requests.MediaRequests(services, feed, settings))
    http = HttpModeEndpoints(lambda: secret(settings(), "signing_secret", "SLACK_SIGNING_SECRET"),
                             lambda: settings().enabled and settings().mode == "http", inbound.dispatch)
    slack = Slack(outbox, sender, feed, inbound, http)
    services.put(SLACK, slack)
    services.routes.extend(http.routes())

    @services.methods.method("slack.status", READ)
    async def slack_status(call: MethodCall) -> dict[str, Any]:
        return {"slack": await slack.status(settings())}

    async def connect_socket(link: SocketModeLink) -> None:
        delay = 1.0
        while True:
            try:
                await link.connect()
                return  # from here the client reconnects by itself
            except Exception as exc:  # Slack unreachable or the app token refused: try again later
                log.warning("slack.socket_connect_failed", extra={"detail": f"{type(exc).__name__}: {exc}", "retry_in": delay})
                sender.note_error(f"Socket Mode: {type(exc).__name__}: {exc}", time.time())
                await asyncio.sleep(delay)
                delay = min(_CONNECT_RETRY_MAX_S, delay * 2)

    unfollow: list[Callable[[], None]] = []

    async def start() -> None:
        s = settings()
        if not s.enabled:
            return
        services.supervisor.start("slack.sender", sender.run())
        unfollow.append(notices.follow(services, feed.on_notice))
        if s.mode == "socket":
            app_token = secret(s, "app_token", "SLACK_APP_TOKEN")
            if not app_token:
                log.error("slack.no_app_token", extra={"detail": "Socket Mode needs slack.appToken or $SLACK_APP_TOKEN"})
                sender.note_error("Socket Mode needs slack.appToken or $SLACK_APP_TOKEN", time.time())
                return
            slack.link = SocketModeLink(app_token, AsyncWebClient(token=app_token, base_url=s.api_url, timeout=10), inbound.dispatch)
            services.supervisor.start("slack.socket", connect_socket(slack.link))

    async def stop() -> None:
        for off in unfollow:
            off()
        await inbound.close()
        if slack.link is not None:
            await slack.link.close()
        outbox.close()

    services.startup.append(start)
    services.shutdown.append(stop)
    return slack
