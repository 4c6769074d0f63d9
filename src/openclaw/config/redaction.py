"""The config as every output shows it: each secret replaced by `REDACTED`.

A value is a secret when the schema types it `Secret` (every value under `env`, every token and
API key field), when it sits under a key whose name says so and the schema does not say otherwise
(`config/secrecy.py`), when it is inside a secret list or map, or when it quotes a secret the
environment holds (`${LLM_API_KEY}` inside a URL). The rules are read from the
schema while walking a tree beside it, so a field typed `Secret` needs no list kept anywhere else.
Only non-empty strings are hidden: an unset secret shows as unset, and `maxTokens: 4096` is a count.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from openclaw.config import dotpath
from openclaw.config.schema import Settings
from openclaw.config.secrecy import Secrecy, name_says_secret

REDACTED = "__OPENCLAW_REDACTED__"

Leaf = Callable[[Any, bool], Any]
# Shorter known secrets are not searched for inside other text: `FOO_KEY=1` would hide every "1".
MIN_QUOTED_LENGTH = 6


def redact(tree: Mapping[str, Any], schema: type[BaseModel] = Settings, *, known: tuple[str, ...] = ()) -> dict[str, Any]:
    """A copy of a config tree (camelCase JSON form) with every secret replaced by `REDACTED`, and
    every other string that quotes one of the `known` secrets (a `${OPENAI_API_KEY}` inside a URL)."""
    quoted = tuple(k for k in known if len(k) >= MIN_QUOTED_LENGTH)

    def hide(value: Any, secret: bool) -> Any:
        if _hideable(value) and (secret or any(k in value for k in quoted)):
            return REDACTED
        return value

    return dict(_walk(dict(tree), schema, False, hide))


def environment_secrets(env: Mapping[str, str]) -> tuple[str, ...]:
    """The values of the environment variables whose names say secret (`ANTHROPIC_API_KEY`): a
    `${VAR}` may carry one into any config string, and the agent reads provider keys from here."""
    return tuple(value for name, value in env.items() if value and name_says_secret(name))


def secret_values(tree: Mapping[str, Any], schema: type[BaseModel] = Settings) -> tuple[str, ...]:
    """Every secret string in a config tree, for the log filter to mask wherever it shows up."""
    found: list[str] = []

    def collect(value: Any, secret: bool) -> Any:
        if secret and _hideable(value):
            found.append(value)
        return value

    _walk(dict(tree), schema, False, collect)
    return tuple(dict.fromkeys(found))


def secret_paths(tree: Mapping[str, Any], schema: type[BaseModel] = Settings, *, known: tuple[str, ...] = ()) -> list[str]:
    """The dotted paths of the secrets in a tree (what a reveal shows, for its audit record)."""
    found: list[str] = []

    def visit(node: Any, path: list[dotpath.Segment]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                visit(value, [*path, key])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, [*path, index])
        elif node == REDACTED:
            found.append(dotpath.format_path(path))

    visit(redact(tree, schema, known=known), [])
    return found


def is_secret_path(segments: list[dotpath.Segment] | tuple[Any, ...], schema: type[BaseModel] = Settings) -> bool:
    """True when a value at this path (or under it) would be hidden: for error messages that would
    otherwise quote it. A path a validator decorated (`...token.str`) is judged by its prefixes."""
    keys: list[dotpath.Segment] = [0 if isinstance(s, int) else str(s) for s in segments]
    for n in range(len(keys), 0, -1):
        probe: dict[str, Any] = {}
        try:
            dotpath.set_in(probe, keys[:n], "probe")
        except Exception:  # noqa: BLE001  # a path the tree shape cannot hold is judged by a shorter prefix
            continue
        if dotpath.get(redact(probe, schema), keys[:n]) == REDACTED:
            return True
    return False


def _hideable(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _walk(value: Any, annotation: Any, secret: bool, leaf: Leaf) -> Any:
    """Rebuild `value`, calling `leaf(scalar, is_secret)` for every scalar, with `annotation` the
    schema's type for it (None where the schema says nothing)."""
    if isinstance(value, dict):
        model = _model(annotation)
        out: dict[str, Any] = {}
        for key, child in value.items():
            child_type, secrecy = _field(model, key) if model is not None else _item(annotation)
            if secrecy is None:
                # A name decides only what the schema leaves open: not a model (described field by
                # field) and not a number (`maxTokens` is a count).
                secrecy = name_says_secret(str(key)) and _may_hold_text(child_type)
            out[key] = _walk(child, child_type, secret or secrecy, leaf)
        return out
    if isinstance(value, list):
        item_type, secrecy = _item(annotation)
        return [_walk(child, item_type, secret or bool(secrecy), leaf) for child in value]
    # A scalar where a map or list of secrets belongs (`env` set to a string) is taken as a secret too.
    return leaf(value, secret or _item(annotation)[1] is True)


def _unwrap(annotation: Any) -> tuple[Any, bool | None]:
    """`annotation` without Annotated and Optional around it, and the secrecy they carried."""
    secrecy: bool | None = None
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            args = get_args(annotation)
            for extra in args[1:]:
                if isinstance(extra, Secrecy) and secrecy is None:
                    secrecy = extra.secret
            annotation = args[0]
        elif origin is Union or origin is types.UnionType:
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation, secrecy
            annotation = members[0]
        else:
            return annotation, secrecy


def _model(annotation: Any) -> type[BaseModel] | None:
    bare, _ = _unwrap(annotation)
    return bare if isinstance(bare, type) and issubclass(bare, BaseModel) else None


def _may_hold_text(annotation: Any) -> bool:
    """False for a schema type that can never be a string: a model, a number, a bool, a Literal."""
    if annotation is None or annotation is Any:
        return True
    bare, _ = _unwrap(annotation)
    origin = get_origin(bare)
    if origin is Union or origin is types.UnionType:
        return any(_may_hold_text(member) for member in get_args(bare))
    if origin is Literal or (isinstance(bare, type) and issubclass(bare, (BaseModel, int, float))):
        return False
    return True


def _field(model: type[BaseModel], key: str) -> tuple[Any, bool | None]:
    """The schema's type and secrecy for key `key` of `model` (by JSON alias or field name)."""
    for name, info in model.model_fields.items():
        if key in (info.alias, name):
            return _field_type(info)
    return None, None  # an extra key of an open section: only its name can say


def _field_type(info: FieldInfo) -> tuple[Any, bool | None]:
    for extra in info.metadata:
        if isinstance(extra, Secrecy):
            return info.annotation, extra.secret
    return info.annotation, _unwrap(info.annotation)[1]


def _item(annotation: Any) -> tuple[Any, bool | None]:
    """The schema's type and secrecy of the entries of a list or map (None, None when untyped)."""
    bare, _ = _unwrap(annotation)
    origin = get_origin(bare)
    args = get_args(bare)
    if origin in (list, tuple, set, frozenset) and args:
        item = args[0]
    elif origin is dict and len(args) == 2:
        item = args[1]
    else:
        return None, None
    return item, _unwrap(item)[1]
