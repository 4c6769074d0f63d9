"""One WebSocket connection: challenge, handshake, then requests, bus events and ticks.

Routes: `WebSocketRoute("/")`, `WebSocketRoute("/ws")` and, with `gateway.controlUi.basePath`, the
page's own path, in `app.routes()`; Starlette matches by scope type, so a WebSocket route sits beside
the Control UI's HTTP route on the same path.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
import uuid
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from openclaw import __version__
from openclaw.gateway import peer
from openclaw.core.bus import Subscription
from openclaw.core.methods import Caller, MethodCall, MethodError
from openclaw.core.ratelimit import too_many_attempts
from openclaw.core.services import Services
from openclaw.gateway.ws import frames as f
from openclaw.gateway.ws.handshake import HandshakeContext, Session, authenticate
from openclaw.gateway.ws.refusal import HandshakeRefused
from openclaw.gateway.ws.hub import Hub, hub_of

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 2.0
CLOSE_INTERNAL_ERROR = 1011

# Events every gateway can send; capabilities publish more on the bus.
CORE_EVENTS = ["connect.challenge", "tick", "device.pair.requested", "device.pair.resolved"]


class Connection:
    def __init__(self, ws: WebSocket, services: Services, hub: Hub, conn_id: str) -> None:
        self.ws = ws
        self.services = services
        self.hub = hub
        self.conn_id = conn_id
        self.seq = 0
        self._closed = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.session: Session | None = None
        self.close_code: int | None = None
        # Every frame goes through one writer, so a client that stops reading shows up as bytes
        # waiting here; past hub.max_buffered_bytes (hello-ok policy.maxBufferedBytes) it is dropped.
        self._outbox: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        self.buffered_bytes = 0
        self._writer = asyncio.create_task(self._write(), name=f"ws-write-{conn_id}")

    @property
    def caller(self) -> Caller:
        assert self.session is not None, "caller is known once the handshake is done"
        return self.session.caller

    @property
    def auth_method(self) -> str:
        return self.session.auth_method if self.session else ""

    async def send(self, frame: dict[str, Any]) -> None:
        if self._closed.is_set():
            return
        text = json.dumps(frame, default=str)
        size = len(text.encode())
        if self.buffered_bytes + size > self.hub.max_buffered_bytes:
            log.warning("ws.slow_consumer", extra={"conn": self.conn_id, "buffered": self.buffered_bytes})
            await self.close(f.CLOSE_POLICY_VIOLATION, "slow consumer: more than maxBufferedBytes waiting", drain=False)
            return
        self.buffered_bytes += size
        self._outbox.put_nowait((text, size))

    async def _write(self) -> None:
        while True:
            text, size = await self._outbox.get()
            try:
                with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                    await self.ws.send_text(text)
            finally:
                self.buffered_bytes -= size
                self._outbox.task_done()

    async def send_event(self, name: str, payload: Any) -> None:
        self.seq += 1
        await self.send(f.event(name, payload, self.seq))

    async def close(self, code: int, reason: str, *, drain: bool = True) -> None:
        """Send what is queued (unless the client is the problem), then the close frame."""
        if self._closed.is_set():
            return
        self.close_code = code
        self._closed.set()
        if drain:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox.join(), CLOSE_TIMEOUT_S)
        await self.stop_writer()
        with contextlib.suppress(Exception):
            if self.ws.application_state == WebSocketState.CONNECTED:
                await asyncio.wait_for(self.ws.close(code, reason[:120]), CLOSE_TIMEOUT_S)

    async def stop_writer(self) -> None:
        self._writer.cancel()
        await asyncio.gather(self._writer, return_exceptions=True)

    # -- handshake -------------------------------------------------------------------------

    async def handshake(self, address: peer.ClientAddress) -> bool:
        nonce = secrets.token_urlsafe(24)
        ts = int(time.time() * 1000)
        await self.send(f.event("connect.challenge", {"nonce": nonce, "ts": ts}))
        try:
            raw = await asyncio.wait_for(self.ws.receive_text(), self.hub.handshake_timeout_s)
        except TimeoutError:
            await self.close(f.CLOSE_POLICY_VIOLATION, "handshake timeout")
            return False
        except (WebSocketDisconnect, KeyError, RuntimeError):  # KeyError: a binary frame has no "text"
            await self.close(f.CLOSE_POLICY_VIOLATION, "invalid handshake: first request must be connect")
            return False
        if len(raw.encode()) > f.PRE_AUTH_MAX_BYTES:
            await self.close(f.CLOSE_POLICY_VIOLATION, "invalid handshake: connect frame too large")
            return False
        try:
            req = f.parse_request(raw)
        except f.FrameError:
            await self.close(f.CLOSE_POLICY_VIOLATION, "invalid handshake: first request must be connect")
            return False
        if req.method != "connect":
            await self.close(f.CLOSE_POLICY_VIOLATION, "invalid handshake: first request must be connect")
            return False
        ctx = HandshakeContext(self.conn_id, address, self.ws.headers.get("origin"), nonce, ts)
        try:
            self.session = await authenticate(self.hub, ctx, req.params)
        except HandshakeRefused as refused:
            await self.send(f.response_error(req.id, refused.error))
            await self.close(refused.close_code, refused.close_reason)
            return False
        except Exception:  # a broken store must fail closed with an answer, not a dropped socket
            log.exception("ws.handshake_failed", extra={"conn": self.conn_id})
            await self.send(f.response_error(req.id, f.error_body(f.UNAVAILABLE, "the gateway could not check this connect; see the gateway log")))
            await self.close(CLOSE_INTERNAL_ERROR, "internal error")
            return False
        await self.send(f.response_ok(req.id, self.hello(self.session)))
        log.info(
            "ws.connected",
            extra={"conn": self.conn_id, "device": self.session.caller.device_id, "client": self.session.caller.client_id, "auth": self.session.auth_method, "ip": address.client_ip},
        )
        return True

    def hello(self, session: Session) -> dict[str, Any]:
        services = self.services
        uptime = int((time.time() - services.started_at) * 1000)
        return {
            "type": "hello-ok",
            "protocol": session.protocol,
            "server": {"version": __version__, "connId": self.conn_id},
            "features": {"methods": services.methods.names(), "events": CORE_EVENTS},
            "snapshot": {
                "presence": [],
                "health": {"ok": True, "status": "live"},
                "stateVersion": {"presence": 0, "health": 0},
                "uptimeMs": uptime,
                "configPath": str(services.config.snapshot.state_path),
                "stateDir": str(services.state_dir),
            },
            "auth": self._hello_auth(session),
            "policy": {"maxPayload": f.MAX_PAYLOAD, "maxBufferedBytes": self.hub.max_buffered_bytes, "tickIntervalMs": self.hub.tick_interval_ms},
        }

    @staticmethod
    def _hello_auth(session: Session) -> dict[str, Any]:
        auth: dict[str, Any] = {"role": session.caller.role, "scopes": sorted(session.caller.scopes)}
        token = session.device_token
        if token:  # a shared-token client has no device, so no device token
            auth["deviceToken"] = token["token"]
            auth["issuedAtMs"] = token.get("rotatedAtMs") or token.get("createdAtMs")
        return auth

    # -- after hello-ok --------------------------------------------------------------------

    async def run(self) -> None:
        sub = self.services.bus.subscribe()
        self.hub.add(self.conn_id, self)
        forward = asyncio.create_task(self._forward(sub), name=f"ws-forward-{self.conn_id}")
        tick = asyncio.create_task(self._tick(), name=f"ws-tick-{self.conn_id}")
        reader = asyncio.create_task(self._read(), name=f"ws-read-{self.conn_id}")
        closed = asyncio.create_task(self._closed.wait())
        try:
            await asyncio.wait({reader, closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.services.bus.unsubscribe(sub)
            self.hub.discard(self.conn_id)
            for task in (forward, tick, reader, closed, *self._tasks):
                task.cancel()
            await asyncio.gather(forward, tick, reader, closed, *self._tasks, return_exceptions=True)
            await self.stop_writer()
            log.info("ws.disconnected", extra={"conn": self.conn_id, "code": self.close_code})

    async def _read(self) -> None:
        while True:
            try:
                raw = await self.ws.receive_text()
            except (WebSocketDisconnect, RuntimeError):
                return
            except KeyError:
                await self.send(f.response_error(None, f.error_body(f.INVALID_REQUEST, "binary frames are not supported; send JSON text")))
                continue
            try:
                req = f.parse_request(raw)
            except f.FrameError as exc:
                await self.send(f.response_error(None, f.error_body(f.INVALID_REQUEST, str(exc))))
                continue
            task = asyncio.create_task(self._dispatch(req))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, req: f.Request) -> None:
        caller = self.caller
        if req.method == "connect":
            await self.send(f.response_error(req.id, f.error_body(f.INVALID_REQUEST, "already connected")))
            return
        spec = self.services.methods.get(req.method)
        if spec is None:
            await self.send(f.response_error(req.id, f.error_body(f.INVALID_REQUEST, f"unknown method: {req.method}", {"code": "UNKNOWN_METHOD"})))
            return
        if not caller.allows(spec.scope):
            await self.send(f.response_error(req.id, f.error_body(f.FORBIDDEN, f"missing scope: {spec.scope}", {"code": "MISSING_SCOPE", "scope": spec.scope})))
            return
        call = MethodCall(params=req.params, caller=caller, send_event=self.send_event)
        try:
            payload = await spec.handler(call)
        except MethodError as exc:
            await self.send(f.response_error(req.id, exc.to_error()))
            return
        except Exception:
            log.exception("ws.method_failed", extra={"method": req.method, "conn": self.conn_id})
            await self.send(f.response_error(req.id, f.error_body(f.UNAVAILABLE, f"{req.method} failed inside the gateway; see the gateway log")))
            return
        await self.send(f.response_ok(req.id, payload))

    # The loops below also stop on `_closed`: on Python 3.11 a cancel that lands while
    # `close()` finishes can be swallowed by `asyncio.wait_for`, and the task must still end.
    async def _forward(self, sub: Subscription) -> None:
        while not self._closed.is_set():
            item = await sub.get()
            if self.caller.allows(item.scope):
                await self.send_event(item.event, item.payload)

    async def _tick(self) -> None:
        while not self._closed.is_set():
            await asyncio.sleep(self.hub.tick_interval_ms / 1000)
            await self.send_event("tick", {"ts": int(time.time() * 1000)})


async def websocket_endpoint(ws: WebSocket) -> None:
    services: Services = ws.app.state.services
    hub = hub_of(services)
    settings = services.config.settings
    headers = {k.lower(): v for k, v in ws.headers.items()}
    address = peer.resolve(ws.client.host if ws.client else None, headers, settings.gateway.trusted_proxies)
    is_browser = "origin" in headers
    if not hub.limiter.exempt(is_local=address.is_local, is_browser=is_browser):
        retry = hub.limiter.retry_after_ms(address.client_ip)
        if retry is not None:
            await _deny_rate_limited(ws, retry)
            return
    await ws.accept()
    conn = Connection(ws, services, hub, uuid.uuid4().hex[:12])
    try:
        if await conn.handshake(address):
            await conn.run()
    finally:
        await conn.stop_writer()


async def _deny_rate_limited(ws: WebSocket, retry_ms: int) -> None:
    """Refuse the upgrade itself with 429 + Retry-After (a locked-out IP gets no socket at all)."""
    response = too_many_attempts(retry_ms)
    if "websocket.http.response" in ws.scope.get("extensions", {}):
        await ws.send_denial_response(response)
    else:  # a server without the denial extension: accept and refuse in-band
        await ws.accept()
        await ws.send_text(json.dumps(f.response_error(None, json.loads(bytes(response.body))["error"])))
        await ws.close(f.CLOSE_POLICY_VIOLATION, "rate limited")
