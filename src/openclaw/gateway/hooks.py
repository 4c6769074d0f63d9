"""`POST <hooks.path>/<name>` (`/hooks/<name>` by default): webhook ingress.

In order: the token (header or HTTP Basic password; never the query string), the body size
(Content-Length, then the bytes actually read), JSON, the receiver for `<name>` (built-in or a
`hooks.mappings` entry), then the durable store. 202 is sent only once the event is on disk.
Failures answer `{"ok": false, "error": {"code", "message", "details": {"field"}}}` and store nothing.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from openclaw.errors import StateError, WebhookError
from openclaw.events import events_of
from openclaw.events.receivers import RECEIVERS, Accepted
from openclaw.events.receivers.mappings import HookRequest, find_mapping, receive_mapped
from openclaw.gateway import peer
from openclaw.gateway.http import services_of
from openclaw.gateway.ratelimit import AuthRateLimiter, too_many_attempts
from openclaw.gateway.services import Services
from openclaw.gateway.ws.hub import hub_of

log = logging.getLogger(__name__)

# Query parameters that look like a token: refused outright, so a token never lands in access logs.
QUERY_TOKEN_NAMES = frozenset({"token", "hook_token", "hooktoken", "access_token", "apikey", "api_key", "key"})
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="openclaw-hooks", Basic realm="openclaw-hooks"'}


@functools.lru_cache(maxsize=256)
def json_text(value: str) -> bytes:
    """`value` as a JSON string; sources and types repeat, so each is encoded once."""
    return json.dumps(value).encode()


def error_response(status: int, code: str, message: str, field: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["details"] = {"field": field}
    return JSONResponse({"ok": False, "error": error}, status_code=status, headers=headers)


def presented_tokens(headers: list[tuple[bytes, bytes]]) -> list[str]:
    """Every token the request offers: Bearer, x-openclaw-token, and the password of HTTP Basic."""
    tokens = []
    for raw_name, raw_value in headers:
        name = raw_name.lower()
        if name == b"x-openclaw-token":
            value = raw_value.decode("latin-1").strip()
            if value:
                tokens.append(value)
        elif name == b"authorization":
            scheme, _, value = raw_value.decode("latin-1").partition(" ")
            value = value.strip()
            if scheme.lower() == "bearer" and value:
                tokens.append(value)
            elif scheme.lower() == "basic" and value:
                try:
                    decoded = base64.b64decode(value, validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError):
                    continue
                _, sep, password = decoded.partition(":")
                if sep and password:
                    tokens.append(password)
    return tokens


def has_query_token(query_string: bytes) -> bool:
    if not query_string:
        return False
    from urllib.parse import parse_qsl

    return any(k.lower() in QUERY_TOKEN_NAMES for k, _ in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))


def token_problem(request: Request, expected: str | None, gateway_token: str | None) -> str | None:
    """Why the request is not authorized, or None when it is."""
    if has_query_token(request.scope.get("query_string", b"")):
        return "tokens in the query string are refused: send Authorization: Bearer <hooks.token> or x-openclaw-token"
    if not expected:
        return "webhooks are closed: hooks.token is not set (`openclaw config set hooks.token <secret>`)"
    if gateway_token and hmac.compare_digest(expected.encode(), gateway_token.encode()):
        return "webhooks are closed: hooks.token must differ from gateway.auth.token"
    offered = presented_tokens(request.scope["headers"])
    if not offered:
        return "missing token: send Authorization: Bearer <hooks.token>, x-openclaw-token, or HTTP Basic with the token as password"
    if not any(hmac.compare_digest(t.encode(), expected.encode()) for t in offered):
        return "invalid token"
    return None


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refusing (413) anything over `limit` by its declared length or by what arrives."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise WebhookError("Content-Length: expected a byte count", field="Content-Length") from None
        if size > limit:
            raise WebhookError(f"body of {size} bytes is over hooks.maxBodyBytes ({limit})", status=413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise WebhookError(f"body is over hooks.maxBodyBytes ({limit})", status=413)
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)  # one chunk (the usual case): no copy


def accept(request: Request, name: str, body: bytes) -> tuple[Accepted, str] | None:
    """The typed event and the JSON text to store; None when no receiver or mapping takes `name`."""
    receiver = RECEIVERS.get(name)
    if receiver is not None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookError("$: body is not UTF-8 JSON", field="$") from None
        return receiver(body), text  # validated straight from the JSON bytes
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise WebhookError(f"$: body is not valid JSON ({exc})", field="$") from None
    settings = services_of(request).config.settings
    mapping = find_mapping(settings.hooks.mappings, name, data)
    if mapping is None:
        return None
    req = HookRequest(path=name, payload=data, headers=dict(request.headers), query=dict(request.query_params))
    accepted = receive_mapped(mapping, req)
    return accepted, accepted.model.model_dump_json(by_alias=True)


def limiter_of(services: Services) -> AuthRateLimiter:
    return hub_of(services).limiter


def throttle(request: Request, services: Services, *, failed: bool) -> Response | None:
    """Failed-token lockout per client IP, as for WebSocket connects: a locked-out client is
    refused (429, even with the right token, so guessing stays throttled) and a failure counts.
    Keys are kept apart from the WebSocket ones, so a misconfigured sender cannot lock operators out."""
    settings = services.config.settings
    address = peer.resolve(request.client.host if request.client else None, request.headers, settings.gateway.trusted_proxies)
    limiter = limiter_of(services)
    if limiter.exempt(is_local=address.is_local, is_browser=False):
        return None
    key = f"hooks:{address.client_ip}"
    retry = limiter.retry_after_ms(key)
    if retry is not None:
        log.warning("webhook.locked_out", extra={"ip": address.client_ip, "retryAfterMs": retry})
        return too_many_attempts(retry)
    if failed:
        limiter.record_failure(key)
    return None


async def receive_hook(request: Request) -> Response:
    services = services_of(request)
    settings = services.config.settings
    name = request.path_params["name"].strip("/")
    if not settings.hooks.enabled:
        return error_response(404, "NOT_FOUND", "webhooks are disabled (hooks.enabled is false)")
    problem = token_problem(request, settings.hooks.token, settings.gateway.auth.token)
    if problem or limiter_of(services).tracking():
        refusal = throttle(request, services, failed=bool(problem))
        if refusal is not None:
            return refusal
    if problem:
        log.warning("webhook.unauthorized", extra={"hook": name[:64], "reason": problem.split(":")[0]})
        return error_response(401, "UNAUTHORIZED", problem, headers=CHALLENGE)
    try:
        body = await read_body(request, settings.hooks.max_body_bytes)
        outcome = accept(request, name, body)
        if outcome is None:
            return error_response(404, "NOT_FOUND", f"no webhook named {name!r}: add one under hooks.mappings")
        event = await events_of(services).ingest(*outcome)
    except WebhookError as exc:
        code = "PAYLOAD_TOO_LARGE" if exc.status == 413 else "INVALID_REQUEST"
        log.info("webhook.rejected", extra={"hook": name[:64], "status": exc.status, "field": exc.field})
        return error_response(exc.status, code, str(exc), exc.field)
    except StateError as exc:
        log.error("webhook.store_failed", extra={"hook": name[:64]}, exc_info=exc)
        return error_response(503, "UNAVAILABLE", "the event store cannot accept events right now; retry later")
    except Exception as exc:  # a request is a task boundary: answer, log, keep serving
        log.error("webhook.failed", extra={"hook": name[:64]}, exc_info=exc)
        return error_response(500, "INTERNAL", "webhook handling failed; the event was not stored")
    # Built by hand on the hot path: the id is hex, source and type are JSON-encoded.
    reply = b'{"ok":true,"id":"%s","source":%s,"type":%s}' % (event.id.encode(), json_text(event.source), json_text(event.type))
    return AcceptedResponse(reply)


class AcceptedResponse(Response):
    """The 202: its two ASGI messages sent directly, skipping the generic header assembly."""

    def __init__(self, body: bytes) -> None:
        self.status_code = 202
        self.body = body
        self.background = None
        self.raw_headers = [(b"content-length", b"%d" % len(body)), (b"content-type", b"application/json")]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 202, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body})


async def serve_hook(app: Starlette, scope: Scope, receive: Receive, send: Send, base: str) -> None:
    """Every request under the webhook prefix `base`, straight from the ASGI entry point.

    Webhook floods are the gateway's hottest path and `receive_hook` answers every outcome itself
    (401/404/413/400/503/500), so routing through the router and the exception middleware would add
    only per-request cost. The prefix is read from the live config, so a changed `hooks.path`
    applies to the next request.
    """
    name = scope["path"][len(base) + 1 :]
    if scope["method"] != "POST":
        response: Response = error_response(405, "METHOD_NOT_ALLOWED", f"webhooks take POST, not {scope['method']}", headers={"Allow": "POST"})
    elif not name.strip("/"):
        response = error_response(404, "NOT_FOUND", f"name the webhook: POST {base}/<name>, e.g. {base}/alertmanager")
    else:
        scope["app"] = app
        scope["path_params"] = {"name": name}
        try:
            response = await receive_hook(Request(scope, receive))
        except Exception as exc:  # the same answer the server-error middleware would give
            log.error("webhook.failed", exc_info=exc)
            response = error_response(500, "INTERNAL", "webhook handling failed; the event was not stored")
    await response(scope, receive, send)


def is_hook_request(scope: Scope, base: str) -> bool:
    """Whether the request is under the webhook prefix `base` (`hooks.path`, no trailing slash)."""
    if scope["type"] != "http" or scope.get("root_path"):
        return False
    path: str = scope["path"]
    return path.startswith(base) and (len(path) == len(base) or path[len(base)] == "/")
