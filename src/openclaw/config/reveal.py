"""Reading a config value in clear (`config.reveal`, `openclaw config get PATH --reveal`): the one
way past redaction, audited before the value is handed out. Who may ask is decided by the caller
(the gateway's `operator.admin` scope, or the CLI reading a state dir only its owner can read)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openclaw.config import audit, dotpath, redaction
from openclaw.config.layers import ConfigSnapshot, Source
from openclaw.errors import ConfigPathError


@dataclass(frozen=True)
class Revealed:
    path: str
    value: Any
    source: Source
    secrets: list[str]


def reveal(snapshot: ConfigSnapshot, path: str, *, actor: dict[str, Any], via: str) -> Revealed:
    """The effective value at `path` in clear, after its audit record is written. Raises
    ConfigPathError for a path that is not set anywhere, OSError when the record cannot be written."""
    segments = dotpath.parse(path)
    canonical = dotpath.format_path(segments)
    effective = snapshot.effective()
    try:
        value = dotpath.get(effective, segments)
    except KeyError:
        raise ConfigPathError(f"Config path not found: {path}") from None
    secrets = [p for p in redaction.secret_paths(effective, known=snapshot.environment_secrets) if _under(p, canonical)]
    audit.record_reveal(snapshot.state_dir, path=canonical, secrets=secrets, actor=actor, via=via)
    return Revealed(canonical, value, snapshot.source_of(canonical), secrets)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")
