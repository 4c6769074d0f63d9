"""`openclaw dashboard`: print the Control UI URL with the gateway token in its fragment.

The token goes after `#`, so browsers never send it to a server or write it into access logs;
the Control UI reads it, stores it, and strips it from the address bar.
"""

from __future__ import annotations

from typing import Optional

import typer


def dashboard(
    state_dir: Optional[str] = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw)."),
) -> None:
    """Print http://host:port/#token=... for opening the Control UI already signed in."""
    from urllib.parse import quote

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
    base = settings.gateway.control_ui.base_path.rstrip("/") + "/"
    typer.echo(f"http://{host}:{runtime.gateway_port(sdir)}{base}#token={quote(token, safe='')}")
