"""`openclaw doctor`: explain what stops the gateway from starting or weakens it.

Checks: config validity (the gateway's own text), state dir writable (the same line the gateway prints), state dir 700 / files 600, token present,
bind/origin/auth consistency, hooks token distinct from the gateway token, trusted proxies
parse, webhook bodies refused as too large (and the setting to raise), Slack (tokens by auth.test,
channel ids by conversations.info) when it is on, and whether the gateway port answers. Exit 1
when any check fails; warnings do not fail.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Any, Optional

import typer

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass
class Check:
    name: str
    status: str
    detail: str


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def permission_checks(sdir: Path) -> list[Check]:
    if not sdir.exists():
        return [Check("state dir", WARN, f"{sdir} does not exist yet (the gateway creates it on first boot)")]
    out = []
    mode = _mode(sdir)
    out.append(Check("state dir mode", OK if mode & 0o077 == 0 else FAIL, f"{sdir} is {mode:o}" + ("" if mode & 0o077 == 0 else f" (expected 700: chmod 700 {sdir})")))
    loose = []
    for path in [sdir / "openclaw.json", *sorted(sdir.glob("devices/*.json")), *sorted(sdir.glob("identity/*.json"))]:
        if path.exists() and _mode(path) & 0o077:
            loose.append(f"{path} is {_mode(path):o}")
    out.append(Check("state file modes", FAIL if loose else OK, "; ".join(loose) + " (expected 600: chmod 600 <file>)" if loose else "secrets files are 600"))
    return out


def writable_check(sdir: Path) -> Check:
    """What the gateway and `config set` would meet first: a read-only or foreign-owned state dir."""
    from openclaw.config import statedir

    if not sdir.exists():
        return Check("state dir writable", WARN, f"{sdir} does not exist yet; the gateway creates it as {statedir.identity()}")
    found = statedir.problem(sdir)
    if found is not None:
        return Check("state dir writable", FAIL, found)
    return Check("state dir writable", OK, f"{sdir} is writable by {statedir.identity()}")


def guarded(name: str, run: Callable[[], list[Check]]) -> list[Check]:
    """A check group that meets an unreadable file reports it as a failed check, not a traceback."""
    from openclaw.config import statedir

    try:
        return run()
    except OSError as exc:
        return [Check(name, FAIL, statedir.describe(exc))]


def config_checks(sdir: Path) -> tuple[list[Check], Any]:
    from openclaw.config import layers
    from openclaw.errors import ConfigError

    try:
        snap = layers.load(sdir)
    except ConfigError as exc:
        return [Check("config", FAIL, f"Config invalid — {exc}")], None
    checks = [Check("config", OK, f"valid ({snap.state_path}{', seed ' + str(snap.seed_path) if snap.seed_path else ''})")]
    checks += [Check("config normalized", WARN, w) for w in snap.warnings]
    return checks, snap


def settings_checks(snap: Any) -> list[Check]:
    from openclaw.errors import ConfigError
    from openclaw.gateway import peer, server

    settings = snap.settings
    gw = settings.gateway
    out = []
    token = gw.auth.token
    if not token:
        out.append(Check("gateway token", WARN, "gateway.auth.token is unset; the gateway generates one on first boot"))
    elif len(token) < 32:
        out.append(Check("gateway token", WARN, f"gateway.auth.token is only {len(token)} characters; use >= 32 random url-safe characters"))
    else:
        out.append(Check("gateway token", OK, f"present (source: {snap.source_of('gateway.auth.token')}); show it: grep -A1 '\"token\"' {snap.state_path}"))
    try:
        host = server.bind_host(settings)
        server.check_exposure(settings, host)
        exposure = f"bind={gw.bind} listens on {host}"
        if not server.is_loopback_host(host):
            exposure += f"; allowedOrigins={gw.control_ui.allowed_origins}"
        out.append(Check("bind/origin/auth", OK, exposure))
    except ConfigError as exc:
        out.append(Check("bind/origin/auth", FAIL, str(exc)))
    if "*" in gw.control_ui.allowed_origins:
        out.append(Check("allowed origins", WARN, "gateway.controlUi.allowedOrigins contains '*': any web page may try the token; list your origins instead"))
    hooks_token = settings.hooks.token
    if hooks_token and token and hooks_token == token:
        out.append(Check("hooks token", FAIL, "hooks.token equals gateway.auth.token; set a distinct hooks.token so a webhook sender cannot operate the gateway"))
    elif hooks_token:
        out.append(Check("hooks token", OK, "distinct from the gateway token"))
    else:
        out.append(Check("hooks token", WARN, "hooks.token is unset: webhooks are refused until it is set"))
    from openclaw.config.schema import provider_api_problems

    wire = provider_api_problems(settings.models)
    out += [Check("model providers", WARN, problem) for problem in wire]
    if settings.models.providers and not wire:
        out.append(Check("model providers", OK, ", ".join(f"{k}: {v.api}" for k, v in settings.models.providers.items())))
    try:
        peer.parse_networks(gw.trusted_proxies)
        out.append(Check("trusted proxies", OK, ", ".join(gw.trusted_proxies) or "none (forwarding headers make a client remote)"))
    except ValueError as exc:
        out.append(Check("trusted proxies", FAIL, f"gateway.trustedProxies: {exc}"))
    return out


def body_limit_checks(sdir: Path, snap: Any) -> list[Check]:
    """Webhook bodies refused as too large (kept in the event database): which setting to raise.
    AlertManager does not retry a 413, so a refused storm is otherwise lost without a trace."""
    import sqlite3

    from openclaw.config.schema import ALERT_BYTES_ESTIMATE
    from openclaw.errors import StateError
    from openclaw.events.db import DB_FILE_NAME, connect_readonly
    from openclaw.events.refusals import too_large

    hooks = snap.settings.hooks
    alert_limit, alert_setting = hooks.body_limit("alertmanager")
    fits = f"alertmanager takes notifications up to {alert_limit} bytes ({alert_setting}, about {alert_limit // ALERT_BYTES_ESTIMATE} alerts)"
    try:
        conn = connect_readonly(sdir / DB_FILE_NAME)
    except StateError:
        return [Check("webhook body limits", OK, f"{fits}; no event received yet")]
    except sqlite3.Error as exc:
        return [Check("webhook body limits", WARN, f"cannot read {sdir / DB_FILE_NAME}: {exc}")]
    try:
        refused = too_large(conn)
    except sqlite3.Error as exc:
        return [Check("webhook body limits", WARN, f"cannot read {sdir / DB_FILE_NAME}: {exc}")]
    finally:
        conn.close()
    out = []
    for row in refused:
        limit, setting = hooks.body_limit(row.hook)
        seen = f"last {row.last_size} bytes" if row.last_size is not None else "last one cut off while streaming"
        what = f"{row.hook}: {row.count} {'body' if row.count == 1 else 'bodies'} refused as too large ({seen}, over {row.setting} {row.limit_bytes})"
        if limit > row.limit_bytes:
            out.append(Check("webhook body limits", OK, f"{what}; the limit has been raised since to {limit} ({setting})"))
            continue
        wanted = max(2 * limit, 2 * (row.last_size or 0))
        fix = f"raise it: openclaw config set {setting} {wanted}"
        if row.hook == "alertmanager":
            fix += (f", or set max_alerts: {max(1, limit // ALERT_BYTES_ESTIMATE)} in the AlertManager receiver's webhook_configs "
                    "(it sends every alert of a group unless max_alerts is set; left-out alerts are counted, never sent)")
        out.append(Check("webhook body limits", WARN, f"{what}; {fix}"))
    return out or [Check("webhook body limits", OK, f"{fits}; no body refused as too large")]


def port_check(sdir: Path, snap: Any) -> Check:
    import httpx

    from openclaw.gateway import runtime

    import os

    from openclaw.cli.gateway_access import PORT_ENV, no_gateway

    running = runtime.read(sdir)
    recorded = running is not None or bool(os.environ.get(PORT_ENV))  # where the CLI would dial
    port = running["port"] if running else snap.settings.gateway.port if snap else 18789
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except httpx.HTTPError:
        if not recorded:
            return Check("gateway port", WARN, f"{no_gateway(sdir)}; nothing answers on 127.0.0.1:{port} either")
        return Check("gateway port", WARN, f"nothing answers on 127.0.0.1:{port} (gateway not running, or bound elsewhere)")
    try:
        live = response.json().get("status") == "live"
    except ValueError:
        live = False
    if not recorded:
        other = "another state dir's gateway" if live else f"something else (HTTP {response.status_code})"
        return Check("gateway port", WARN, f"{no_gateway(sdir)}; 127.0.0.1:{port} answers, but that is {other}: the CLI leaves it alone")
    if live:
        return Check("gateway port", OK, f"gateway answering on 127.0.0.1:{port}" + (f" (pid {running['pid']})" if running else ""))
    return Check("gateway port", FAIL, f"127.0.0.1:{port} answers but is not an openclaw gateway (HTTP {response.status_code})")


def doctor(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    state_dir: Optional[str] = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw)."),
) -> None:
    """Check config, permissions, token, exposure and the gateway port; exit 1 on any failure."""
    from openclaw.cli.output import print_json
    from openclaw.config import paths

    sdir = paths.state_dir(state_dir)
    checks, snap = config_checks(sdir)
    checks += guarded("state dir writable", lambda: [writable_check(sdir)])
    checks += guarded("state dir mode", lambda: permission_checks(sdir))
    if snap is not None:
        checks += settings_checks(snap)
        checks += guarded("webhook body limits", lambda: body_limit_checks(sdir, snap))
        from openclaw.slack import checks as slack_checks

        checks += [Check(*result) for result in slack_checks.checks(snap.settings.slack)]
    checks += guarded("gateway port", lambda: [port_check(sdir, snap)])
    failed = any(c.status == FAIL for c in checks)
    if as_json:
        print_json({"ok": not failed, "checks": [c.__dict__ for c in checks]})
    else:
        marks = {OK: "[green]ok[/green]  ", WARN: "[yellow]warn[/yellow]", FAIL: "[red]FAIL[/red]"}
        from rich.console import Console
        from rich.markup import escape

        console = Console(soft_wrap=True, highlight=False)
        for c in checks:
            console.print(f"{marks[c.status]}  {c.name}: {escape(c.detail)}")
        console.print("[red]Problems found.[/red]" if failed else "No problems found.")
    if failed:
        raise typer.Exit(1)
