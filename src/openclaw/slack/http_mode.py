"""HTTP mode: Slack POSTs events to `/slack/events` and interactions and slash commands to
`/slack/interactive`. Every request must carry a valid v0 signature (HMAC-SHA256 of
`v0:<timestamp>:<raw body>` with the signing secret, checked by slack-sdk's `SignatureVerifier`)
and a timestamp within 300 s of now; anything else is refused with 401 before its body is read as
a request, and nothing changes. Answers go out within Slack's 3 s (see `Inbound.dispatch`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import Clock, SignatureVerifier
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

log = logging.getLogger(__name__)

Dispatch = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any] | None]]
MAX_BODY_BYTES = 1024 * 1024


def _refuse(status: int, error: str, detail: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": error, "detail": detail}, status_code=status)


def _valid(verifier: SignatureVerifier, body: bytes, timestamp: str, signature: str) -> bool:
    if not timestamp.isdigit() or not signature:
        return False  # the verifier would raise on a timestamp that is not a number
    return bool(verifier.is_valid(body, timestamp, signature))


class HttpModeEndpoints:
    def __init__(self, signing_secret: Callable[[], str | None], enabled: Callable[[], bool], dispatch: Dispatch, clock: Clock | None = None) -> None:
        self._secret = signing_secret
        self._enabled = enabled
        self._dispatch = dispatch
        self._clock = clock or Clock()

    def routes(self) -> list[BaseRoute]:
        return [Route("/slack/events", self.events, methods=["POST"]), Route("/slack/interactive", self.interactive, methods=["POST"])]

    async def _verified(self, request: Request) -> bytes | Response:
        if not self._enabled():
            return _refuse(404, "not_found", "Slack HTTP mode is off (slack.enabled, slack.mode)")
        secret = self._secret()
        if not secret:
            return _refuse(503, "not_configured", "slack.signingSecret is not set; every request is refused")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _refuse(413, "too_large", f"body over {MAX_BODY_BYTES} bytes")
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        if not _valid(SignatureVerifier(secret, clock=self._clock), body, timestamp, signature):
            log.warning("slack.request_refused", extra={"path": request.url.path})
            return _refuse(401, "invalid_signature", "X-Slack-Signature does not match, or X-Slack-Request-Timestamp is more than 300 s off")
        return body

    async def events(self, request: Request) -> Response:
        body = await self._verified(request)
        if isinstance(body, Response):
            return body
        try:
            payload = json.loads(body)
        except ValueError:
            return _refuse(400, "invalid_body", "expected a JSON event body")
        if payload.get("type") == "url_verification":
            return JSONResponse({"challenge": payload.get("challenge")})
        await self._dispatch("events_api", payload)
        return Response(status_code=200)

    async def interactive(self, request: Request) -> Response:
        body = await self._verified(request)
        if isinstance(body, Response):
            return body
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if "payload" in form:
            try:
                payload = json.loads(form["payload"])
            except ValueError:
                return _refuse(400, "invalid_body", "payload: expected JSON")
            await self._dispatch("interactive", payload)
            return Response(status_code=200)
        if "command" in form:
            answer = await self._dispatch("slash_commands", form)
            return JSONResponse(answer or {})
        return _refuse(400, "invalid_body", "expected a payload= (interaction) or command= (slash command) form")
