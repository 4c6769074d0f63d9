"""How the CLI reaches a running gateway.

Without `--url`: the gateway of this state dir on loopback, as a local client (auto-approved, so
the CLI never needs pairing), with the state dir's token, on the port that gateway records in
`<state>/run/gateway.json` (or the one OPENCLAW_GATEWAY_PORT names). With neither, nothing is
dialled (the configured port may be another state dir's gateway) and `call_gateway()` returns
(False, None), so a command can fall back to the state dir under its file lock.

With `--url`: a remote client of that gateway, with this machine's device identity and only the
token from `--token` / OPENCLAW_GATEWAY_TOKEN. The local state file's token is never sent to
another gateway, and the local files are never edited in its place: a gateway that does not answer
is an error naming the URL. A device that gateway has not paired yet gets a pairing request, whose
id the CLI prints with the command that approves it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Optional

import typer

from openclaw.cli.output import fail

if TYPE_CHECKING:
    from openclaw.gateway.client import GatewayClient, GatewayError

# Bad flag values exit like click's own usage errors.
USAGE_ERROR = 2
# Connecting should fail fast on a dead address even when the call itself may take long (cron run).
CONNECT_TIMEOUT_CAP = 10.0
PORT_ENV = "OPENCLAW_GATEWAY_PORT"
URL_EXPECTED = "expected ws://host:port or wss://host:port (http:// and https:// are taken as ws:// and wss://)"

UrlOpt: Any = typer.Option(
    None,
    "--url",
    metavar="URL",
    help="Gateway to talk to, e.g. ws://openclaw.homelab.lan:18789 or wss://... (default: this state dir's gateway on 127.0.0.1). "
    "With --url the state dir's token is never used and nothing local is edited if the gateway does not answer.",
)
TokenOpt: Any = typer.Option(
    None,
    "--token",
    envvar="OPENCLAW_GATEWAY_TOKEN",
    show_envvar=True,
    help="Gateway token (required with --url; without it, the state dir's gateway.auth.token).",
)
TimeoutOpt: Any = typer.Option(None, "--timeout", metavar="SECONDS", help="Seconds to wait for the gateway (connect, then the answer).")


@dataclass(frozen=True)
class GatewayTarget:
    """Where `call_gateway` goes: the state dir's own gateway (`url` None) or the one at `url`."""

    url: str | None = None
    token: str | None = None
    timeout: float | None = None

    @property
    def remote(self) -> bool:
        return self.url is not None


LOCAL = GatewayTarget()


def websocket_url(raw: str) -> str:
    """`raw` as the ws:// or wss:// URL to dial; exits with a usage error naming `--url` otherwise."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(raw.strip())
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number in 0-65535
    except ValueError as exc:
        fail(f"--url: {URL_EXPECTED}, got {raw!r} ({exc})", USAGE_ERROR)
    scheme = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}.get(parts.scheme.lower())
    if scheme is None or not parts.hostname:
        fail(f"--url: {URL_EXPECTED}, got {raw!r}", USAGE_ERROR)
    if parts.username is not None or parts.password is not None:
        fail(f"--url: {URL_EXPECTED} without user:password@ (pass the gateway token with --token), got a URL with credentials", USAGE_ERROR)
    if parts.fragment:
        fail(f"--url: {URL_EXPECTED} without a #fragment, got {raw!r}", USAGE_ERROR)
    # The gateway answers WebSocket upgrades on "/" (and "/ws"), so a bare host:port is enough.
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def gateway_target(url: Optional[str], token: Optional[str], timeout: Optional[float]) -> GatewayTarget:
    """Check the `--url`, `--token` and `--timeout` values of a command; exit naming the bad one."""
    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        fail(f"--timeout: expected a number of seconds above 0, got {timeout:g}", USAGE_ERROR)
    token = token or None
    if url is None:
        return GatewayTarget(None, token, timeout)
    ws_url = websocket_url(url)
    if token is None:
        fail(
            f"--token: required with --url (or set OPENCLAW_GATEWAY_TOKEN): the gateway at {ws_url} needs its own token; "
            "this state dir's token is never sent to another gateway",
            USAGE_ERROR,
        )
    return GatewayTarget(ws_url, token, timeout)


def local_port(state_dir: Path) -> int:
    """The port of this state dir's gateway: the one it records as running, else the one
    OPENCLAW_GATEWAY_PORT names (an explicit choice); never the config file's or the default port
    alone, where another state dir's gateway (`make run`) may answer and refuse this one's token."""
    import os

    from openclaw.gateway import runtime

    running = runtime.read(state_dir)
    if running is not None:
        return int(running["port"])
    if os.environ.get(PORT_ENV):
        return runtime.gateway_port(state_dir)  # the config with its environment layer
    raise GatewayDown(no_gateway(state_dir))


def no_gateway(state_dir: Path) -> str:
    return f"no gateway for this state dir ({state_dir}: no running gateway recorded in run/gateway.json)"


class GatewayDown(Exception):
    """Nothing that speaks the gateway protocol answers at the address."""


class _Refused(Exception):
    """The gateway answered and refused: during the handshake (`stage` "connect") or the call."""

    def __init__(self, error: GatewayError, stage: str, client: GatewayClient) -> None:
        super().__init__(str(error))
        self.error = error
        self.stage = stage
        self.client = client


class _NoAnswer(Exception):
    """The gateway accepted the connection but did not answer in time."""


def _upgrade_refusal(exc: Exception) -> GatewayError | None:
    """The gateway's JSON error from a refused WebSocket upgrade (429 for a locked-out address)."""
    import json

    from openclaw.gateway.client import GatewayError

    response = getattr(exc, "response", None)
    if response is None or getattr(response, "status_code", None) != 429:
        return None
    try:
        error = json.loads(bytes(response.body or b""))["error"]
    except (ValueError, KeyError, TypeError):
        error = None
    if not isinstance(error, dict):
        retry = response.headers.get("Retry-After", "")
        error = {"code": "RATE_LIMITED", "message": "too many failed authentication attempts", "retryAfterMs": int(retry) * 1000 if retry.isdigit() else None}
    return GatewayError.from_error(error)


async def _connect(state_dir: Path, target: GatewayTarget, connect_timeout: float) -> GatewayClient:
    """A client past the handshake; raises GatewayDown, _Refused or _NoAnswer (the client closed)."""
    import websockets

    from openclaw.gateway.client import GatewayError, local_client, remote_client

    if target.url is not None and target.token is not None:
        client = remote_client(target.url, state_dir, token=target.token, open_timeout=connect_timeout)
    else:
        client = local_client(state_dir, port=local_port(state_dir), open_timeout=connect_timeout, token=target.token)
    try:
        try:
            await client.open()
        except websockets.InvalidStatus as exc:
            refusal = _upgrade_refusal(exc)
            if refusal is not None:
                raise _Refused(refusal, "connect", client) from None
            raise GatewayDown(f"HTTP {exc.response.status_code} instead of a WebSocket upgrade; is this the gateway's address?") from None
        except GatewayError as exc:
            raise _Refused(exc, "connect", client) from None
        except (TimeoutError, OSError, websockets.InvalidURI, websockets.InvalidHandshake) as exc:
            raise GatewayDown(str(exc) or type(exc).__name__) from None
        try:
            await client.handshake()
        except GatewayError as exc:
            raise _Refused(exc, "connect", client) from None
        except TimeoutError:
            raise _NoAnswer(f"no answer to connect within {connect_timeout:g}s") from None
    except BaseException:
        await client.close()
        raise
    return client


async def _call(state_dir: Path, method: str, params: dict[str, Any], timeout: float, target: GatewayTarget) -> Any:
    from openclaw.gateway.client import GatewayError

    client = await _connect(state_dir, target, target.timeout or min(timeout, CONNECT_TIMEOUT_CAP))
    try:
        try:
            return await client.call(method, params, timeout=target.timeout or timeout)
        except GatewayError as exc:
            raise _Refused(exc, "call", client) from None
        except TimeoutError:
            raise _NoAnswer(f"no answer to {method} within {target.timeout or timeout:g}s (raise it with --timeout)") from None
    finally:
        await client.close()


async def open_gateway(state_dir: Path, target: GatewayTarget, method: str) -> GatewayClient | None:
    """A client connected to the gateway for a command that keeps the connection (to stream the
    agent's answer, say), or None when this state dir's own gateway is not running; everything else
    that goes wrong exits with the messages of `call_gateway` (`method` names what was attempted)."""
    try:
        return await _connect(state_dir, target, target.timeout or CONNECT_TIMEOUT_CAP)
    except (GatewayDown, _NoAnswer, _Refused) as exc:
        _fail_unless_local_down(exc, method, target)
        return None


def _where(target: GatewayTarget, client: GatewayClient) -> str:
    return f"the gateway at {target.url}" if target.remote else f"the gateway on {client.url}"


def _explain(refused: _Refused, method: str, target: GatewayTarget) -> NoReturn:
    exc, client = refused.error, refused.client
    where = _where(target, client)
    detail = str(exc.details.get("code") or "")
    if exc.code == "RATE_LIMITED" or detail == "RATE_LIMITED":
        retry_ms = exc.retry_after_ms if exc.retry_after_ms is not None else exc.details.get("retryAfterMs")
        wait = f"; retry in {max(1, (int(retry_ms) + 999) // 1000)}s" if isinstance(retry_ms, int) else ""
        fail(f"{where} has locked this address out after too many failed token attempts{wait} (with the right --token).")
    if exc.code == "NOT_PAIRED" and exc.details.get("requestId"):
        request_id = str(exc.details["requestId"])
        fail(
            f"{where} has not paired this device yet (device {client.identity.device_id}).\n"
            f"Pairing request: {request_id}\n"
            f"Approve it where the gateway runs:\n"
            f"  openclaw devices approve {request_id}\n"
            f"or in the Control UI (Devices page), then run this command again."
        )
    if detail == "AUTH_TOKEN_MISMATCH":
        if target.remote:
            fail(f"{where} refused the token (gateway token mismatch): pass that gateway's gateway.auth.token with --token or OPENCLAW_GATEWAY_TOKEN.")
        hint = "\nThe CLI sends gateway.auth.token from this state dir; the gateway was started with another token (OPENCLAW_GATEWAY_TOKEN?)."
        fail(f"gateway refused {method}: {exc.message}{hint}")
    if refused.stage == "connect" and target.remote:
        fail(f"{where} refused the connection: {exc.message}")
    fail(f"gateway refused {method}: {exc.message}")


def call_gateway(
    state_dir: Path, method: str, params: dict[str, Any] | None = None, *, timeout: float = 10.0, target: GatewayTarget = LOCAL
) -> tuple[bool, Any]:
    """(True, payload) from the gateway, or (False, None) when the state dir's own gateway is not
    running. A gateway that answers but refuses, or a `--url` one that does not answer, exits with
    a message: with `--url` there is never a local fallback."""
    import asyncio

    from openclaw.errors import OpenClawError

    try:
        return True, asyncio.run(_call(state_dir, method, params or {}, timeout, target))
    except (GatewayDown, _NoAnswer, _Refused) as exc:
        _fail_unless_local_down(exc, method, target)
        return False, None
    except OpenClawError as exc:
        fail(str(exc))
    except OSError as exc:  # this CLI's identity file could not be written
        fail(f"cannot reach the gateway: {exc}")


def _fail_unless_local_down(exc: Exception, method: str, target: GatewayTarget) -> None:
    """Exit with the message for `exc`; return only when this state dir's own gateway is not running."""
    if isinstance(exc, GatewayDown):
        if target.remote:
            fail(f"could not connect to the gateway at {target.url}: {exc}\n(nothing was done to the local state instead)")
        return
    if isinstance(exc, _NoAnswer):
        fail(f"{'the gateway at ' + str(target.url) if target.remote else 'the local gateway'}: {exc}")
    if isinstance(exc, _Refused):
        _explain(exc, method, target)
    raise exc
