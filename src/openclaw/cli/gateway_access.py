"""How the CLI reaches a running gateway: on loopback, as a local client (auto-approved, so the
CLI never needs pairing). `call_gateway()` returns None when no gateway answers, so a command can
fall back to the state dir under its file lock."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from openclaw.cli.output import fail


class GatewayDown(Exception):
    """Nothing is listening where the gateway should be."""


async def _call(state_dir: Path, method: str, params: dict[str, Any], timeout: float) -> Any:
    from openclaw.gateway.client import local_client

    client = local_client(state_dir, open_timeout=timeout)
    try:
        await client.open()
    except (TimeoutError, OSError) as exc:
        raise GatewayDown(str(exc)) from None
    try:
        await client.handshake()
        return await client.call(method, params, timeout=timeout)
    finally:
        await client.close()


def call_gateway(state_dir: Path, method: str, params: dict[str, Any] | None = None, *, timeout: float = 10.0) -> tuple[bool, Any]:
    """(True, payload) from the running gateway, or (False, None) when none is running.
    A gateway that answers but refuses exits with its message."""
    from openclaw.errors import OpenClawError
    from openclaw.gateway.client import GatewayError

    try:
        return True, asyncio.run(_call(state_dir, method, params or {}, timeout))
    except GatewayDown:
        return False, None
    except GatewayError as exc:
        hint = ""
        if exc.details.get("code") == "AUTH_TOKEN_MISMATCH":
            hint = "\nThe CLI sends gateway.auth.token from this state dir; the gateway was started with another token (OPENCLAW_GATEWAY_TOKEN?)."
        fail(f"gateway refused {method}: {exc.message}{hint}")
    except OpenClawError as exc:
        fail(str(exc))
