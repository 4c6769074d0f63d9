"""KubeNodeNotReady: cordon within policy and report; uncordon what openclaw cordoned once the node is back."""

from __future__ import annotations

from openclaw.ops import reads
from openclaw.ops.refs import ObjectRef
from openclaw.policy.models import ActionKind
from openclaw.runbooks.models import Report, Status
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
        return Report(ctx.runbook, Status.REPORTED, f"node {node.name} is Ready again; nothing to do", None, evidence)
    if node.unschedulable:
        return Report(ctx.runbook, Status.REPORTED, f"node {node.name} is NotReady and already cordoned", None, evidence)
    why = f"node {node.name} NotReady ({', '.join(f'{k}={v}' for k, v in node.conditions.items())}); cordoned so nothing new lands on it"
    decision = await ctx.submit(ActionKind.NODE_CORDON, ref, why)
    report = from_decision(ctx, decision, done=f"cordoned NotReady node {node.name}; pods on it are handled by KubePodNotReady", diagnosis=why, evidence=evidence)
    # A cordon is a holding measure, not a fix: the node itself still needs a person.
    if report.status is Status.FIXED:
        report.status = Status.REPORTED
    return report


async def node_recovered(ctx: RunContext) -> Report | None:
    """On the alert's resolution: uncordon the node if openclaw cordoned it and it is Ready."""
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
