"""`AppClient`: what every media app client shares, and `MediaAppError`, the one error they raise.

Every call has a timeout; reads (GET, and the POSTs an app defines as reads) are retried with a short
back-off when the app is down, slow or answers 5xx; writes are never retried (a reannounce or a
queue removal sent twice is not the same as once). Every failure is one `MediaAppError` naming the
app and what went wrong, in words an operator can act on (`reason`: unauthorized, unreachable,
timeout, refused, bad-response).

Writes demand an `Approval` minted by `policy.submit()` for the action kind and target they are
called for, as the Kubernetes client's writes do; under a dry-run approval nothing is sent.
A new kind of app subclasses `AppClient`, sets `kind`, and registers itself in `registry.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import httpx

from openclaw.errors import UpstreamError
from openclaw.policy.grant import Approval

Reason = Literal["unauthorized", "unreachable", "timeout", "refused", "bad-response", "not-permitted"]
READ_RETRIES = 2
BACKOFF_S = 0.2


class MediaAppError(UpstreamError):
    """A media app refused, failed or could not be reached; `app` names the configured instance."""

    def __init__(self, app: str, reason: Reason, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{app}: {message}")
        self.app = app
        self.reason = reason
        self.status = status


class AppClient:
    """One configured media app instance (`media.apps.<name>`), over one httpx client."""

    kind: ClassVar[str] = ""
    # What a read call gets when the app answers 404 for a path it does not have (older versions).
    api_prefix: ClassVar[str] = ""

    def __init__(self, name: str, url: str, *, api_key: str | None = None, username: str | None = None,
                 password: str | None = None, timeout_s: float = 10.0, transport: httpx.AsyncBaseTransport | None = None,
                 retries: int = READ_RETRIES) -> None:
        self.name = name
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.username = username
        self.password = password
        self.timeout_s = timeout_s
        self.retries = retries
        self._http = httpx.AsyncClient(base_url=self.url, timeout=httpx.Timeout(timeout_s), transport=transport,
                                       headers={"User-Agent": "openclaw", "Accept": "application/json"})

    # ---- what subclasses provide ----------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a request (an API key); session-based apps log in instead."""
        return {}

    async def ensure_session(self) -> None:
        """Log in when the app works with sessions (qBittorrent); a no-op for API-key apps."""

    def session_expired(self, response: httpx.Response) -> bool:
        return False

    # ---- calls ----------------------------------------------------------------------------------

    async def read(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
                   data: Mapping[str, Any] | None = None) -> httpx.Response:
        """An idempotent call: retried when the app is unreachable, slow or answers 5xx."""
        attempt = 0
        while True:
            try:
                return await self._send(method, path, params=params, json=json, data=data)
            except MediaAppError as exc:
                transient = exc.reason in ("unreachable", "timeout") or (exc.status is not None and exc.status >= 500)
                if not transient or attempt >= self.retries:
                    raise
            attempt += 1
            await asyncio.sleep(BACKOFF_S * attempt)

    async def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.decode(await self.read("GET", path, params=params), path)

    async def write(self, method: str, path: str, *, approval: Approval, action: str, target: str,
                    params: Mapping[str, Any] | None = None, json: Any = None, data: Mapping[str, Any] | None = None) -> httpx.Response | None:
        """A mutation: sent once, only under an approval for `action` on `target`; None in a dry run."""
        if not isinstance(approval, Approval) or not approval.permits(action, target):
            held = f"{approval.kind} on {approval.target}" if isinstance(approval, Approval) else "no approval"
            raise MediaAppError(self.name, "not-permitted", f"{method} {path} needs an approval for {action} on {target}, got {held}")
        if approval.dry_run:
            return None
        return await self._send(method, path, params=params, json=json, data=data)

    def decode(self, response: httpx.Response, path: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise MediaAppError(self.name, "bad-response", f"{path}: expected JSON, got {response.text[:120]!r}", status=response.status_code) from None

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        await self.ensure_session()
        response = await self._once(method, path, **kwargs)
        if self.session_expired(response):
            await self.ensure_session()
            response = await self._once(method, path, **kwargs)
        self._check(response, method, path)
        return response

    async def _once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(method, self.api_prefix + path, headers=self.auth_headers(), **kwargs)
        except httpx.TimeoutException:
            raise MediaAppError(self.name, "timeout", f"{method} {path}: no answer within {self.timeout_s:g}s ({self.url})") from None
        except httpx.TransportError as exc:
            raise MediaAppError(self.name, "unreachable", f"{method} {path}: cannot reach {self.url} ({type(exc).__name__}: {exc})") from None

    def _check(self, response: httpx.Response, method: str, path: str) -> None:
        status = response.status_code
        if status < 400:
            return
        if status in (401, 403):
            raise MediaAppError(self.name, "unauthorized", f"{method} {path}: {status}: check media.apps.{self.name} credentials", status=status)
        detail = response.text[:200].strip()
        raise MediaAppError(self.name, "refused", f"{method} {path}: {status} {detail}", status=status)

    async def aclose(self) -> None:
        await self._http.aclose()
