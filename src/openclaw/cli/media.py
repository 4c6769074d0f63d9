"""`openclaw media list|show|fix`: the media pipeline as the gateway tracks it.

These go through the running gateway (`media.list`, `media.get`, `media.fix`): the tracker's
stages and strikes are computed there from the apps it polls, and a fix is a policy request that
only the gateway can carry out, so with no gateway running they say so instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from openclaw.cli.gateway_access import TimeoutOpt, TokenOpt, UrlOpt

if TYPE_CHECKING:
    from openclaw.cli.gateway_access import GatewayTarget

app = typer.Typer(help="The media pipeline: every request tracked to playable, stuck items and their fixes.", no_args_is_help=True)

StateDirOpt = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw).")
JsonOpt = typer.Option(False, "--json", help="Print JSON.")


def _when(ts: Any) -> str:
    if not isinstance(ts, (int, float)):
        return ""
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def _call(state_dir: Optional[str], method: str, params: dict[str, Any], target: GatewayTarget, timeout: float = 10.0) -> Any:
    from openclaw.cli.gateway_access import call_gateway, no_gateway
    from openclaw.cli.output import fail
    from openclaw.config import paths

    sdir: Path = paths.state_dir(state_dir)
    ok, data = call_gateway(sdir, method, params, timeout=timeout, target=target)
    if not ok:
        fail(f"{no_gateway(sdir)}; the media tracker runs in the gateway: start it with `openclaw gateway`")
    return data


def _reason(item: dict[str, Any]) -> str:
    if not item.get("stuckReason"):
        return ""
    strikes = (item.get("strikes") or {}).get(item["stuckReason"], 0)
    mark = "STUCK " if item.get("stuck") else "watching "
    return f"{mark}{item['stuckReason']} ({strikes} checks): {item.get('stuckDetail') or ''}".rstrip(": ")


@app.command("list")
def list_(
    stuck: bool = typer.Option(False, "--stuck", help="Only items that are stuck (struck on enough consecutive checks)."),
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Tracked items with their stage, newest change first, and how many are at each stage."""
    from openclaw.cli.gateway_access import gateway_target
    from openclaw.cli.output import print_json, print_table

    data = _call(state_dir, "media.list", {"stuck": True} if stuck else {}, gateway_target(url, token, timeout))
    if as_json:
        print_json(data)
        return
    counts = data.get("counts") or {}
    if counts:
        typer.echo("pipeline: " + ", ".join(f"{stage} {n}" for stage, n in counts.items()))
    down = {name: s for name, s in (data.get("apps") or {}).items() if not s.get("ok")}
    for name, s in down.items():
        typer.echo(f"app {name}: {s.get('error') or 'not answering'}", err=True)
    items = data.get("items") or []
    if not items:
        typer.echo("no stuck media items" if stuck else "no tracked media items")
        return
    rows = [[i["id"], i.get("title") or "", i["stage"], i.get("app") or "", _reason(i), i.get("incident") or "", ", ".join(i.get("ladder") or [])]
            for i in items]
    print_table(None, ["ID", "TITLE", "STAGE", "APP", "STUCK", "INCIDENT", "FIXES TRIED"], rows)


@app.command("show")
def show(
    item_id: str = typer.Argument(..., help="Item id from `openclaw media list`, e.g. movie:tmdb:438631."),
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """One item: its stage, why it is stuck, its timeline and the fixes done for it."""
    from openclaw.cli.gateway_access import gateway_target
    from openclaw.cli.output import print_json, print_table

    item = _call(state_dir, "media.get", {"id": item_id}, gateway_target(url, token, timeout))
    if as_json:
        print_json(item)
        return
    typer.echo(f"{item['id']}  {item.get('title') or ''}  {item['stage']} since {_when(item.get('stageSince'))}")
    ids = {k: v for k, v in (item.get("ids") or {}).items() if v is not None}
    typer.echo(f"  app {item.get('app') or '-'}  ids {', '.join(f'{k}={v}' for k, v in ids.items()) or '-'}  download {item.get('downloadId') or '-'}")
    download = item.get("download")
    if download:
        typer.echo(f"  download: {download.get('client')} {download.get('state')} {float(download.get('progress') or 0):.0%}")
    if item.get("stuckReason"):
        typer.echo(f"  {_reason(item)}")
    if item.get("incident"):
        typer.echo(f"  incident {item['incident']}" + ("  (escalated)" if item.get("escalated") else ""))
    if item.get("timeline"):
        rows = [[_when(e.get("at")), e.get("source", ""), e.get("type", ""), e.get("summary", "")] for e in item["timeline"]]
        print_table("timeline", ["WHEN", "SOURCE", "EVENT", "SUMMARY"], rows)
    if item.get("actions"):
        rows = [[a.get("id", ""), _when(a.get("createdAt")), a["kind"], a.get("actor", ""), a["outcome"], a.get("verification") or "", a.get("decision", "")]
                for a in item["actions"]]
        print_table("actions", ["ID", "WHEN", "ACTION", "ACTOR", "OUTCOME", "VERIFIED", "WHY"], rows)


def describe(decision: dict[str, Any]) -> str:
    """One line per policy decision: done, waiting for approval (with the action id), refused (with the rule)."""
    kind, outcome, why = decision["kind"], decision["outcome"], decision.get("decision") or ""
    if outcome == "applied":
        verified = str(decision.get("verification") or "")
        if verified.startswith("failed"):
            return f"applied, did not hold: {kind} ({decision['id']}): {verified}"
        return f"done: {kind} ({decision['id']})" + (f", verified: {verified}" if verified else "")
    if outcome == "pending_approval":
        return f"waiting for approval: {kind} ({decision['id']}): {why}\n  approve with: openclaw approvals approve {decision['id']}"
    if outcome == "refused":
        return f"refused: {kind} by {decision.get('setting') or 'policy'}: {why}"
    return f"{outcome}: {kind} ({decision['id']}): {why}"


@app.command("fix")
def fix(
    item_id: str = typer.Argument(..., help="Item id from `openclaw media list --stuck`."),
    one: bool = typer.Option(False, "--one", help="Try only the next fix, not every fix until one holds."),
    as_json: bool = JsonOpt,
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Ask policy for the item's fixes now (cheapest first, until one holds), whatever its strikes; prints what policy answered."""
    from openclaw.cli.gateway_access import gateway_target
    from openclaw.cli.output import print_json
    from openclaw.media.capability import MAX_RUNGS

    # A fix runs the app call and waits for it to verify, which takes longer than a read.
    params: dict[str, object] = {"id": item_id, "rungs": 1 if one else MAX_RUNGS}
    data = _call(state_dir, "media.fix", params, gateway_target(url, token, timeout), timeout=60.0 * (1 if one else 4))
    if as_json:
        print_json(data)
        return
    decisions = data.get("decisions") or []
    if not decisions:
        item = data.get("item") or {}
        typer.echo(data.get("message") or f"{item_id}: no fix left to try ({item.get('stuckReason')}; tried {', '.join(item.get('ladder') or []) or 'nothing'}); escalated")
        return
    for decision in decisions:
        typer.echo(describe(decision))
    item = data.get("item") or {}
    typer.echo(f"{item_id} is now {item.get('stage')}" + (f", {_reason(item)}" if item.get("stuckReason") else ""))
