"""What each action kind needs: the backend it acts through, its target type, its typed params, the
facts its rules read, the executor it runs, the state it verifies.

This module, `media_actions.py` and `engine.py` are the only importers of the executors. A backend
adds its client to `Backends` (`spec.py`) and its kinds to `SPECS` (media: `media_actions.py`);
the engine itself does not change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from openclaw.config.schema import OpsSettings
from openclaw.ops import attachments, reads, verify
from openclaw.ops.client import KubeClient
from openclaw.ops.executors import jobs, nodes, pods, volumes, workloads
from openclaw.ops.executors.result import ExecResult
from openclaw.ops.refs import WORKLOAD_KINDS, ObjectRef
from openclaw.policy import gitops
from openclaw.policy.grant import Approval
from openclaw.policy.models import ActionKind, ActionRequest
from openclaw.policy.media_actions import MEDIA_SPECS
from openclaw.policy.params import JobsCleanupParams, NodeLabelParams, NodeTaintParams, NoParams, Params, ScaleParams
from openclaw.policy.rules import AttachmentFacts, ClusterFacts
from openclaw.policy.spec import KUBE, NO_KUBE, ActionSpec, Backends, ParamsError

P = TypeVar("P", bound=Params)

__all__ = ["KUBE", "ActionSpec", "Backends", "ParamsError", "SPECS", "describe_result", "spec_for", "validate"]


def _kube(backends: Backends) -> KubeClient | None:
    return backends.kube


def validate(request: ActionRequest[Any]) -> None:
    """Check target and params before anything is read or written. Raises `ParamsError`."""
    spec = spec_for(request.kind)
    try:
        target = spec.parse_target(request.target.key)
    except ValueError as exc:
        raise ParamsError(f"target: {exc}") from None
    problem = spec.check_target(target)
    if problem:
        raise ParamsError(f"target: {problem}")
    spec.parse_params(request)


def _kinds(kind: str, *allowed: str) -> Callable[[ObjectRef], str | None]:
    def check(ref: ObjectRef) -> str | None:
        return None if ref.kind in allowed else f"{kind} needs {'a ' + allowed[0] if len(allowed) == 1 else 'one of ' + ', '.join(allowed)}, got {ref.kind}"

    return check


# ---- facts -------------------------------------------------------------------------------------


async def _no_facts(client: KubeClient, request: ActionRequest[ObjectRef], params: Params, ops: OpsSettings) -> ClusterFacts:
    return ClusterFacts()


async def _one_pod(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, ops: OpsSettings) -> ClusterFacts:
    return ClusterFacts(affected_pods=1)


async def _scale_facts(client: KubeClient, request: ActionRequest[ObjectRef], params: ScaleParams, ops: OpsSettings) -> ClusterFacts:
    obj = await client.get(request.target)
    status = reads.workload_status(request.target, obj)
    return ClusterFacts(affected_pods=max(0, status.desired - params.replicas), gitops_tracked_by=gitops.tracked_by(obj))


async def _gitops_facts(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, ops: OpsSettings) -> ClusterFacts:
    return ClusterFacts(gitops_tracked_by=gitops.tracked_by(await client.get(request.target)))


async def _jobs_facts(client: KubeClient, request: ActionRequest[ObjectRef], params: JobsCleanupParams, ops: OpsSettings) -> ClusterFacts:
    selected = await jobs.select_jobs(client, request.target, state=params.state, min_age_s=params.min_age_seconds)
    count = 0
    for job in selected:
        count += len(await reads.job_pods(client, job))
    return ClusterFacts(affected_pods=count, planned=tuple(j.ref.key for j in selected))


async def _node_facts(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, ops: OpsSettings) -> ClusterFacts:
    all_nodes = await reads.list_nodes(client)
    affected = 0
    planned: tuple[str, ...] = ()
    if request.kind is ActionKind.NODE_DRAIN:
        evict, _kept = await nodes.drain_plan(client, request.target.name, ops.policy.protected_namespaces)
        affected, planned = len(evict), tuple(p.key for p in evict)
    return ClusterFacts(
        schedulable_nodes=tuple(n.name for n in all_nodes if n.schedulable),
        agent_cordoned_nodes=tuple(n.name for n in all_nodes if n.cordoned_by_agent and n.unschedulable),
        affected_pods=affected,
        planned=planned,
    )


async def _detach_facts(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, ops: OpsSettings) -> ClusterFacts:
    found = await attachments.read(client, request.target)
    facts = AttachmentFacts(
        claim=request.target.key, volume=found.volume, read_write_once=found.read_write_once,
        stale=tuple(f"{a.ref.key} (node {a.node})" for a in found.stale), not_ready_s=found.not_ready_for_s(),
        multi_attach_pods=found.multi_attach_pods, live_mounts=tuple(m.pod for m in found.live_mounts),
    )
    return ClusterFacts(planned=tuple(a.ref.key for a in found.stale), attachment=facts)


# ---- execution ---------------------------------------------------------------------------------


async def _delete_pod(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    summary = reads.pod_summary(await client.get(request.target))
    workload = await reads.owning_workload(client, summary)
    result = await pods.delete_pod(client, request.target, approval=approval)
    return ExecResult(result.summary, {**result.details, "workload": workload.key if workload else None}, result.changed)


async def _restart(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await workloads.restart_workload(client, request.target, approval=approval)


async def _scale(client: KubeClient, request: ActionRequest[ObjectRef], params: ScaleParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await workloads.scale_workload(client, request.target, params.replicas, approval=approval)


async def _cleanup(client: KubeClient, request: ActionRequest[ObjectRef], params: JobsCleanupParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await jobs.cleanup_jobs(client, request.target, approval=approval, state=params.state, min_age_s=params.min_age_seconds)


async def _suspend(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await jobs.suspend_cronjob(client, request.target, approval=approval)


async def _cordon(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await nodes.cordon(client, request.target, approval=approval)


async def _uncordon(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await nodes.uncordon(client, request.target, approval=approval)


async def _drain(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await nodes.drain(client, request.target, approval=approval, protected=ops.policy.protected_namespaces, pdb_wait_s=min(30.0, ops.verify_timeout))


async def _label(client: KubeClient, request: ActionRequest[ObjectRef], params: NodeLabelParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await nodes.label_node(client, request.target, dict(params.labels), approval=approval)


async def _taint(client: KubeClient, request: ActionRequest[ObjectRef], params: NodeTaintParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    add = [t.model_dump(exclude_none=True) for t in params.add]
    return await nodes.taint_node(client, request.target, add=add, remove=list(params.remove), approval=approval)


async def _detach(client: KubeClient, request: ActionRequest[ObjectRef], params: NoParams, approval: Approval, ops: OpsSettings) -> ExecResult:
    return await volumes.detach_stale(client, request.target, approval=approval)


# ---- verification ------------------------------------------------------------------------------


def _verify_pod(client: KubeClient, request: ActionRequest[ObjectRef], params: Params, result: ExecResult) -> verify.Check:
    workload = result.details.get("workload")
    return verify.pod_replaced(client, request.target, result.details.get("uid"), ObjectRef.parse(workload) if workload else None)


def _verify_workload(client: KubeClient, request: ActionRequest[ObjectRef], params: Params, result: ExecResult) -> verify.Check:
    gen = result.details.get("generation")
    return verify.workload_ready(client, request.target, after_generation=int(gen) if isinstance(gen, int) else None)


def _verify_jobs(client: KubeClient, request: ActionRequest[ObjectRef], params: Params, result: ExecResult) -> verify.Check:
    return verify.objects_gone(client, [ObjectRef.parse(k) for k in result.changed])


def _verify_drain(client: KubeClient, request: ActionRequest[ObjectRef], params: Params, result: ExecResult) -> verify.Check:
    cordoned = verify.node_cordoned(client, request.target, cordoned=True)
    protected = tuple(result.details.get("protected", ()))

    async def check() -> str | None:
        problem = await cordoned()
        if problem:
            return problem
        left, _kept = await nodes.drain_plan(client, request.target.name, protected)
        return f"{len(left)} pod(s) still on {request.target.name}: {', '.join(p.key for p in left[:5])}" if left else None

    return check


def _verify_taint(client: KubeClient, request: ActionRequest[ObjectRef], params: NodeTaintParams, result: ExecResult) -> verify.Check:
    return verify.node_taints(client, request.target, present=[t.key for t in params.add], absent=list(params.remove))


def _verify_detach(client: KubeClient, request: ActionRequest[ObjectRef], params: Params, result: ExecResult) -> verify.Check:
    return verify.claim_in_use(client, request.target, [ObjectRef.parse(k) for k in result.changed])


def _kube_spec(
    check_target: Callable[[ObjectRef], str | None],
    params: type[P],
    facts: Callable[[KubeClient, ActionRequest[ObjectRef], P, OpsSettings], Awaitable[ClusterFacts]],
    execute: Callable[[KubeClient, ActionRequest[ObjectRef], P, Approval, OpsSettings], Awaitable[ExecResult]],
    check: Callable[[KubeClient, ActionRequest[ObjectRef], P, ExecResult], verify.Check | None],
) -> ActionSpec[KubeClient, ObjectRef, P]:
    return ActionSpec(KUBE, _kube, NO_KUBE, ObjectRef.parse, check_target, params, facts, execute, check)


_NODE = _kinds("node actions", "Node")
SPECS: dict[ActionKind, ActionSpec[Any, Any, Any]] = {
    ActionKind.POD_DELETE: _kube_spec(_kinds("pod.delete", "Pod"), NoParams, _one_pod, _delete_pod, _verify_pod),
    ActionKind.WORKLOAD_RESTART: _kube_spec(_kinds("workload.restart", *WORKLOAD_KINDS), NoParams, _no_facts, _restart, _verify_workload),
    ActionKind.WORKLOAD_SCALE: _kube_spec(_kinds("workload.scale", *WORKLOAD_KINDS), ScaleParams, _scale_facts, _scale, _verify_workload),
    ActionKind.JOBS_CLEANUP: _kube_spec(_kinds("jobs.cleanup", "Job", "CronJob", "Namespace"), JobsCleanupParams, _jobs_facts, _cleanup, _verify_jobs),
    ActionKind.CRONJOB_SUSPEND: _kube_spec(_kinds("cronjob.suspend", "CronJob"), NoParams, _gitops_facts, _suspend,
                                           lambda c, r, p, res: verify.cronjob_suspended(c, r.target)),
    ActionKind.NODE_CORDON: _kube_spec(_NODE, NoParams, _node_facts, _cordon, lambda c, r, p, res: verify.node_cordoned(c, r.target, cordoned=True)),
    ActionKind.NODE_UNCORDON: _kube_spec(_NODE, NoParams, _no_facts, _uncordon, lambda c, r, p, res: verify.node_cordoned(c, r.target, cordoned=False)),
    ActionKind.NODE_DRAIN: _kube_spec(_NODE, NoParams, _node_facts, _drain, _verify_drain),
    ActionKind.NODE_LABEL: _kube_spec(_NODE, NodeLabelParams, _no_facts, _label, lambda c, r, p, res: verify.node_labels(c, r.target, dict(p.labels))),
    ActionKind.NODE_TAINT: _kube_spec(_NODE, NodeTaintParams, _no_facts, _taint, _verify_taint),
    ActionKind.VOLUME_DETACH: _kube_spec(_kinds("volume.detach", "PersistentVolumeClaim"), NoParams, _detach_facts, _detach, _verify_detach),
    **MEDIA_SPECS,
}


def spec_for(kind: ActionKind) -> ActionSpec[Any, Any, Any]:
    return SPECS[kind]


def describe_result(result: ExecResult) -> dict[str, Any]:
    return {"summary": result.summary, "changed": list(result.changed), "details": result.details}
