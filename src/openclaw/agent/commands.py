"""Chat slash commands: a small deterministic set that works with or without a model.

`/status`, `/incidents`, `/actions`, `/approve ID`, `/deny ID`, `/restart NAMESPACE/KIND/NAME`,
`/new`, `/help`. A restart goes through the same policy door as everything else, asked for by
the operator who typed it; approvals are the operator's own answer, never the model's.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from openclaw.agent.capabilities import CapabilityMissing, incidents_of, policy_of
from openclaw.core.slots import Slots
from openclaw.errors import StateError

if TYPE_CHECKING:
    from openclaw.policy.audit import AuditRecord

HELP = """Commands:
  /status                          gateway, model and what needs attention
  /incidents                       firing incidents
  /actions                         the last actions and their policy decisions
  /approve ID   /deny ID           answer an action waiting for approval
  /restart NAMESPACE/KIND/NAME     rolling restart through the policy layer (e.g. media/deployment/sonarr)
  /new                             start a fresh session
  /help                            this list"""

_KINDS = {"deployment": "Deployment", "deploy": "Deployment", "statefulset": "StatefulSet", "sts": "StatefulSet",
          "daemonset": "DaemonSet", "ds": "DaemonSet"}


@dataclass
class CommandContext:
    capabilities: Slots
    operator: str
    model_id: str
    offline: bool
    reset_session: Callable[[], None]
    session_count: Callable[[], int]
    # Answering approvals needs the operator.approvals scope; chat itself needs only write.
    can_approve: bool = False


def is_command(text: str) -> bool:
    word = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    return word in _COMMANDS


async def run_command(text: str, ctx: CommandContext) -> str:
    """The reply to a slash command (`is_command(text)` must be true)."""
    try:
        args = shlex.split(text.strip())
    except ValueError as exc:
        return f"Could not read the command: {exc}"
    handler = _COMMANDS[args[0].lower()]
    try:
        return await handler(args[1:], ctx)
    except CapabilityMissing as exc:
        return f"Cannot do that here: {exc}."


async def _help(args: list[str], ctx: CommandContext) -> str:
    return (_offline_line(ctx) + "\n\n" if ctx.offline else "") + HELP


def _offline_line(ctx: CommandContext) -> str:
    return ("No model is configured: chat answers these commands only (set ANTHROPIC_API_KEY or "
            "agents.defaults.model.primary). Runbooks keep working.")


async def _status(args: list[str], ctx: CommandContext) -> str:
    lines = [f"Model: {'none (offline)' if ctx.offline else ctx.model_id}"]
    if ctx.offline:
        lines.append(_offline_line(ctx))
    try:
        firing = await incidents_of(ctx.capabilities).list(status="firing", limit=200)
        lines.append(f"Firing incidents: {len(firing)}")
    except CapabilityMissing:
        lines.append("Incidents: not running")
    try:
        pending: Sequence[AuditRecord] = policy_of(ctx.capabilities).audit.pending()
        lines.append(f"Actions waiting for approval: {len(pending)}" + "".join(f"\n  {r.id} {r.kind} {r.target}" for r in islice(pending, 10)))
    except CapabilityMissing:
        lines.append("Policy: not running (no cluster actions possible)")
    lines.append(f"Sessions: {ctx.session_count()}")
    return "\n".join(lines)


async def _incidents(args: list[str], ctx: CommandContext) -> str:
    found = await incidents_of(ctx.capabilities).list(status="firing", limit=20)
    if not found:
        return "No firing incidents."
    return "Firing incidents:\n" + "\n".join(
        f"  {i.id} [{i.severity}] {i.title} ({i.namespace or 'cluster'}, {i.firing_count} firing)" for i in found)


async def _actions(args: list[str], ctx: CommandContext) -> str:
    records = policy_of(ctx.capabilities).audit.list(limit=15)
    if not records:
        return "No actions recorded yet."
    return "Recent actions:\n" + "\n".join(
        f"  {r.id} {r.kind} {r.target} by {r.actor}: {r.outcome} - {r.decision}" for r in records)


async def _answer(args: list[str], ctx: CommandContext, approve: bool) -> str:
    verb = "approve" if approve else "deny"
    if not ctx.can_approve:
        return f"Cannot {verb}: this connection lacks the operator.approvals scope (pair a device with it, or use `openclaw approvals {verb} ID`)."
    if len(args) != 1:
        return f"Usage: /{verb} ACTION_ID (see /status for waiting actions)"
    engine = policy_of(ctx.capabilities)
    try:
        decision = await engine.resolve(args[0], approve=approve, by=f"operator:{ctx.operator}")
    except StateError as exc:
        return f"Cannot {verb} {args[0]}: {exc}"
    return f"{args[0]} {decision.request.kind} {decision.request.target.key}: {decision.outcome} - {decision.reason}"


async def _approve(args: list[str], ctx: CommandContext) -> str:
    return await _answer(args, ctx, True)


async def _deny(args: list[str], ctx: CommandContext) -> str:
    return await _answer(args, ctx, False)


async def _restart(args: list[str], ctx: CommandContext) -> str:
    from openclaw.ops.refs import ObjectRef
    from openclaw.policy.models import ActionKind, ActionRequest, Actor

    parts = args[0].split("/") if len(args) == 1 else []
    if len(parts) != 3 or parts[1].lower() not in _KINDS or not parts[0] or not parts[2]:
        return "Usage: /restart NAMESPACE/KIND/NAME, KIND one of deployment, statefulset, daemonset (e.g. /restart media/deployment/sonarr)"
    ref = ObjectRef(_KINDS[parts[1].lower()], parts[2], parts[0])  # type: ignore[arg-type]  # a workload kind from _KINDS
    engine = policy_of(ctx.capabilities)
    decision = await engine.submit(ActionRequest(kind=ActionKind.WORKLOAD_RESTART, target=ref, actor=Actor.operator(ctx.operator),
                                                 reason="/restart from chat"))
    text = f"restart {ref.key}: {decision.outcome} - {decision.reason}"
    if decision.setting:
        text += f" ({decision.setting})"
    return text + f" [action {decision.action_id}]"


async def _new(args: list[str], ctx: CommandContext) -> str:
    ctx.reset_session()
    return "Started a new session."


_COMMANDS: dict[str, Callable[[list[str], CommandContext], Awaitable[str]]] = {
    "/help": _help,
    "/status": _status,
    "/incidents": _incidents,
    "/actions": _actions,
    "/approve": _approve,
    "/deny": _deny,
    "/restart": _restart,
    "/new": _new,
    "/reset": _new,
}
