"""`KubeReader`: the read half of the Kubernetes client, which is all runbooks and the agent are given.

`KubeClient` satisfies it; its write methods (`patch`, `delete`, `evict`) are not part of it, so a
runbook or agent tool that tries one is a type error (mypy --strict runs in the suite), on top of
the `Approval` every write demands at run time. Reads (`ops/reads.py`) and checks (`ops/verify.py`)
take a reader too.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Protocol

from openclaw.ops.refs import Kind, Obj, ObjectRef


class KubeReader(Protocol):
    async def get(self, ref: ObjectRef) -> Obj: ...

    async def find(self, ref: ObjectRef) -> Obj | None: ...

    async def list(
        self, kind: Kind, namespace: str | None = None, *, labels: Mapping[str, str] | None = None, fields: Mapping[str, str] | None = None
    ) -> builtins.list[Obj]: ...

    async def logs(self, pod: str, namespace: str, *, container: str | None = None, previous: bool = False, tail_lines: int | None = 200) -> str: ...
