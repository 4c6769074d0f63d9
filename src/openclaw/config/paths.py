"""Where things live on disk. Only `config/` reads `os.environ`."""

from __future__ import annotations

import os
from pathlib import Path

STATE_FILE_NAME = "openclaw.json"


def state_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The state dir: `--state-dir`, else `OPENCLAW_STATE_DIR`, else `~/.openclaw`."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("OPENCLAW_STATE_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".openclaw"


def state_file(state: Path) -> Path:
    return state / STATE_FILE_NAME


def seed_file() -> Path | None:
    """The read-only seed config (`OPENCLAW_SEED_CONFIG`), or None when unset."""
    env = os.environ.get("OPENCLAW_SEED_CONFIG")
    return Path(env).expanduser() if env else None


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) with mode 0700; tighten it if it already exists."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        path.chmod(0o700)
    except OSError:  # a mounted dir we do not own, or a read-only one; doctor reports its mode
        pass
    return path
