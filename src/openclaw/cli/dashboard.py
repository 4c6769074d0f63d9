"""`openclaw dashboard`: print the Control UI URL with the gateway token in its fragment.

The token goes after `#`, so browsers never send it to a server or write it into access logs;
the Control UI reads it, stores it, and strips it from the address bar.
"""

from __future__ import annotations

from typing import Optional
from urllib.parse import quote

import typer


def dashboard_url(host: str, port: int, base_path: str, token: str) -> str:
    """The Control UI's address with the gateway token in the fragment, where only the page reads it."""
    base = base_path.rstrip("/") + "/"
    return f"http://{host}:{port}{base}#token={quote(token, safe='')}"


def dashboard(
    state_dir: Optional[str] = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw)."),
) -> None:
    """Print http://host:port/#token=... for opening the Control UI already signed in."""
    from openclaw.cli.output import fail
    from openclaw.config import layers, paths
    from openclaw.errors import ConfigError
    from openclaw.gateway import runtime

    sdir = paths.state_dir(state_dir)
    try:
        settings = layers.load(sdir).settings
    except ConfigError as exc:
        fail(f"Config invalid — {exc}\nRun: openclaw doctor")
    token = settings.gateway.auth.token
    if not token:
        fail("gateway.auth.token is not set yet: start the gateway once (`openclaw gateway`) to generate it, or set it with `openclaw config set gateway.auth.token <token>`")
    host = settings.gateway.custom_bind_host if settings.gateway.bind == "custom" and settings.gateway.custom_bind_host else "127.0.0.1"
    typer.echo(dashboard_url(host, runtime.gateway_port(sdir), settings.gateway.control_ui.base_path, token))
