"""Start-up: load and check the config, generate the token on first boot, build the app, serve."""

from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from openclaw import logs
from openclaw.config import layers, paths, store
from openclaw.config.schema import Settings
from openclaw.errors import ConfigError
from openclaw.core.config_holder import ConfigHolder
from openclaw.core.services import Services

log = logging.getLogger(__name__)


def in_container() -> bool:
    return Path("/.dockerenv").exists() or bool(os.environ.get("KUBERNETES_SERVICE_HOST"))


def bind_host(settings: Settings, override: str | None = None) -> str:
    """The address to listen on for `gateway.bind` (or a `--bind` mode)."""
    mode = layers.BIND_ALIASES.get(override, override) if override else settings.gateway.bind
    if mode == "loopback":
        return "127.0.0.1"
    if mode == "lan":
        return "0.0.0.0"
    if mode == "custom":
        if not settings.gateway.custom_bind_host:
            raise ConfigError("gateway.bind is 'custom' but gateway.customBindHost is unset; set it with `openclaw config set gateway.customBindHost <ip>`")
        return settings.gateway.custom_bind_host
    if mode == "auto":
        return "0.0.0.0" if in_container() else "127.0.0.1"
    raise ConfigError(f"--bind {override!r}: expected loopback, lan, custom or auto")


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings, host: str) -> None:
    """Refuse a non-loopback bind without a token or without an origin policy, naming the key to set."""
    if is_loopback_host(host):
        return
    problems = []
    if not settings.gateway.auth.token:
        problems.append("gateway.auth.token is unset: set it with `openclaw config set gateway.auth.token <token>` or OPENCLAW_GATEWAY_TOKEN")
    if settings.gateway.control_ui.enabled and not settings.gateway.control_ui.allowed_origins:
        problems.append(
            "gateway.controlUi.allowedOrigins is empty: a non-loopback Control UI needs explicit origins, e.g. "
            "`openclaw config set gateway.controlUi.allowedOrigins '[\"https://openclaw.homelab.local\"]'`"
        )
    if problems:
        raise ConfigError(f"refusing to listen on {host} (gateway.bind={settings.gateway.bind})", problems)


@dataclass
class StartPlan:
    services: Services
    host: str
    port: int
    token_created: bool


def prepare(state_dir: Path | None = None, *, port: int | None = None, bind: str | None = None) -> StartPlan:
    """Everything before serving: config valid, token present, exposure safe, services built."""
    sdir = paths.ensure_private_dir(state_dir or paths.state_dir())
    snapshot, created = store.ensure_gateway_token(sdir)
    settings = snapshot.settings
    ring, redactor = logs.setup(settings.logging.level, settings.logging.format, snapshot.secret_values())
    for warning in snapshot.warnings:
        log.warning("config.normalized", extra={"detail": warning})
    host = bind_host(settings, bind)
    check_exposure(settings, host)
    final_port = port or settings.gateway.port
    holder = ConfigHolder(snapshot)
    holder.on_change(lambda old, new: setattr(redactor, "secrets", new.secret_values()))
    services = Services(state_dir=sdir, config=holder, logs=ring, redactor=redactor)
    install_capabilities(services)
    return StartPlan(services=services, host=host, port=final_port, token_created=created)


def install_capabilities(services: Services) -> None:
    """Each capability registers its routes' services, methods, checks and engines here."""
    from openclaw.gateway import core_methods

    core_methods.install(services)
    from openclaw import events, incidents, media

    events.install(services)  # raises ConfigError when hooks.token equals the gateway token
    incidents.install(services)
    media.install(services)
    from openclaw.policy import capability as policy_capability
    from openclaw.runbooks import capability as runbooks_capability

    policy_capability.install(services)
    runbooks_capability.install(services)
    from openclaw import agent as agent_capability

    agent_capability.install(services)  # after policy and runbooks: its tools and escalations use them
    from openclaw import slack

    slack.install(services)  # after policy and the agent: its buttons and chat use them
    from openclaw.gateway import overview, pairing_methods
    from openclaw.gateway.ws import hub

    hub.install(services)
    pairing_methods.install(services)
    overview.install(services)  # last: it reads every capability installed above


def serve(plan: StartPlan) -> None:
    import uvicorn

    from openclaw.gateway import runtime
    from openclaw.gateway.app import build_app

    services = plan.services

    async def record_runtime() -> None:
        if plan.port:
            runtime.write(services.state_dir, host=plan.host, port=plan.port)

    async def clear_runtime() -> None:
        runtime.remove(services.state_dir)

    services.startup.append(record_runtime)
    services.shutdown.insert(0, clear_runtime)  # shutdown hooks run in reverse: this one runs last
    app = build_app(services)
    config = uvicorn.Config(
        app,
        host=plan.host,
        port=plan.port,
        log_config=None,
        access_log=False,
        ws_max_size=25 * 1024 * 1024,
        lifespan="on",
        proxy_headers=False,  # forwarding headers are judged by gateway.trustedProxies, not by uvicorn
    )
    uvicorn.Server(config).run()
