"""`openclaw agent --message TEXT [--session KEY] [--url URL --token T]`: one agent turn from the
command line.

With a gateway running, the turn runs there (with the cluster tools and the policy layer) and
the answer streams to stdout. With none, it runs in this process from the state dir: chat
commands and the model work, cluster tools do not (they need the gateway's policy engine). With
`--url` the turn runs on that gateway or not at all (see `cli/gateway_access.py`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from openclaw.cli.gateway_access import TokenOpt, UrlOpt

if TYPE_CHECKING:
    from openclaw.cli.gateway_access import GatewayTarget
    from openclaw.gateway.client import GatewayClient

StateDirOpt = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw).")


def agent(
    message: str = typer.Option(..., "--message", "-m", help="What to ask or tell the agent."),
    session: str = typer.Option("agent:main:main", "--session", help="Session key (default: the main session)."),
    as_json: bool = typer.Option(False, "--json", help="Print the final result as JSON instead of streaming text."),
    timeout: float = typer.Option(600.0, "--timeout", help="Give up after this many seconds."),
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
) -> None:
    """Run one agent turn and print the answer."""
    import asyncio  # here, not at the top: `openclaw --help` imports every verb module

    from openclaw.cli.gateway_access import gateway_target
    from openclaw.cli.output import fail, print_json
    from openclaw.config import paths

    target = gateway_target(url, token, None)
    sdir = paths.state_dir(state_dir)
    try:
        result = asyncio.run(asyncio.wait_for(_run(sdir, target, session, message, stream=not as_json), timeout))
    except TimeoutError:
        fail(f"no answer within {timeout:.0f}s")
    if as_json:
        print_json(result)
    elif not result.get("streamed"):
        typer.echo(result.get("text", ""))
    else:
        typer.echo("")
    if result.get("state") == "error":
        fail(f"agent error: {result.get('errorMessage')}")


async def _run(state_dir: Path, target: GatewayTarget, session: str, message: str, *, stream: bool) -> dict[str, Any]:
    from openclaw.cli.gateway_access import open_gateway

    client = await open_gateway(state_dir, target, "chat.send")
    if client is None:  # this state dir's gateway is not running (with --url that already exited)
        typer.echo("(no gateway running: this turn runs here, without cluster tools)", err=True)
        return await _in_process(state_dir, session, message, stream)
    try:
        return await _via_gateway(client, session, message, stream)
    finally:
        await client.close()


async def _via_gateway(client: GatewayClient, session: str, message: str, stream: bool) -> dict[str, Any]:
    from openclaw.gateway.client import GatewayError

    try:
        ack = await client.call("chat.send", {"sessionKey": session, "message": message})
        run_id = ack["runId"]
        while True:
            frame = await client.next_event("chat", timeout=3600)
            payload = frame.get("payload") or {}
            if payload.get("runId") != run_id:
                continue
            if payload["state"] == "delta" and stream:
                sys.stdout.write(payload.get("delta", ""))
                sys.stdout.flush()
            if payload["state"] in ("final", "error", "aborted"):
                return _result(payload, streamed=stream)
    except GatewayError as exc:
        from openclaw.cli.output import fail

        fail(f"gateway refused chat.send: {exc.message}")


async def _in_process(state_dir: Path, session: str, message: str, stream: bool) -> dict[str, Any]:
    import getpass
    import os

    from openclaw.agent.brains import select_brain
    from openclaw.agent.chat import ChatService
    from openclaw.agent.runtime import AgentRuntime
    from openclaw.cli.output import fail
    from openclaw.config import layers
    from openclaw.errors import ConfigError

    try:
        settings = layers.load(state_dir).settings
        brain = select_brain(settings, os.environ)
    except ConfigError as exc:
        fail(f"Config invalid — {exc}")
    runtime = AgentRuntime(state_dir, lambda: settings, brain, env=dict(os.environ))
    finals: list[dict[str, Any]] = []

    def publish(event: str, payload: dict[str, Any]) -> None:
        if event != "chat":
            return
        if payload["state"] == "delta" and stream:
            sys.stdout.write(payload.get("delta", ""))
            sys.stdout.flush()
        elif payload["state"] in ("final", "error", "aborted"):
            finals.append(payload)

    chat = ChatService(runtime, publish)
    try:
        # Whoever can read the state dir is the operator: the same rights as `openclaw approvals`.
        ack = chat.send(session, message, operator=f"cli:{getpass.getuser()}", can_approve=True)
        await chat.wait(ack["runId"])
    finally:
        await brain.aclose()
    streamed = stream and bool(finals) and finals[-1].get("stopReason") != "command"
    return _result(finals[-1], streamed=streamed) if finals else {"state": "error", "errorMessage": "the run produced no answer"}


def _result(payload: dict[str, Any], *, streamed: bool) -> dict[str, Any]:
    message = payload.get("message") or {}
    text = "".join(c.get("text", "") for c in message.get("content", []) if c.get("type") == "text")
    if payload.get("stopReason") == "command":
        streamed = False  # commands do not stream
    return {"runId": payload.get("runId"), "sessionKey": payload.get("sessionKey"), "state": payload.get("state"), "text": text,
            "stopReason": payload.get("stopReason"), "errorMessage": payload.get("errorMessage"), "usage": payload.get("usage"),
            "streamed": streamed}
