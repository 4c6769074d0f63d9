"""What each action kind needs: the facts its rules read, the executor it runs, the state it verifies.

This module and `engine.py` are the only importers of `openclaw.ops.executors`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from openclaw.config.schema import OpsSettings
from openclaw.ops import reads, verify
from openclaw.ops.client import KubeClient
from openclaw.ops.executors import jobs, nodes, pods, workloads
from openclaw.ops.executors.result import ExecResult
from openclaw.ops.refs import WORKLOAD_KINDS, ObjectRef
from openclaw.policy import gitops
from openclaw.policy.grant import Approval
from openclaw.policy.models import ActionKind, ActionRequest
from openclaw.policy.rules import ClusterFacts


class ParamsError(ValueError):
    """An action's params or target do not fit its kind; the message names the field."""


@dataclass(frozen=True, slots=True)
class ActionSpec:
    facts: Callable[[KubeClient, ActionRequest, OpsSettings], Awaitable[ClusterFacts]]
    execute: Callable[[KubeClient, ActionRequest, Approval, OpsSettings], Awaitable[ExecResult]]
    verify: Callable[[KubeClient, ActionRequest, ExecResult], verify.Check | None]


def validate(request: ActionRequest) -> None:
    """Check target kind and params before anything is read or written. Raises `ParamsError`."""
    kind, target, params = request.kind, request.target, request.params
    if kind is ActionKind.POD_DELETE and target.kind != "Pod":
        raise ParamsError(f"target: pod.delete needs a Pod, got {target.kind}")
    if kind in (ActionKind.WORKLOAD_RESTART, ActionKind.WORKLOAD_SCALE) and target.kind not in WORKLOAD_KINDS:
        raise ParamsError(f"target: {kind} needs one of {', '.join(WORKLOAD_KINDS)}, got {target.kind}")
    if kind is ActionKind.WORKLOAD_SCALE:
        replicas = params.get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise ParamsError(f"params.replicas: expected an integer >= 0, got {replicas!r}")
    if kind is ActionKind.JOBS_CLEANUP:
        if target.kind not in ("Job", "CronJob", "Namespace"):
            raise ParamsError(f"target: jobs.cleanup needs a Job, CronJob or Namespace, got {target.kind}")
        if params.get("state", "failed") not in ("failed", "finished"):
            raise ParamsError(f"params.state: expected 'failed' or 'finished', got {params.get('state')!r}")
        age = params.get("minAgeSeconds", 0)
        if not isinstance(age, int | float) or age < 0:
            raise ParamsError(f"params.minAgeSeconds: expected a number >= 0, got {age!r}")
    if kind is ActionKind.NODE_LABEL:
        labels = params.get("labels")
        if not isinstance(labels, dict) or not labels or not all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in labels.items()):
            raise ParamsError("params.labels: expected a non-empty object of label -> string (null removes)")
    if kind is ActionKind.NODE_TAINT:
        add, remove = params.get("add", []), params.get("remove", [])
        if not isinstance(add, list) or not isinstance(remove, list) or not (add or remove):
            raise ParamsError("params.add / params.remove: expected lists of taints {key, value?, effect} / keys, at least one entry")


# ---- facts -------------------------------------------------------------------------------------


async def _no_facts(client: KubeClient, request: ActionRequest, ops: OpsSettings) -> ClusterFacts:
    return ClusterFacts()


async def _one_pod(client: KubeClient, request: ActionRequest, ops: OpsSettings) -> ClusterFacts:
    return ClusterFacts(affected_pods=1)


async def _scale_facts(client: KubeClient, request: ActionRequest, ops: OpsSettings) -> ClusterFacts:
    obj = await client.get(request.target)
    status = reads.workload_status(request.target, obj)
    return ClusterFacts(affected_pods=max(0, status.desired - int(request.params["replicas"])), gitops_tracked_by=gitops.tracked_by(obj))


async def _jobs_facts(client: KubeClient, request: ActionRequest, ops: OpsSettings) -> ClusterFacts:
    selected = await jobs.select_jobs(client, request.target, state=request.params.get("state", "failed"), min_age_s=request.params.get("minAgeSeconds", 0))
    count = 0
    for job in selected:
        count += len(await reads.job_pods(client, job))
    return ClusterFacts(affected_pods=count)


async def _node_facts(client: KubeClient, request: ActionRequest, ops: OpsSettings) -> ClusterFacts:
    all_nodes = await reads.list_nodes(client)
    affected = 0
    if request.kind is ActionKind.NODE_DRAIN:
        evict, _kept = await nodes.drain_plan(client, request.target.name, ops.policy.protected_namespaces)
        affected = len(evict)
    return ClusterFacts(
        schedulable_nodes=tuple(n.name for n in all_nodes if n.schedulable),
        agent_cordoned_nodes=tuple(n.name for n in all_nodes if n.cordoned_by_agent and n.unschedulable),
        affected_pods=affected,
    )


# ---- execution ---------------------------------------------------------------------------------


async def _delete_pod(client: KubeClient, request: ActionRequest, approval: Approval, ops: OpsSettings) -> ExecResult:
    summary = reads.pod_summary(await client.get(request.target))
    workload = await reads.owning_workload(client, summary)
    result = await pods.delete_pod(client, request.target, approval=approval)
    return ExecResult(result.summary, {**result.details, "workload": workload.key if workload else None}, result.changed)


async def _restart(client: KubeClient, request: ActionRequest, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await workloads.restart_workload(client, request.target, approval=approval)


async def _scale(client: KubeClient, request: ActionRequest, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await workloads.scale_workload(client, request.target, int(request.params["replicas"]), approval=approval)


async def _cleanup(client: KubeClient, request: ActionRequest, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await jobs.cleanup_jobs(
        client, request.target, approval=approval, state=request.params.get("state", "failed"), min_age_s=float(request.params.get("minAgeSeconds", 0))
    )


async def _cordon(client: KubeClient, request: ActionRequest, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await nodes.cordon(client, request.target, approval=approval)


async def _uncordon(client: KubeClient, request: ActionRequest, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await nodes.uncordon(client, request.target, approval=approval)


async def _drain(client: KubeClient, request: ActionRequest, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await nodes.drain(client, request.target, approval=approval, protected=ops.policy.protected_namespaces, pdb_wait_s=min(30.0, ops.verify_timeout))


async def _label(client: KubeClient, request: ActionRequest, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await nodes.label_node(client, request.target, dict(request.params["labels"]), approval=approval)


async def _taint(client: KubeClient, request: ActionRequest, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await nodes.taint_node(client, request.target, add=list(request.params.get("add", [])), remove=list(request.params.get("remove", [])), approval=approval)


# ---- verification ------------------------------------------------------------------------------


def _verify_pod(client: KubeClient, request: ActionRequest, result: ExecResult) -> verify.Check:
    workload = result.details.get("workload")
    return verify.pod_replaced(client, request.target, result.details.get("uid"), ObjectRef.parse(workload) if workload else None)


def _verify_workload(client: KubeClient, request: ActionRequest, result: ExecResult) -> verify.Check:
    gen = result.details.get("generation")
    return verify.workload_ready(client, request.target, after_generation=int(gen) if isinstance(gen, int) else None)


def _verify_jobs(client: KubeClient, request: ActionRequest, result: ExecResult) -> verify.Check:
    return verify.objects_gone(client, [ObjectRef.parse(k) for k in result.changed])


def _verify_drain(client: KubeClient, request: ActionRequest, result: ExecResult) -> verify.Check:
    cordoned = verify.node_cordoned(client, request.target, cordoned=True)
    protected = tuple(result.details.get("protected", ()))

    async def check() -> str | None:
        problem = await cordoned()
        if problem:
            return problem
        left, _kept = await nodes.drain_plan(client, request.target.name, protected)
        return f"{len(left)} pod(s) still on {request.target.name}: {', '.join(p.key for p in left[:5])}" if left else None

    return check


def _verify_taint(client: KubeClient, request: ActionRequest, result: ExecResult) -> verify.Check:
    present = [str(t["key"]) for t in request.params.get("add", [])]
    return verify.node_taints(client, request.target, present=present, absent=list(request.params.get("remove", [])))


SPECS: dict[ActionKind, ActionSpec] = {
    ActionKind.POD_DELETE: ActionSpec(_one_pod, _delete_pod, _verify_pod),
    ActionKind.WORKLOAD_RESTART: ActionSpec(_no_facts, _restart, _verify_workload),
    ActionKind.WORKLOAD_SCALE: ActionSpec(_scale_facts, _scale, _verify_workload),
    ActionKind.JOBS_CLEANUP: ActionSpec(_jobs_facts, _cleanup, _verify_jobs),
    ActionKind.NODE_CORDON: ActionSpec(_node_facts, _cordon, lambda c, r, res: verify.node_cordoned(c, r.target, cordoned=True)),
    ActionKind.NODE_UNCORDON: ActionSpec(_no_facts, _uncordon, lambda c, r, res: verify.node_cordoned(c, r.target, cordoned=False)),
    ActionKind.NODE_DRAIN: ActionSpec(_node_facts, _drain, _verify_drain),
    ActionKind.NODE_LABEL: ActionSpec(_no_facts, _label, lambda c, r, res: verify.node_labels(c, r.target, dict(r.params["labels"]))),
    ActionKind.NODE_TAINT: ActionSpec(_no_facts, _taint, _verify_taint),
}


def spec_for(kind: ActionKind) -> ActionSpec:
    return SPECS[kind]


def describe_result(result: ExecResult) -> dict[str, Any]:
    return {"summary": result.summary, "changed": list(result.changed), "details": result.details}
