"""The `connect` handshake: protocol, origin, rate limit, device signature, token, pairing.

`authenticate()` either returns the established `Session` or raises `HandshakeRefused` carrying
the error the client sees and the close code. Order follows the upstream gateway: protocol,
browser origin, lockout, device identity and signature, shared token (or device token), pairing.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openclaw.gateway import device_identity as ids
from openclaw.gateway import origin as origin_check
from openclaw.core.methods import ADMIN, ALL_SCOPES, Caller
from openclaw.gateway.pairing_policy import PairingAsk, approves_at_once
from openclaw.gateway.peer import ClientAddress
from openclaw.gateway.ws import frames as f
from openclaw.gateway.ws.refusal import HandshakeRefused

if TYPE_CHECKING:
    from openclaw.gateway.ws.hub import Hub

log = logging.getLogger(__name__)

SIGNATURE_SKEW_MS = 10 * 60 * 1000
ROLES = ("operator", "node")
BROWSER_MODES = ("webchat", "ui")
TOKEN_HINT = "open a tokenized dashboard URL or paste token in Control UI settings"
# (client.id, client.mode) of the upstream clients whose token-only scopes are kept on loopback.
LOCAL_BACKEND = ("gateway-client", "backend")
LOCAL_CLI = ("cli", "cli")
SHARED_TOKEN = "shared-token"  # Session.auth_method of a connect with no device identity


@dataclass
class Session:
    caller: Caller
    protocol: int
    auth_method: str  # "token" | "device-token" (both with a device) | "shared-token" (no device)
    device_token: dict[str, Any]
    client: dict[str, Any]
    is_browser: bool
    scopes: list[str] = field(default_factory=list)


@dataclass
class HandshakeContext:
    conn_id: str
    address: ClientAddress
    origin: str | None
    nonce: str
    challenge_ts: int


def _device_refusal(detail_code: str, message: str) -> HandshakeRefused:
    return HandshakeRefused(f.UNAUTHORIZED, message, {"code": detail_code})


def _str_field(obj: dict[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise HandshakeRefused(f.INVALID_REQUEST, f"invalid connect params: {where}.{key}: expected a non-empty string")
    return value


def negotiate_protocol(params: dict[str, Any]) -> int:
    lo, hi = params.get("minProtocol"), params.get("maxProtocol")
    if not isinstance(lo, int) or not isinstance(hi, int) or isinstance(lo, bool) or isinstance(hi, bool):
        raise HandshakeRefused(f.INVALID_REQUEST, "invalid connect params: minProtocol/maxProtocol: expected integers", close_code=f.CLOSE_PROTOCOL_ERROR)
    if lo > f.MAX_PROTOCOL or hi < f.MIN_PROTOCOL or lo > hi:
        raise HandshakeRefused(
            f.INVALID_REQUEST,
            "protocol mismatch",
            {"minProtocol": f.MIN_PROTOCOL, "maxProtocol": f.MAX_PROTOCOL, "clientMin": lo, "clientMax": hi},
            close_code=f.CLOSE_PROTOCOL_ERROR,
        )
    return min(hi, f.MAX_PROTOCOL)


def requested_scopes(params: dict[str, Any], role: str) -> list[str]:
    scopes = params.get("scopes", [])
    if scopes is None:
        scopes = []
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise HandshakeRefused(f.INVALID_REQUEST, "invalid connect params: scopes: expected a list of strings")
    malformed = [s for s in scopes if s not in ALL_SCOPES and not s.startswith("operator.")]
    if malformed:
        raise HandshakeRefused(f.INVALID_REQUEST, f"invalid connect params: scopes: unknown scope {malformed[0]!r} (expected {', '.join(ALL_SCOPES)})")
    if role == "operator" and not scopes:
        return [ADMIN]  # upstream v3: an operator asking for nothing gets admin
    # Newer upstream clients also ask for operator scopes this gateway has no methods for
    # (operator.talk, operator.questions, ...): they would grant nothing here, so they are dropped.
    ignored = [s for s in scopes if s not in ALL_SCOPES]
    if ignored:
        log.info("ws.scopes_ignored", extra={"scopes": ignored})
    return list(dict.fromkeys(s for s in scopes if s in ALL_SCOPES))


def is_browser(ctx: HandshakeContext, client: dict[str, Any]) -> bool:
    """A connect with an Origin header is a browser; so is a client calling itself the Control UI."""
    client_id = str(client.get("id", ""))
    return ctx.origin is not None or client.get("mode") in BROWSER_MODES or client_id.endswith("control-ui")


async def authenticate(hub: Hub, ctx: HandshakeContext, params: dict[str, Any]) -> Session:
    settings = hub.services.config.settings  # read live: origins and limits hot-reload
    protocol = negotiate_protocol(params)
    client = params.get("client")
    if not isinstance(client, dict):
        raise HandshakeRefused(f.INVALID_REQUEST, "invalid connect params: client: expected an object {id, version, platform, mode}")
    client_id = _str_field(client, "id", "client") or ""
    client_mode = _str_field(client, "mode", "client") or ""
    role = params.get("role", "operator") or "operator"
    if role not in ROLES:
        raise HandshakeRefused(f.INVALID_REQUEST, f"invalid connect params: role: expected one of {', '.join(ROLES)}, got {role!r}")
    scopes = requested_scopes(params, role)
    browser = is_browser(ctx, client)

    if browser:
        problem = origin_check.check(ctx.origin, allowed=settings.gateway.control_ui.allowed_origins, is_local=ctx.address.is_local)
        if problem:
            raise HandshakeRefused(f.FORBIDDEN, problem, {"code": "ORIGIN_NOT_ALLOWED", "origin": ctx.origin})

    limit_key = ctx.address.client_ip
    exempt = hub.limiter.exempt(is_local=ctx.address.is_local, is_browser=browser)
    if not exempt:
        retry = hub.limiter.retry_after_ms(limit_key)
        if retry is not None:
            raise _rate_limited(retry)

    def failed(refusal: HandshakeRefused) -> HandshakeRefused:
        hub.metrics_auth_failures.inc()
        if not exempt:
            retry = hub.limiter.record_failure(limit_key)
            if retry is not None:
                refusal.error.setdefault("details", {})["retryAfterMs"] = retry
        log.warning("ws.auth_failed", extra={"conn": ctx.conn_id, "ip": limit_key, "reason": refusal.error.get("message")})
        return refusal

    auth = params.get("auth") or {}
    if not isinstance(auth, dict):
        raise HandshakeRefused(f.INVALID_REQUEST, "invalid connect params: auth: expected an object {token}")
    provided = auth.get("token") if isinstance(auth.get("token"), str) else None

    device = params.get("device")
    if device is None:
        return token_only_session(hub, ctx, client, role, scopes, browser, provided, protocol, failed)
    if not isinstance(device, dict):
        raise HandshakeRefused(f.INVALID_REQUEST, "invalid connect params: device: expected {id, publicKey, signature, signedAt, nonce} strings")
    signed_scopes = list(params.get("scopes") or [])  # as sent: the admin default is not in the signed string
    raw_key = verify_device(ctx, device, client, client_id, client_mode, role, signed_scopes, provided, failed)
    device_id = ids.device_id_for(raw_key)  # canonical lower-case hex, whatever case the client sent

    configured = configured_token(hub)
    if not provided:
        raise failed(HandshakeRefused(f.UNAUTHORIZED, f"unauthorized: gateway token missing ({TOKEN_HINT})", {"code": "AUTH_TOKEN_MISSING"}))
    auth_method = "token"
    token_scopes: list[str] | None = None
    if not hmac.compare_digest(provided.encode(), configured.encode()):
        entry = await asyncio.to_thread(hub.pairing.verify_device_token, device_id, role, provided)
        if entry is None:
            raise failed(HandshakeRefused(f.UNAUTHORIZED, f"unauthorized: gateway token mismatch ({TOKEN_HINT})", {"code": "AUTH_TOKEN_MISMATCH"}))
        auth_method, token_scopes = "device-token", list(entry.get("scopes") or [])

    pubkey = ids.b64url_encode(raw_key)
    paired = await asyncio.to_thread(hub.pairing.get_paired, device_id)
    reason = pairing_reason(paired, pubkey, role, scopes)
    if auth_method == "device-token" and token_scopes is not None and not set(scopes) <= set(token_scopes):
        reason = reason or "scope-upgrade"
    meta = {
        "displayName": client.get("displayName"),
        "platform": client.get("platform"),
        "deviceFamily": client.get("deviceFamily"),
        "clientId": client_id,
        "clientMode": client_mode,
        "remoteIp": ctx.address.client_ip,
    }
    if reason is not None:
        ask = PairingAsk(reason, scopes, ctx.address.is_local, browser, is_own_cli=device_id == await asyncio.to_thread(hub.cli_device_id))
        await hub.require_pairing(
            {"deviceId": device_id, "publicKey": pubkey, "role": role, "scopes": scopes, **meta},
            reason=reason,
            silent=approves_at_once(ask, settings.gateway.pairing.local_auto_approve_scopes),
            approved_scopes=list((paired or {}).get("scopes") or []),
        )
    hub.limiter.reset(limit_key)
    token = await asyncio.to_thread(hub.pairing.ensure_token, device_id, role, meta)
    caller = Caller(
        conn_id=ctx.conn_id,
        role=role,
        scopes=frozenset(scopes),
        device_id=device_id,
        client_id=client_id,
        remote_ip=ctx.address.client_ip,
        is_local=ctx.address.is_local,
    )
    return Session(caller, protocol, auth_method, token, client, browser, scopes)


def configured_token(hub: Hub) -> str:
    configured = hub.services.config.settings.gateway.auth.token
    if not configured:
        raise HandshakeRefused(f.UNAUTHORIZED, "unauthorized: gateway token not configured on gateway (set gateway.auth.token)", {"code": "AUTH_TOKEN_NOT_CONFIGURED"})
    return configured


def keeps_token_only_scopes(ctx: HandshakeContext, client: dict[str, Any], browser: bool) -> bool:
    """The upstream gateway keeps a token-only operator's scopes only for its local backend
    (`gateway-client`/`backend`) and its local CLI (`cli`/`cli`), never with a browser origin."""
    kind = (client.get("id"), client.get("mode"))
    return ctx.address.is_local and not browser and kind in (LOCAL_BACKEND, LOCAL_CLI)


def token_only_session(
    hub: Hub,
    ctx: HandshakeContext,
    client: dict[str, Any],
    role: str,
    scopes: list[str],
    browser: bool,
    provided: str | None,
    protocol: int,
    failed: Any,
) -> Session:
    """A connect with no device identity, under the upstream gateway's rules: browsers and nodes
    are refused, an operator that proves the shared token is accepted without pairing, with no
    scopes unless it is the local backend or CLI. Nothing is stored: there is no device to pair."""
    if browser:
        raise HandshakeRefused(
            f.INVALID_REQUEST,
            "control ui requires device identity (use HTTPS or localhost secure context)",
            {"code": "CONTROL_UI_DEVICE_IDENTITY_REQUIRED"},
        )
    if role != "operator" or not provided:
        raise HandshakeRefused(f.NOT_PAIRED, "device identity required", {"code": "DEVICE_IDENTITY_REQUIRED"})
    if not hmac.compare_digest(provided.encode(), configured_token(hub).encode()):
        raise failed(HandshakeRefused(f.UNAUTHORIZED, f"unauthorized: gateway token mismatch ({TOKEN_HINT})", {"code": "AUTH_TOKEN_MISMATCH"}))
    hub.limiter.reset(ctx.address.client_ip)
    granted = scopes if keeps_token_only_scopes(ctx, client, browser) else []
    client_id = str(client.get("id"))
    log.info("ws.shared_token_client", extra={"conn": ctx.conn_id, "client": client_id, "ip": ctx.address.client_ip, "scopes": granted})
    caller = Caller(
        conn_id=ctx.conn_id,
        role=role,
        scopes=frozenset(granted),
        client_id=client_id,
        remote_ip=ctx.address.client_ip,
        is_local=ctx.address.is_local,
    )
    return Session(caller, protocol, SHARED_TOKEN, {}, client, browser, granted)


def _rate_limited(retry_ms: int) -> HandshakeRefused:
    secs = max(1, (retry_ms + 999) // 1000)
    return HandshakeRefused(
        f.RATE_LIMITED,
        f"too many failed authentication attempts; retry in {secs}s",
        {"code": "RATE_LIMITED", "retryAfterMs": retry_ms},
        retry_after_ms=retry_ms,
    )


def verify_device(
    ctx: HandshakeContext,
    device: dict[str, Any],
    client: dict[str, Any],
    client_id: str,
    client_mode: str,
    role: str,
    scopes: list[str],
    token: str | None,
    failed: Any,
) -> bytes:
    """Check the device block (§2.2 of the upstream protocol); the raw public key when valid."""
    dev_id, pub, sig = device.get("id"), device.get("publicKey"), device.get("signature")
    if not isinstance(dev_id, str) or not isinstance(pub, str) or not isinstance(sig, str):
        raise HandshakeRefused(f.INVALID_REQUEST, "invalid connect params: device: expected {id, publicKey, signature, signedAt, nonce} strings")
    try:
        raw = ids.parse_public_key(pub)
    except ValueError as exc:
        raise failed(_device_refusal("DEVICE_AUTH_PUBLIC_KEY_INVALID", f"device public key invalid ({exc})")) from None
    if ids.device_id_for(raw) != dev_id.lower():
        raise failed(_device_refusal("DEVICE_AUTH_DEVICE_ID_MISMATCH", "device identity mismatch (device.id must be hex(sha256(public key)))"))
    signed_at = device.get("signedAt")
    if not isinstance(signed_at, int) or isinstance(signed_at, bool):
        raise HandshakeRefused(f.INVALID_REQUEST, "invalid connect params: device.signedAt: expected epoch milliseconds")
    if signed_at != ctx.challenge_ts and abs(int(time.time() * 1000) - signed_at) > SIGNATURE_SKEW_MS:
        raise failed(_device_refusal("DEVICE_AUTH_SIGNATURE_EXPIRED", "device signature expired (signedAt must be within 10 minutes of the gateway clock)"))
    nonce = device.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise failed(_device_refusal("DEVICE_AUTH_NONCE_REQUIRED", "device nonce required (sign the connect.challenge nonce)"))
    if not hmac.compare_digest(nonce.encode(), ctx.nonce.encode()):
        raise failed(_device_refusal("DEVICE_AUTH_NONCE_MISMATCH", "device nonce mismatch (sign the nonce of this connection's connect.challenge)"))
    fields = dict(
        device_id=dev_id,
        client_id=client_id,
        client_mode=client_mode,
        role=role,
        scopes=scopes,
        signed_at_ms=signed_at,
        token=token,
        nonce=nonce,
        platform=client.get("platform") if isinstance(client.get("platform"), str) else None,
        device_family=client.get("deviceFamily") if isinstance(client.get("deviceFamily"), str) else None,
    )
    for version in ("v3", "v2"):
        if ids.verify_signature(raw, sig, ids.signed_payload(version, **fields)):  # type: ignore[arg-type]  # fields typed above
            return raw
    raise failed(_device_refusal("DEVICE_AUTH_SIGNATURE_INVALID", "device signature invalid"))


def pairing_reason(paired: dict[str, Any] | None, pubkey: str, role: str, scopes: list[str]) -> str | None:
    """Why this device must (re)pair, or None when its pairing covers the request."""
    if paired is None or paired.get("publicKey") != pubkey:
        return "not-paired"
    if role not in (paired.get("roles") or []):
        return "role-upgrade"
    if not set(scopes) <= set(paired.get("scopes") or []):
        return "scope-upgrade"
    return None
