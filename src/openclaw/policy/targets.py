"""What an action is aimed at, for every backend: a stable `key` (rate limits, in-flight checks, the
audit log, approvals) and a `scope` (the area it lives in: a namespace for Kubernetes, an app
instance for media). `ops.refs.ObjectRef` implements it; a media item ref follows the same shape."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Target(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def scope(self) -> str | None: ...
