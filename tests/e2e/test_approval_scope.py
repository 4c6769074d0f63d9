"""An Approval permits one kind on its own target and on the objects planned for it, nothing else:
checked by the real client against the sandbox cluster before any request leaves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from openclaw.ops import reads
from openclaw.ops.client import KubeClient
from openclaw.ops.executors import nodes
from openclaw.ops.refs import ObjectRef
from openclaw.policy.mint import mint
from openclaw.sandbox import homelab
from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.simclock import SimClock

pytestmark = pytest.mark.e2e


@pytest.fixture
async def kube(tmp_path: Path) -> AsyncIterator[KubeClient]:
    cluster = SandboxCluster(clock=SimClock(speed=10.0), seed=homelab.seed, kubeconfig=tmp_path / "kubeconfig")
    await cluster.start()
    client = KubeClient.connect(cluster.kubeconfig_path)
    yield client
    await client.aclose()
    await cluster.stop()


async def schedulable(kube: KubeClient, name: str) -> bool:
    return next(n for n in await reads.list_nodes(kube) if n.name == name).schedulable


async def test_an_executor_given_an_approval_for_another_target_refuses(kube: KubeClient) -> None:
    w1, w2 = ObjectRef("Node", "homelab-w1"), ObjectRef("Node", "homelab-w2")
    approval = mint("act_1", "node.cordon", w1.key, dry_run=False)
    with pytest.raises(PermissionError, match=r"approval act_1 is for node.cordon on Node/homelab-w1, not node.cordon on Node/homelab-w2"):
        await nodes.cordon(kube, w2, approval=approval)
    assert await schedulable(kube, "homelab-w2")
    with pytest.raises(PermissionError, match="not node.uncordon"):  # the right target, another kind
        await nodes.uncordon(kube, w1, approval=approval)
    await nodes.cordon(kube, w1, approval=approval)
    assert not await schedulable(kube, "homelab-w1")


async def test_a_drain_evicts_only_the_pods_planned_when_it_was_decided(kube: KubeClient) -> None:
    node = ObjectRef("Node", "homelab-w2")
    found, _kept = await nodes.drain_plan(kube, node.name, ())
    assert len(found) >= 2
    planned, unplanned = found[:1], found[1:]
    approval = mint("act_2", "node.drain", node.key, dry_run=True, planned=tuple(p.key for p in planned))
    result = await nodes.drain(kube, node, approval=approval, protected=(), pdb_wait_s=0)
    assert result.details["evicted"] == [p.key for p in planned]
    assert result.details["leftNotInPlan"] == [p.key for p in unplanned]
