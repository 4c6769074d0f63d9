"""`POST <hooks.path>/<name>` (`/hooks/<name>` by default): webhook ingress.

In order: the token (header or HTTP Basic password; never the query string), the hook name
(built-in receiver or a `hooks.mappings` path, else 404), the body size against that hook's limit
(Content-Length, then the bytes actually read), UTF-8 JSON validated by the receiver, then the
durable store. 202 is sent only once the event is on disk. Failures answer
`{"ok": false, "error": {"code", "message", "details"}}` and store nothing: a 400's details name
the first bad field and list every problem (`errors`, bounded) in document order; a 413's name the
setting to raise. No body, however malformed, is a 500.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

import pydantic_core

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from openclaw.agent.capability import AGENT
from openclaw.config.schema import Settings
from openclaw.errors import StateError, WebhookError
from openclaw.events import events_of
from openclaw.events.receivers import RECEIVERS, Accepted
from openclaw.events.receivers.mappings import HookRequest, find_mapping, receive_mapped
from openclaw.gateway import peer
from openclaw.gateway.http import services_of
from openclaw.core.ratelimit import AuthRateLimiter, too_many_attempts
from openclaw.core.services import Services
from openclaw.gateway.ws.hub import hub_of

log = logging.getLogger(__name__)

# Query parameters that look like a token: refused outright, so a token never lands in access logs.
QUERY_TOKEN_NAMES = frozenset({"token", "hook_token", "hooktoken", "access_token", "apikey", "api_key", "key"})
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="openclaw-hooks", Basic realm="openclaw-hooks"'}


@functools.lru_cache(maxsize=256)
def json_text(value: str) -> bytes:
    """`value` as a JSON string; sources and types repeat, so each is encoded once."""
    return json.dumps(value).encode()


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None, details: dict[str, Any] | None = None) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return JSONResponse({"ok": False, "error": error}, status_code=status, headers=headers)


def refusal_details(exc: WebhookError) -> dict[str, Any] | None:
    """`{field, errors, errorCount}`: the first bad field, then every problem (bounded) in document order."""
    if exc.field is None:
        return None
    return {"field": exc.field, "errors": exc.errors, "errorCount": exc.error_count}


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


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The largest body a hook takes, and the config path that sets it (named in every 413)."""

    hook: str
    bytes: int
    setting: str

    def refusal(self, size: int | None) -> WebhookError:
        seen = f"body of {size} bytes" if size is not None else "body"
        fix = f"raise it with `openclaw config set {self.setting} <bytes>`"
        if self.hook == "alertmanager":
            fix += ", or set max_alerts in the AlertManager receiver's webhook_configs so one notification fits"
        return WebhookError(f"{seen} is over {self.setting} ({self.bytes}): {fix}", status=413)


def body_limit(settings: Settings, hook: str) -> BodyLimit:
    limit, setting = settings.hooks.body_limit(hook)
    return BodyLimit(hook, limit, setting)


async def read_body(request: Request, limit: BodyLimit) -> bytes | bytearray:
    """The body, refusing (413) anything over the limit by its declared length or by what arrives.

    One buffer: a body in one chunk (the usual case) is kept as it came; more chunks are appended
    to one growing bytearray instead of a list joined at the end, so a large body is held once."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise WebhookError("Content-Length: expected a byte count", field="Content-Length") from None
        if size > limit.bytes:
            raise limit.refusal(size)
    body: bytes | bytearray = b""
    size = 0
    async for chunk in request.stream():
        if not chunk:
            continue
        size += len(chunk)
        if size > limit.bytes:
            raise limit.refusal(None)
        if not body:
            body = chunk
        else:
            if isinstance(body, bytes):
                body = bytearray(body)
            body += chunk
    return body


def body_text(body: bytes | bytearray) -> str:
    """The body as text: what is stored, and what the receivers validate."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookError(f"$: body is not UTF-8 JSON (invalid byte at offset {exc.start})", field="$") from None


def parse_object(text: str) -> dict[str, Any]:
    """A mapped hook's body as a JSON object, by the parser the built-in hooks validate with: its
    nesting limit, lone-surrogate and number-range checks make bad bodies a 400, never a crash."""
    try:
        data = pydantic_core.from_json(text)
    except ValueError as exc:
        raise WebhookError(f"$: body is not valid JSON ({exc})", field="$") from None
    if not isinstance(data, dict):
        raise WebhookError(f"$: expected the body to be a JSON object, got {json_type(data)}", field="$")
    return data


def json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def has_hook(settings: Settings, name: str) -> bool:
    """Whether a built-in receiver or a mapping answers `name` (before the body is read)."""
    return name in RECEIVERS or any(m.match.path.strip("/") == name for m in settings.hooks.mappings)


def accept(request: Request, name: str, text: str) -> tuple[Accepted, str] | None:
    """The typed event and the JSON text to store; None when no receiver or mapping takes `name`."""
    receiver = RECEIVERS.get(name)
    if receiver is not None:
        return receiver(text), text  # validated straight from the JSON text
    data = parse_object(text)
    settings = services_of(request).config.settings
    mapping = find_mapping(settings.hooks.mappings, name, data)
    if mapping is None:
        return None
    req = HookRequest(path=name, payload=data, headers=dict(request.headers), query=dict(request.query_params))
    accepted = receive_mapped(mapping, req)
    return accepted, accepted.model.model_dump_json(by_alias=True)


async def read_and_accept(request: Request, name: str, limit: BodyLimit) -> tuple[Accepted, str] | None:
    """Read, decode and validate the body; the raw bytes are dropped before the typed model is built."""
    text = body_text(await read_body(request, limit))
    return accept(request, name, text)


def declared_size(request: Request) -> int | None:
    declared = request.headers.get("content-length", "")
    return int(declared) if declared.isdigit() else None


async def too_large(services: Services, limit: BodyLimit, exc: WebhookError, size: int | None) -> None:
    """Say which setting to raise, in the log and (kept in the event database) in `openclaw doctor`."""
    log.warning("webhook.too_large", extra={"hook": limit.hook, "size": size, "limit": limit.bytes, "setting": limit.setting, "hint": str(exc)})
    try:
        await events_of(services).record_too_large(limit.hook, size=size, limit=limit.bytes, setting=limit.setting)
    except StateError as failure:  # the 413 is the answer either way
        log.error("webhook.too_large_not_recorded", extra={"hook": limit.hook}, exc_info=failure)


def is_agent_turn(accepted: Accepted) -> bool:
    """Whether the event starts an agent turn: `/hooks/agent`, or a mapping with `action: agent`."""
    return accepted.source == "agent" or (accepted.source.startswith("hook:") and getattr(accepted.model, "action", None) == "agent")


def sender_of(request: Request, settings: Settings) -> str:
    """The sender a webhook's agent turns are counted against: its client address (behind a trusted proxy, the forwarded one)."""
    address = peer.resolve(request.client.host if request.client else None, request.headers, settings.gateway.trusted_proxies)
    return address.client_ip


# Turns take seconds to minutes; a sender told to wait this long finds room as the queue drains.
TURN_RETRY_AFTER_S = 5


def too_many_turns(sender: str, limit: int) -> JSONResponse:
    log.warning("webhook.agent_turns_exceeded", extra={"sender": sender, "limit": limit})
    return error_response(
        429, "TOO_MANY_AGENT_TURNS",
        f"sender {sender} has {limit} agent turns queued or running (hooks.agentTurnsPerSender = {limit}); "
        f"retry after {TURN_RETRY_AFTER_S}s, or raise it with `openclaw config set hooks.agentTurnsPerSender <n>`",
        headers={"Retry-After": str(TURN_RETRY_AFTER_S)},
        details={"limit": limit, "setting": "hooks.agentTurnsPerSender", "sender": sender, "retryAfterS": TURN_RETRY_AFTER_S},
    )


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
    if not has_hook(settings, name):
        return error_response(404, "NOT_FOUND", f"no webhook named {name!r}: add one under hooks.mappings")
    limit = body_limit(settings, name)
    try:
        outcome = await read_and_accept(request, name, limit)
        if outcome is None:
            return error_response(404, "NOT_FOUND", f"no webhook named {name!r}: add one under hooks.mappings")
        ticket = None
        if is_agent_turn(outcome[0]) and (agent := services.find(AGENT)) is not None:
            quota = agent.hook_quota
            sender = sender_of(request, settings)
            ticket = quota.take(sender)
            if ticket is None:
                return too_many_turns(sender, settings.hooks.agent_turns_per_sender)
        try:
            event = await events_of(services).ingest(*outcome)
        except BaseException:
            if ticket is not None:
                quota.give_back(ticket)
            raise
        if ticket is not None:
            quota.name(ticket, event.id)
    except WebhookError as exc:
        if exc.status == 413:
            await too_large(services, limit, exc, declared_size(request))
            return error_response(413, "PAYLOAD_TOO_LARGE", str(exc), details={"limit": limit.bytes, "setting": limit.setting})
        log.info("webhook.rejected", extra={"hook": name[:64], "status": exc.status, "field": exc.field})
        return error_response(exc.status, "INVALID_REQUEST", str(exc), details=refusal_details(exc))
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
