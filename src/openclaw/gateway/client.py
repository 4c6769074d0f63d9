"""`GatewayClient`: an async client of the gateway's WebSocket protocol.

It does the whole handshake (challenge, signed `connect`, `hello-ok`) with a device identity, then
offers `call(method, params)` for RPC and `next_event(name)` for events. The CLI uses it through
`local_client()` to reach a gateway on loopback as a local client, which the gateway auto-approves,
and through `remote_client()` to reach one elsewhere (`--url`), which pairs it like any device.

    async with GatewayClient(url, token=token, identity=identity) as gw:
        incidents = await gw.call("incidents.list", {"limit": 20})
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import platform as _platform
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

from openclaw import __version__
from openclaw.gateway.device_identity import DeviceIdentity, identity_path, load_or_create, signed_payload
from openclaw.gateway.ws.frames import MAX_PROTOCOL, MIN_PROTOCOL

DEFAULT_SCOPES = ["operator.admin"]


class GatewayError(Exception):
    """The gateway refused a request or the handshake: `code`, `message`, `details` as sent."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None, retry_after_ms: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details or {}
        self.retry_after_ms = retry_after_ms

    @classmethod
    def from_error(cls, error: dict[str, Any]) -> GatewayError:
        return cls(
            str(error.get("code", "UNKNOWN")),
            str(error.get("message", "")),
            error.get("details") if isinstance(error.get("details"), dict) else None,
            error.get("retryAfterMs") if isinstance(error.get("retryAfterMs"), int) else None,
        )


class GatewayClosed(GatewayError):
    """The connection closed while a request was waiting."""


class GatewayClient:
    """One authenticated connection to the gateway."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None,
        identity: DeviceIdentity,
        client_id: str = "cli",
        client_mode: str = "cli",
        role: str = "operator",
        scopes: list[str] | None = None,
        platform: str | None = None,
        device_family: str | None = None,
        display_name: str | None = None,
        headers: dict[str, str] | None = None,
        origin: str | None = None,
        payload_version: str = "v3",
        open_timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.token = token
        self.identity = identity
        self.client_id = client_id
        self.client_mode = client_mode
        self.role = role
        self.scopes = list(scopes) if scopes is not None else list(DEFAULT_SCOPES)
        self.platform = platform or _platform.system().lower()
        self.device_family = device_family
        self.display_name = display_name
        self.headers = dict(headers or {})
        self.origin = origin
        self.payload_version = payload_version
        self.open_timeout = open_timeout
        self.hello: dict[str, Any] = {}
        self.challenge: dict[str, Any] = {}
        self._ws: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None
        self.close_code: int | None = None
        self.close_reason: str | None = None

    # -- handshake -------------------------------------------------------------------------

    def connect_params(self, nonce: str, signed_at_ms: int, *, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `connect` params, signed over this client's fields; tests use `overrides` to tamper."""
        ident = self.identity
        message = signed_payload(
            self.payload_version,
            device_id=ident.device_id,
            client_id=self.client_id,
            client_mode=self.client_mode,
            role=self.role,
            scopes=self.scopes,
            signed_at_ms=signed_at_ms,
            token=self.token,
            nonce=nonce,
            platform=self.platform,
            device_family=self.device_family,
        )
        client: dict[str, Any] = {"id": self.client_id, "version": __version__, "platform": self.platform, "mode": self.client_mode}
        if self.device_family:
            client["deviceFamily"] = self.device_family
        if self.display_name:
            client["displayName"] = self.display_name
        params: dict[str, Any] = {
            "minProtocol": MIN_PROTOCOL,
            "maxProtocol": MAX_PROTOCOL,
            "client": client,
            "role": self.role,
            "scopes": self.scopes,
            "auth": {"token": self.token} if self.token else {},
            "device": {
                "id": ident.device_id,
                "publicKey": ident.public_key_b64url,
                "signature": ident.sign(message),
                "signedAt": signed_at_ms,
                "nonce": nonce,
            },
        }
        for key, value in (overrides or {}).items():
            if isinstance(value, dict) and isinstance(params.get(key), dict):
                params[key] = {**params[key], **value}
            else:
                params[key] = value
        return params

    async def open(self) -> ClientConnection:
        """Open the socket and read `connect.challenge`; `handshake()` finishes the connect."""
        headers = dict(self.headers)
        self._ws = await websockets.connect(
            self.url,
            additional_headers=headers,
            origin=Origin(self.origin) if self.origin is not None else None,
            open_timeout=self.open_timeout,
            max_size=None,
        )
        first = json.loads(await asyncio.wait_for(self._ws.recv(), self.open_timeout))
        if first.get("type") == "res" and first.get("ok") is False and isinstance(first.get("error"), dict):
            # Refused before any challenge (a locked-out address on a server that cannot deny the upgrade).
            raise GatewayError.from_error(first["error"])
        if first.get("type") != "event" or first.get("event") != "connect.challenge":
            raise GatewayError("INVALID_REQUEST", f"expected connect.challenge, got {first!r}")
        self.challenge = first.get("payload") or {}
        return self._ws

    async def handshake(self, *, signed_at_ms: int | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send `connect`; return the hello-ok payload or raise GatewayError with the refusal."""
        assert self._ws is not None, "open() first"
        nonce = str(self.challenge.get("nonce", ""))
        ts = signed_at_ms if signed_at_ms is not None else int(self.challenge.get("ts") or time.time() * 1000)
        await self._ws.send(json.dumps({"type": "req", "id": "connect", "method": "connect", "params": self.connect_params(nonce, ts, overrides=overrides)}))
        try:
            reply = json.loads(await asyncio.wait_for(self._ws.recv(), self.open_timeout))
        except websockets.ConnectionClosed as exc:
            self._note_close(exc)
            raise GatewayClosed("CLOSED", f"connection closed during handshake ({exc.rcvd.code if exc.rcvd else 'no close frame'})") from None
        if not reply.get("ok"):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.wait_closed(), 2)
            self._note_close_from(self._ws)
            raise GatewayError.from_error(reply.get("error") or {})
        self.hello = reply.get("payload") or {}
        self._reader = asyncio.create_task(self._read_loop(), name="gateway-client-reader")
        return self.hello

    async def connect(self) -> dict[str, Any]:
        try:
            await self.open()
            return await self.handshake()
        except BaseException:
            await self.close()
            raise

    async def __aenter__(self) -> GatewayClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def device_token(self) -> str | None:
        auth = self.hello.get("auth") or {}
        token = auth.get("deviceToken")
        return token if isinstance(token, str) else None

    # -- after hello-ok --------------------------------------------------------------------

    async def call(self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 30.0) -> Any:
        """Send a `req` and return its payload; raise GatewayError with the server's error."""
        if self._ws is None or self._reader is None:
            raise GatewayClosed("CLOSED", "not connected")
        rid = f"r{next(self._ids)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[rid] = future
        try:
            await self._ws.send(json.dumps({"type": "req", "id": rid, "method": method, "params": params or {}}))
            reply = await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(rid, None)
        if not reply.get("ok"):
            raise GatewayError.from_error(reply.get("error") or {})
        return reply.get("payload")

    async def next_event(self, name: str | None = None, *, timeout: float = 10.0) -> dict[str, Any]:
        """The next event frame (optionally the next one called `name`), skipping others."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"no {name or 'event'} within {timeout}s")
            frame = await asyncio.wait_for(self._events.get(), remaining)
            if frame.get("type") == "closed":
                raise GatewayClosed("CLOSED", f"connection closed ({frame.get('code')}: {frame.get('reason')})")
            if name is None or frame.get("event") == name:
                return frame

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            frame = await self._events.get()
            if frame.get("type") == "closed":
                return
            yield frame

    async def wait_closed(self, timeout: float = 10.0) -> tuple[int | None, str | None]:
        """Wait until the server closes the connection; (close code, reason)."""
        if self._ws is not None:
            await asyncio.wait_for(self._ws.wait_closed(), timeout)
            self._note_close_from(self._ws)
        return self.close_code, self.close_reason

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
            self._reader = None
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
            self._note_close_from(self._ws)

    async def _read_loop(self) -> None:
        assert self._ws is not None
        try:
            async for raw in self._ws:
                frame = json.loads(raw)
                if frame.get("type") == "res":
                    future = self._pending.get(str(frame.get("id")))
                    if future is not None and not future.done():
                        future.set_result(frame)
                elif frame.get("type") == "event":
                    self._events.put_nowait(frame)
        except websockets.ConnectionClosed:
            pass
        finally:
            self._note_close_from(self._ws)
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(GatewayClosed("CLOSED", f"connection closed ({self.close_code}: {self.close_reason})"))
            self._events.put_nowait({"type": "closed", "code": self.close_code, "reason": self.close_reason})

    def _note_close(self, exc: websockets.ConnectionClosed) -> None:
        if exc.rcvd is not None:
            self.close_code, self.close_reason = exc.rcvd.code, exc.rcvd.reason

    def _note_close_from(self, ws: ClientConnection) -> None:
        if ws.close_code is not None:
            self.close_code, self.close_reason = ws.close_code, ws.close_reason


def local_url(state_dir: Path, port: int | None = None) -> str:
    """ws://127.0.0.1:<port>/ws of the gateway this state dir belongs to (running port first)."""
    from openclaw.gateway import runtime

    if port is None:
        port = runtime.gateway_port(state_dir)
    return f"ws://127.0.0.1:{port}/ws"


def local_client(
    state_dir: Path, *, port: int | None = None, scopes: list[str] | None = None, open_timeout: float = 5.0, token: str | None = None
) -> GatewayClient:
    """A client for the gateway on loopback with the configured token (or `token`) and this
    machine's identity (`<state>/identity/device.json`): a local client, so the gateway approves it
    without pairing."""
    from openclaw.config import layers

    if token is None:
        token = layers.load(state_dir).settings.gateway.auth.token
    return _cli_client(local_url(state_dir, port), state_dir, token, scopes, open_timeout)


def remote_client(url: str, state_dir: Path, *, token: str, scopes: list[str] | None = None, open_timeout: float = 10.0) -> GatewayClient:
    """A client for a gateway elsewhere (`url`) with this machine's identity and only the token
    given: nothing is read from the local config, so the local gateway's token never leaves the
    machine. The gateway sees a remote device, which it pairs only once someone approves it."""
    return _cli_client(url, state_dir, token, scopes, open_timeout)


def _cli_client(url: str, state_dir: Path, token: str | None, scopes: list[str] | None, open_timeout: float) -> GatewayClient:
    return GatewayClient(
        url,
        token=token,
        identity=load_or_create(identity_path(state_dir)),
        client_id="cli",
        client_mode="cli",
        scopes=scopes,
        open_timeout=open_timeout,
    )
