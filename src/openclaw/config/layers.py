"""Effective config = defaults < seed file (read-only) < state file < environment overrides.

`load()` returns a `ConfigSnapshot` that keeps each raw layer, so `config get --source` can say
where a value came from and writes can go back to the state file without resolved secrets.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import json5
from pydantic import ValidationError

from openclaw.config import dotpath, paths, redaction, statedir
from openclaw.config.envsubst import MissingVariable, substitute
from openclaw.config.schema import Settings
from openclaw.errors import ConfigError

Source = Literal["env", "state", "seed", "default"]

BIND_ALIASES = {
    "0.0.0.0": "lan",
    "::": "lan",
    "*": "lan",
    "127.0.0.1": "loopback",
    "localhost": "loopback",
    "::1": "loopback",
}

# Environment variables that override one config path (highest layer below CLI flags).
ENV_OVERRIDES: dict[str, tuple[str, ...]] = {
    "OPENCLAW_GATEWAY_TOKEN": ("gateway", "auth", "token"),
    "OPENCLAW_GATEWAY_PORT": ("gateway", "port"),
}

@dataclass
class ConfigSnapshot:
    """One consistent read of every config layer."""

    state_dir: Path
    state_path: Path
    seed_path: Path | None
    seed_raw: dict[str, Any]
    state_raw: dict[str, Any]
    env_raw: dict[str, Any]
    merged_raw: dict[str, Any]
    resolved: dict[str, Any]
    settings: Settings
    warnings: list[str] = field(default_factory=list)
    # Values of the environment's secret-named variables (see `redaction.environment_secrets`).
    environment_secrets: tuple[str, ...] = ()

    def source_of(self, path: str) -> Source:
        segs = dotpath.parse(path)
        layers: tuple[tuple[Source, dict[str, Any]], ...] = (("env", self.env_raw), ("state", self.state_raw), ("seed", self.seed_raw))
        for name, tree in layers:
            if dotpath.has(tree, segs):
                return name
        return "default"

    def effective(self) -> dict[str, Any]:
        """The validated effective config (defaults filled in), in camelCase JSON form."""
        return self.settings.model_dump(mode="json", by_alias=True, exclude_none=False)

    def redacted(self) -> dict[str, Any]:
        """The effective config with every secret hidden: what every output shows."""
        return redaction.redact(self.effective(), known=self.environment_secrets)

    def secret_values(self) -> tuple[str, ...]:
        """The effective config's secrets and the environment's, for the log filter to mask
        wherever they show up."""
        return tuple(dict.fromkeys((*redaction.secret_values(self.effective()), *self.environment_secrets)))

    @property
    def hash(self) -> str:
        """Hash of the state file's raw tree: the base-hash guard of `config.set`/`config.patch`."""
        return raw_hash(self.state_raw)


def raw_hash(tree: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(tree, sort_keys=True).encode()).hexdigest()


def read_layer(path: Path) -> dict[str, Any]:
    """Parse one JSON5 file into a dict; a missing file is an empty layer."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {statedir.describe(exc, path)}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(f"config file {path} is not UTF-8: byte 0x{raw[exc.start]:02x} at line {line}, column {column} "
                          f"(offset {exc.start}); save the file as UTF-8 and fix that character (the file was not changed)") from None
    if not text.strip():
        return {}
    try:
        data = json5.loads(text)
    except RecursionError:
        raise ConfigError(f"config file {path} is nested too deeply to parse (at most {MAX_DEPTH} levels of objects and arrays); "
                          "fix the file (it was not changed)") from None
    except ValueError as exc:
        raise ConfigError(f"config file {path} is not valid JSON5: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: expected an object at the top level, got {type(data).__name__}")
    depth, where = nesting(data)
    if depth > MAX_DEPTH:
        raise ConfigError(f"config file {path} is nested more than {MAX_DEPTH} levels deep (at {where[:120]}): at most {MAX_DEPTH} "
                          "levels of objects and arrays; fix the file (it was not changed)")
    return data


# No setting is nested more than a few levels. json5's parser recurses about 16 frames per level
# and gives up near 60 levels; 32 keeps it, and the merging, substitution and validation after it
# (all recursive), well inside Python's recursion limit wherever the file is read from.
MAX_DEPTH = 32


def nesting(data: Any) -> tuple[int, str]:
    """The deepest nesting of objects and arrays in `data`, and the dotted path of the first
    place that deep (iterative: no recursion on a hostile file)."""
    deepest, where = 0, ""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if not isinstance(value, (dict, list)):
            continue
        if depth > deepest:
            deepest, where = depth, path or "$"
            if deepest > MAX_DEPTH:
                break
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            stack.append((child, depth + 1, f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))))
    return deepest, where


def deep_merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """Objects merge key by key; anything else (lists included) from `top` replaces `base`."""
    out = copy.deepcopy(dict(base))
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def env_layer(env: Mapping[str, str]) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for var, segs in ENV_OVERRIDES.items():
        if env.get(var):
            dotpath.set_in(layer, list(segs), env[var])
    return layer


def load(
    state_dir: Path | None = None,
    *,
    seed_path: Path | None | Literal["env"] = "env",
    env: Mapping[str, str] | None = None,
    state_override: dict[str, Any] | None = None,
) -> ConfigSnapshot:
    """Read, merge, substitute and validate every layer.

    `state_override` validates a candidate state tree instead of the file (used before a write).
    Raises ConfigError naming the file, the dotted path and what was expected.
    """
    env = os.environ if env is None else env
    sdir = state_dir or paths.state_dir()
    spath = paths.state_file(sdir)
    seed = paths.seed_file() if seed_path == "env" else seed_path
    seed_raw = read_layer(seed) if seed else {}
    state_raw = copy.deepcopy(state_override) if state_override is not None else read_layer(spath)
    env_raw = env_layer(env)
    merged = deep_merge(deep_merge(seed_raw, state_raw), env_raw)

    def file_for(path: str) -> str:
        segs = dotpath.parse(path) if path else []
        for name, tree, fpath in (("env", env_raw, None), ("state", state_raw, spath), ("seed", seed_raw, seed)):
            if segs and _has_prefix(tree, segs):
                return "environment" if name == "env" else str(fpath)
        return str(spath) if state_raw else (str(seed) if seed else str(spath))

    try:
        resolved = substitute(merged, env)
    except MissingVariable as exc:
        raise ConfigError(
            "config invalid",
            [f"{file_for(exc.path)}: {exc.path}: environment variable {exc.name} is not set (referenced as ${{{exc.name}}})"],
        ) from None

    warnings: list[str] = []
    bind = dotpath.get(resolved, ["gateway", "bind"]) if dotpath.has(resolved, ["gateway", "bind"]) else None
    if isinstance(bind, str) and bind.strip().lower() in BIND_ALIASES:
        mode = BIND_ALIASES[bind.strip().lower()]
        warnings.append(
            f"gateway.bind is stored as {bind!r} ({file_for('gateway.bind')}); treating it as {mode!r}. "
            f"Set it with `openclaw config set gateway.bind {mode}` to silence this."
        )
        resolved["gateway"]["bind"] = mode

    try:
        settings = Settings.model_validate(resolved)
    except ValidationError as exc:
        problems = [_describe(err, file_for) for err in exc.errors()]
        raise ConfigError("config invalid", problems) from None
    if settings.gateway.bind == "custom" and not settings.gateway.custom_bind_host:
        raise ConfigError(
            "config invalid",
            [f"{file_for('gateway.bind')}: gateway.customBindHost: expected a host address when gateway.bind is 'custom'"],
        )
    return ConfigSnapshot(
        state_dir=sdir,
        state_path=spath,
        seed_path=seed,
        seed_raw=seed_raw,
        state_raw=state_raw,
        env_raw=env_raw,
        merged_raw=merged,
        resolved=resolved,
        settings=settings,
        warnings=warnings,
        environment_secrets=redaction.environment_secrets(env),
    )


def _has_prefix(tree: dict[str, Any], segs: list[dotpath.Segment]) -> bool:
    """True when the tree holds the path or its longest existing prefix is a leaf set by this layer."""
    for n in range(len(segs), 0, -1):
        if dotpath.has(tree, segs[:n]):
            return True
    return False


def _describe(err: Any, file_for: Any) -> str:
    loc = [seg for seg in err["loc"]]
    path = dotpath.format_path([s if isinstance(s, int) else str(s) for s in loc])
    kind = err["type"]
    given = err.get("input")
    secret = redaction.is_secret_path(loc)
    shown = "<redacted>" if secret else repr(given)
    if kind == "extra_forbidden":
        what = "unknown key (check the spelling; see docs/configuration.md)"
    elif kind == "literal_error":
        what = f"expected {err['ctx']['expected']}, got {shown}"
    elif kind == "missing":
        what = "required key is missing"
    else:
        message = str(err["msg"]).lower()
        if secret and isinstance(given, str) and given:
            message = message.replace(given.lower(), "<redacted>")  # a validator may quote what it was given
        what = f"{message} (got {shown})"
    return f"{file_for(path)}: {path}: {what}"
