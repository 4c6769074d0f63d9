"""The policy layer is the only door: Approvals cannot be forged, and the imports and signatures say so."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import openclaw
from openclaw.ops.client import KubeClient
from openclaw.ops.executors import jobs, nodes, pods, workloads
from openclaw.policy.grant import Approval, mint

SRC = Path(openclaw.__file__).parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _modules() -> list[tuple[str, set[str]]]:
    return [(str(p.relative_to(SRC)), _imports(p)) for p in SRC.rglob("*.py")]


def test_an_approval_cannot_be_built_outside_policy() -> None:
    with pytest.raises(PermissionError, match="policy.submit"):
        Approval("act_x", "pod.delete", "Pod/media/web-1", False, object())


def test_mint_builds_an_approval_for_one_action() -> None:
    a = mint("act_1", "pod.delete", "Pod/media/web-1", dry_run=True)
    assert a.covers("pod.delete", "Pod/media/web-1") and not a.covers("pod.delete", "Pod/media/web-2")


def test_only_the_ops_client_imports_the_kubernetes_library() -> None:
    offenders = [m for m, imps in _modules() if any(i == "lightkube" or i.startswith("lightkube.") for i in imps) and m != "ops/client.py"]
    assert offenders == []


def test_only_policy_imports_the_executors() -> None:
    offenders = [
        m for m, imps in _modules()
        if any(i.startswith("openclaw.ops.executors") for i in imps) and not (m.startswith("policy/") or m.startswith("ops/executors/"))
    ]
    assert offenders == []


def test_only_the_engine_mints_approvals() -> None:
    offenders = [m for m, imps in _modules() if "openclaw.policy.grant.mint" in imps and m != "policy/engine.py"]
    assert offenders == []


def test_every_mutating_client_method_demands_an_approval() -> None:
    writes = ["patch", "delete", "evict"]
    for name in writes:
        params = inspect.signature(getattr(KubeClient, name)).parameters
        assert params["approval"].annotation in ("Approval", Approval), name
        assert params["approval"].kind is inspect.Parameter.KEYWORD_ONLY
    reads = {"get", "find", "list", "logs", "connect", "aclose"}
    public = {n for n, _ in inspect.getmembers(KubeClient, inspect.isfunction) if not n.startswith("_")} | {"connect"}
    assert public == reads | set(writes), "a new public client method must be classed as a read or a write"


@pytest.mark.parametrize(
    "fn",
    [pods.delete_pod, workloads.restart_workload, workloads.scale_workload, jobs.cleanup_jobs, nodes.cordon, nodes.uncordon, nodes.drain, nodes.label_node, nodes.taint_node],
)
def test_every_executor_demands_an_approval(fn: object) -> None:
    params = inspect.signature(fn).parameters  # type: ignore[arg-type]  # every entry is a function
    assert params["approval"].annotation in ("Approval", Approval)
    assert params["approval"].default is inspect.Parameter.empty
