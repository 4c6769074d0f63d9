"""The running gateway's view of the config, reloaded when the state file changes.

A change written by `openclaw config set` (another process) is noticed by polling the state
file's mtime; a change through `config.set` over WebSocket is applied at once. Keys that only
take effect at start-up are reported as needing a restart instead of being half-applied. With
`gateway.reload.mode: off` (as the running config says) nothing applies live: every change is
reported as needing a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openclaw.config import layers
from openclaw.config.layers import ConfigSnapshot
from openclaw.config.schema import Settings
from openclaw.errors import ConfigError

log = logging.getLogger(__name__)

# Paths (prefixes) that need a restart to take effect.
RESTART_PATHS = ("gateway.port", "gateway.bind", "gateway.customBindHost", "gateway.mode", "gateway.controlUi.basePath", "slack.enabled", "slack.mode", "slack.appToken")

Listener = Callable[[ConfigSnapshot, ConfigSnapshot], None]


def changed_paths(old: Any, new: Any, prefix: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new)):
            out += changed_paths(old.get(key), new.get(key), f"{prefix}.{key}" if prefix else key)
        return out
    return [] if old == new else [prefix]


def needs_restart(paths: list[str]) -> list[str]:
    return [p for p in paths if any(p == r or p.startswith(r + ".") for r in RESTART_PATHS)]


class ConfigHolder:
    def __init__(self, snapshot: ConfigSnapshot, *, seed_path: Path | None | str = "env") -> None:
        self.snapshot = snapshot
        self._seed_path = seed_path
        self._listeners: list[Listener] = []
        self._mtime = self._stat()
        self.pending_restart: list[str] = []
        self.last_error: str | None = None

    @property
    def settings(self) -> Settings:
        return self.snapshot.settings

    @property
    def reload_off(self) -> bool:
        """`gateway.reload.mode: off` in the running config: no change applies until a restart."""
        return self.snapshot.settings.gateway.reload.mode == "off"

    def on_change(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _stat(self) -> float | None:
        try:
            return self.snapshot.state_path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def reload(self) -> list[str]:
        """Re-read every layer; apply what is safe; return the changed paths. An invalid file keeps the old config."""
        try:
            new = layers.load(self.snapshot.state_dir, seed_path=self._seed_path)  # type: ignore[arg-type]  # "env" or a path
        except ConfigError as exc:
            self.last_error = str(exc)
            log.error("config.reload_rejected", extra={"problems": "; ".join(exc.problems) or exc.summary})
            return []
        self.last_error = None
        self._mtime = self._stat()
        changed = changed_paths(self.snapshot.effective(), new.effective())
        if not changed:
            self.snapshot = new
            return []
        if self.reload_off:
            # Nothing applies live: the running config stays, every change waits for a restart.
            self.pending_restart = sorted(set(self.pending_restart) | set(changed))
            log.warning("config.restart_needed", extra={"paths": ",".join(changed), "reloadMode": "off"})
            return changed
        restart = needs_restart(changed)
        if restart:
            self.pending_restart = sorted(set(self.pending_restart) | set(restart))
            log.warning("config.restart_needed", extra={"paths": ",".join(restart)})
        old, self.snapshot = self.snapshot, new
        for listener in self._listeners:
            listener(old, new)
        log.info("config.reloaded", extra={"paths": ",".join(p for p in changed if p not in restart)})
        return changed

    def refresh(self) -> None:
        """Reload now if the state file changed since the last read (a reader must not see a stale view)."""
        if self._stat() != self._mtime:
            self.reload()

    async def watch(self, interval: float = 0.5) -> None:
        """Poll the state file's mtime and reload when it changes (runs until cancelled)."""
        while True:
            await asyncio.sleep(interval)
            self.refresh()
