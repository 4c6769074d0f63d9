"""The policy layer is the only door: Approvals cannot be forged or re-aimed, and the signatures say so
(the import rules are import-linter contracts: tests/unit/test_import_contracts.py)."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from openclaw.media.clients import kinds
from openclaw.media.executors import commands, downloads, library, queue, requests
from openclaw.ops.client import KubeClient
from openclaw.ops.executors import jobs, nodes, pods, volumes, workloads
from openclaw.policy.grant import Approval
from openclaw.policy.mint import mint


def test_an_approval_cannot_be_built_outside_policy() -> None:
    with pytest.raises(PermissionError, match="policy.submit"):
        Approval("act_x", "pod.delete", "Pod/media/web-1", False)


def test_an_approval_cannot_be_re_aimed_with_replace() -> None:
    approval = mint("act_1", "node.cordon", "Node/homelab-w1", dry_run=True)
    with pytest.raises(PermissionError, match="policy.submit"):
        dataclasses.replace(approval, kind="node.drain", target="Node/homelab-w2", dry_run=False)
    with pytest.raises(ValueError, match="_seal"):  # the seal is no init field: it cannot be passed either
        dataclasses.replace(approval, _seal=object())  # type: ignore[call-arg]


def test_mint_builds_an_approval_for_one_kind_on_its_target_and_planned_objects() -> None:
    a = mint("act_1", "jobs.cleanup", "Namespace/media", dry_run=True, planned=("Job/media/backup-1",))
    assert a.permits("jobs.cleanup", "Namespace/media") and a.permits("jobs.cleanup", "Job/media/backup-1")
    assert not a.permits("jobs.cleanup", "Job/media/backup-2")
    assert not a.permits("pod.delete", "Namespace/media")


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
    [pods.delete_pod, workloads.restart_workload, workloads.scale_workload, jobs.cleanup_jobs, nodes.cordon, nodes.uncordon, nodes.drain, nodes.label_node, nodes.taint_node, volumes.detach_stale],
)
def test_every_executor_demands_an_approval(fn: object) -> None:
    params = inspect.signature(fn).parameters  # type: ignore[arg-type]  # every entry is a function
    assert params["approval"].annotation in ("Approval", Approval)
    assert params["approval"].default is inspect.Parameter.empty


def test_every_action_kind_has_a_spec_a_config_name_and_defaults() -> None:
    """A kind added to ActionKind is reachable only through policy, configurable, and limited by default."""
    from typing import get_args

    from openclaw.config.schema import ACTION_DEFAULTS, ActionKindName
    from openclaw.policy.actions import SPECS
    from openclaw.policy.models import ActionKind

    names = {str(k) for k in ActionKind}
    assert set(SPECS) == set(ActionKind)
    assert set(get_args(ActionKindName)) == names
    assert set(ACTION_DEFAULTS) == names


# Every public coroutine of a media client is a read, or a write that demands an Approval.
MEDIA_READS = {"read", "get_json", "system_status", "health", "queue", "history_since", "wanted_missing", "command_status", "series", "movies",
               "indexers", "indexer_status", "version", "webapi_version", "torrents", "status", "requests", "request", "system_info",
               "library", "ensure_session", "aclose", "artists", "albums", "history", "jobs", "identity", "sections", "section_items", "find",
               "section_for"}


@pytest.mark.parametrize("cls", sorted(kinds().values(), key=lambda c: c.kind), ids=lambda c: c.kind)
def test_every_mutating_media_client_method_demands_an_approval(cls: type) -> None:
    writes = 0
    for name, fn in inspect.getmembers(cls, inspect.iscoroutinefunction):
        if name.startswith("_") or name in MEDIA_READS:
            continue
        params = inspect.signature(fn).parameters
        assert "approval" in params, f"{cls.__name__}.{name}: a new public method must be classed as a read or demand an approval"
        assert params["approval"].annotation in ("Approval", Approval) and params["approval"].kind is inspect.Parameter.KEYWORD_ONLY
        writes += 1
    assert writes >= 1 or cls.kind == "prowlarr"  # Prowlarr is only read


@pytest.mark.parametrize(
    "fn", [downloads.reannounce, downloads.recheck, downloads.retry, queue.remove, commands.search, commands.scan, commands.refresh, library.refresh,
           requests.approve, requests.decline, requests.retry, requests.scan],
)
def test_every_media_executor_demands_an_approval(fn: object) -> None:
    params = inspect.signature(fn).parameters  # type: ignore[arg-type]  # every entry is a function
    assert params["approval"].annotation in ("Approval", Approval)
    assert params["approval"].default is inspect.Parameter.empty
