"""`${VAR}` substitution in config strings, done at load time on a copy of the tree.

Only `[A-Z_][A-Z0-9_]*` names are references; `$${VAR}` is a literal `${VAR}`. The tree on disk is
never rewritten with resolved values, so a secret read from the environment is never written back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from openclaw.config.dotpath import Segment, format_path

_REF = re.compile(r"\$(\$?)\{([A-Z_][A-Z0-9_]*)\}")


class MissingVariable(Exception):
    def __init__(self, name: str, path: str) -> None:
        super().__init__(name, path)
        self.name = name
        self.path = path


def substitute(tree: Any, env: Mapping[str, str], _path: tuple[Segment, ...] = ()) -> Any:
    """A copy of `tree` with every `${VAR}` replaced; raises MissingVariable for an unset/empty one."""
    if isinstance(tree, dict):
        return {k: substitute(v, env, (*_path, k)) for k, v in tree.items()}
    if isinstance(tree, list):
        return [substitute(v, env, (*_path, i)) for i, v in enumerate(tree)]
    if isinstance(tree, str) and "${" in tree:

        def repl(m: re.Match[str]) -> str:
            if m.group(1):
                return "${" + m.group(2) + "}"
            value = env.get(m.group(2))
            if not value:
                raise MissingVariable(m.group(2), format_path(list(_path)))
            return value

        return _REF.sub(repl, tree)
    return tree


def references(tree: Any) -> set[str]:
    """Every variable name referenced anywhere in the tree."""
    found: set[str] = set()
    if isinstance(tree, dict):
        for v in tree.values():
            found |= references(v)
    elif isinstance(tree, list):
        for v in tree:
            found |= references(v)
    elif isinstance(tree, str):
        found |= {m.group(2) for m in _REF.finditer(tree) if not m.group(1)}
    return found
