"""KubeNodeNotReady: cordon within policy, report, and keep the incident open until the node is Ready.

The cordon silences KubeNodeNotReady (its rule requires `kube_node_spec_unschedulable == 0`), so the
alert resolves while the node is still down: the cordon is the operator's signal, not the fix. The
incident is held open and the node watched; once it is Ready again openclaw's cordon is lifted and
the incident resolves. Pods on the node are handled by KubePodNotReady, one placement check each.
"""

from __future__ import annotations

from openclaw.ops import reads
from openclaw.ops.refs import ObjectRef, meta
from openclaw.policy.models import ActionKind
from openclaw.runbooks.models import Hold, Report, Status
from openclaw.runbooks.placement import requests_of
from openclaw.runbooks.registry import RunContext
from openclaw.runbooks.steps import from_decision, missing_labels


async def node_not_ready(ctx: RunContext) -> Report:
    bad = missing_labels(ctx, "node")
    if bad:
        return bad
    ref = ObjectRef("Node", str(ctx.alert.label("node")))
    obj = await ctx.client.find(ref)
    if obj is None:
        return Report(ctx.runbook, Status.REPORTED, f"node {ref.name} no longer exists")
    node = reads.node_summary(obj)
    evidence = {"node": node.name, "conditions": node.conditions, "taints": list(node.taints)}
    if node.ready:
        return Report(ctx.runbook, Status.REPORTED, f"node {node.name} is Ready again; nothing to do", None, evidence, cause=ref.key)
    hold = Hold(f"node {node.name} is NotReady; the incident stays open until it is Ready again", lambda: node_ready(ctx, ref),
                lambda: node_recovered(RunContext(ctx.alert, ctx.client, ctx.policy, f"{ctx.runbook}:recovered", ctx.memory)))
    if node.unschedulable:
        return Report(ctx.runbook, Status.REPORTED, f"node {node.name} is NotReady and already cordoned; watching it until it is Ready",
                      None, evidence, cause=ref.key, hold=hold)
    why = f"node {node.name} NotReady ({', '.join(f'{k}={v}' for k, v in node.conditions.items())}); cordoned so nothing new lands on it"
    decision = await ctx.submit(ActionKind.NODE_CORDON, ref, why)
    report = from_decision(ctx, decision, done=f"cordoned NotReady node {node.name}; pods on it are handled by KubePodNotReady; "
                           "the node itself needs a person, and the incident stays open until it is Ready", diagnosis=why, evidence=evidence)
    # A cordon is a holding measure, not a fix: the node itself still needs a person.
    if report.status is Status.FIXED:
        report.status = Status.REPORTED
    report.hold = hold
    return report


async def node_ready(ctx: RunContext, ref: ObjectRef) -> bool:
    obj = await ctx.client.find(ref)
    return obj is None or reads.node_summary(obj).ready


async def node_recovered(ctx: RunContext) -> Report | None:
    """Once the node is Ready: uncordon it if openclaw cordoned it."""
    name = ctx.alert.label("node")
    if not name:
        return None
    obj = await ctx.client.find(ObjectRef("Node", name))
    if obj is None:
        return None
    node = reads.node_summary(obj)
    if not (node.ready and node.unschedulable and node.cordoned_by_agent):
        return None
    decision = await ctx.submit(ActionKind.NODE_UNCORDON, ObjectRef("Node", name), f"node {name} Ready again; lifting openclaw's cordon")
    return from_decision(ctx, decision, done=f"uncordoned {name}", diagnosis=None, evidence={"node": name})


async def node_pressure(ctx: RunContext) -> Report:
    """KubeNodePressure: the kubelet is short of memory, disk or PIDs and will evict; the pods with
    the largest requests there go to the operator. Nothing is moved: eviction already does that."""
    bad = missing_labels(ctx, "node")
    if bad:
        return bad
    ref = ObjectRef("Node", str(ctx.alert.label("node")))
    obj = await ctx.client.find(ref)
    if obj is None:
        return Report(ctx.runbook, Status.REPORTED, f"node {ref.name} no longer exists")
    node = reads.node_summary(obj)
    on_node = [p for p in await ctx.client.list("Pod", fields={"spec.nodeName": node.name})]
    heavy = sorted(on_node, key=lambda p: requests_of(p)["memory"], reverse=True)[:5]
    condition = ctx.alert.label("condition") or "pressure"
    evidence = {"node": node.name, "conditions": node.conditions, "taints": list(node.taints),
                "largestRequests": [f"{meta(p).get('namespace')}/{meta(p).get('name')}: {requests_of(p)}" for p in heavy]}
    return Report(ctx.runbook, Status.ESCALATED, f"node {node.name} has {condition}; the kubelet will evict pods until it is relieved: "
                  "free space or memory on the node", f"{condition} on {node.name}", evidence, cause=ref.key)
