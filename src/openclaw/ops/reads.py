"""Read operations: compact, typed views of pods, workloads, nodes, jobs and events.

The summaries keep only what a runbook or a model needs to reason about health, so a `describe`
fits in a model's context (capped, with a visible marker when cut).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from openclaw.ops.reader import KubeReader
from openclaw.ops.refs import WORKLOAD_KINDS, Obj, ObjectRef, annotations_of, labels_of, meta, owner_of

CORDONED_BY_ANNOTATION = "openclaw.io/cordoned-by"
DESCRIBE_LIMIT = 4000


def parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class ContainerState:
    name: str
    ready: bool
    restarts: int
    waiting_reason: str | None
    waiting_message: str | None
    last_exit_code: int | None
    last_reason: str | None


@dataclass(frozen=True, slots=True)
class PodSummary:
    name: str
    namespace: str
    phase: str
    ready: bool
    node: str | None
    owner: tuple[str, str] | None
    containers: tuple[ContainerState, ...]
    deleting: bool = False
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Pod", self.name, self.namespace)

    @property
    def restarts(self) -> int:
        return sum(c.restarts for c in self.containers)

    @property
    def waiting_reasons(self) -> tuple[str, ...]:
        return tuple(c.waiting_reason for c in self.containers if c.waiting_reason)


def pod_summary(obj: Obj) -> PodSummary:
    m = meta(obj)
    status = obj.get("status") or {}
    spec = obj.get("spec") or {}
    containers = []
    for cs in status.get("containerStatuses") or []:
        waiting = (cs.get("state") or {}).get("waiting") or {}
        last = (cs.get("lastState") or {}).get("terminated") or {}
        containers.append(
            ContainerState(
                name=str(cs.get("name")),
                ready=bool(cs.get("ready")),
                restarts=int(cs.get("restartCount") or 0),
                waiting_reason=waiting.get("reason"),
                waiting_message=waiting.get("message"),
                last_exit_code=last.get("exitCode"),
                last_reason=last.get("reason"),
            )
        )
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
    return PodSummary(
        name=str(m.get("name")),
        namespace=str(m.get("namespace")),
        phase=str(status.get("phase") or "Unknown"),
        ready=ready,
        node=spec.get("nodeName"),
        owner=owner_of(obj),
        containers=tuple(containers),
        deleting=bool(m.get("deletionTimestamp")),
        labels=labels_of(obj),
    )


async def list_pods(client: KubeReader, namespace: str | None = None, *, labels: dict[str, str] | None = None) -> list[PodSummary]:
    return [pod_summary(p) for p in await client.list("Pod", namespace, labels=labels)]


async def pods_on_node(client: KubeReader, node: str) -> list[Obj]:
    return [p for p in await client.list("Pod") if (p.get("spec") or {}).get("nodeName") == node]


@dataclass(frozen=True, slots=True)
class WorkloadStatus:
    ref: ObjectRef
    desired: int
    ready: int
    updated: int
    available: int
    generation: int
    observed_generation: int
    selector: dict[str, str]

    @property
    def healthy(self) -> bool:
        return self.observed_generation >= self.generation and self.ready >= self.desired and self.updated >= self.desired


def workload_status(ref: ObjectRef, obj: Obj) -> WorkloadStatus:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    m = meta(obj)
    selector = dict((spec.get("selector") or {}).get("matchLabels") or {})
    if ref.kind == "DaemonSet":
        desired = int(status.get("desiredNumberScheduled") or 0)
        ready = int(status.get("numberReady") or 0)
        updated = int(status.get("updatedNumberScheduled") or 0)
        available = int(status.get("numberAvailable") or 0)
    else:
        replicas = spec.get("replicas")
        desired = int(replicas) if replicas is not None else 1
        ready = int(status.get("readyReplicas") or 0)
        updated = int(status.get("updatedReplicas") or 0)
        available = int(status.get("availableReplicas") or ready)
    return WorkloadStatus(
        ref=ref,
        desired=desired,
        ready=ready,
        updated=updated,
        available=available,
        generation=int(m.get("generation") or 0),
        observed_generation=int(status.get("observedGeneration") or 0),
        selector=selector,
    )


async def get_workload(client: KubeReader, ref: ObjectRef) -> WorkloadStatus:
    if ref.kind not in WORKLOAD_KINDS:
        raise ValueError(f"{ref.kind} is not a workload kind ({', '.join(WORKLOAD_KINDS)})")
    return workload_status(ref, await client.get(ref))


async def workload_pods(client: KubeReader, status: WorkloadStatus) -> list[PodSummary]:
    if not status.selector:
        return []
    return await list_pods(client, status.ref.namespace, labels=status.selector)


async def owning_workload(client: KubeReader, pod: PodSummary) -> ObjectRef | None:
    """The Deployment/StatefulSet/DaemonSet behind a pod (through its ReplicaSet for Deployments)."""
    if pod.owner is None:
        return None
    kind, name = pod.owner
    if kind in ("StatefulSet", "DaemonSet"):
        return ObjectRef(kind, name, pod.namespace)  # type: ignore[arg-type]  # narrowed by the check above
    if kind == "ReplicaSet":
        rs = await client.find(ObjectRef("ReplicaSet", name, pod.namespace))
        owner = owner_of(rs) if rs else None
        if owner and owner[0] == "Deployment":
            return ObjectRef("Deployment", owner[1], pod.namespace)
    return None


@dataclass(frozen=True, slots=True)
class NodeSummary:
    name: str
    ready: bool
    unschedulable: bool
    cordoned_by_agent: bool
    taints: tuple[str, ...]
    labels: dict[str, str]
    conditions: dict[str, str]

    @property
    def schedulable(self) -> bool:
        return self.ready and not self.unschedulable


def node_summary(obj: Obj) -> NodeSummary:
    status = obj.get("status") or {}
    spec = obj.get("spec") or {}
    conds = {str(c.get("type")): str(c.get("status")) for c in status.get("conditions") or []}
    taints = tuple(f"{t.get('key')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect')}" for t in spec.get("taints") or [])
    return NodeSummary(
        name=str(meta(obj).get("name")),
        ready=conds.get("Ready") == "True",
        unschedulable=bool(spec.get("unschedulable")),
        cordoned_by_agent=bool(annotations_of(obj).get(CORDONED_BY_ANNOTATION)),
        taints=taints,
        labels=labels_of(obj),
        conditions=conds,
    )


async def list_nodes(client: KubeReader) -> list[NodeSummary]:
    return [node_summary(n) for n in await client.list("Node")]


@dataclass(frozen=True, slots=True)
class JobSummary:
    name: str
    namespace: str
    active: int
    succeeded: int
    failed: int
    finished_at: datetime | None
    failed_condition: bool
    complete_condition: bool
    cronjob: str | None
    reason: str | None

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Job", self.name, self.namespace)

    @property
    def finished(self) -> bool:
        return self.failed_condition or self.complete_condition


def job_summary(obj: Obj) -> JobSummary:
    status = obj.get("status") or {}
    conds = status.get("conditions") or []
    failed_c = next((c for c in conds if c.get("type") == "Failed" and c.get("status") == "True"), None)
    complete_c = next((c for c in conds if c.get("type") == "Complete" and c.get("status") == "True"), None)
    finished = parse_time(status.get("completionTime")) or parse_time((failed_c or complete_c or {}).get("lastTransitionTime"))
    owner = owner_of(obj)
    return JobSummary(
        name=str(meta(obj).get("name")),
        namespace=str(meta(obj).get("namespace")),
        active=int(status.get("active") or 0),
        succeeded=int(status.get("succeeded") or 0),
        failed=int(status.get("failed") or 0),
        finished_at=finished,
        failed_condition=failed_c is not None,
        complete_condition=complete_c is not None,
        cronjob=owner[1] if owner and owner[0] == "CronJob" else None,
        reason=(failed_c or {}).get("reason"),
    )


async def list_jobs(client: KubeReader, namespace: str | None = None) -> list[JobSummary]:
    return [job_summary(j) for j in await client.list("Job", namespace)]


async def job_pods(client: KubeReader, job: JobSummary) -> list[PodSummary]:
    return await list_pods(client, job.namespace, labels={"job-name": job.name})


@dataclass(frozen=True, slots=True)
class EventLine:
    type: str
    reason: str
    message: str
    count: int
    last_seen: datetime | None

    def __str__(self) -> str:
        times = f" x{self.count}" if self.count > 1 else ""
        return f"{self.type} {self.reason}{times}: {self.message}"


async def events_for(client: KubeReader, ref: ObjectRef, *, limit: int = 20) -> list[EventLine]:
    """Events about one object, newest last."""
    lines = []
    for ev in await client.list("Event", ref.namespace):
        inv = ev.get("involvedObject") or {}
        if inv.get("kind") != ref.kind or inv.get("name") != ref.name:
            continue
        lines.append(
            EventLine(
                type=str(ev.get("type") or "Normal"),
                reason=str(ev.get("reason") or ""),
                message=str(ev.get("message") or "")[:300],
                count=int(ev.get("count") or 1),
                last_seen=parse_time(ev.get("lastTimestamp") or ev.get("eventTime") or meta(ev).get("creationTimestamp")),
            )
        )
    lines.sort(key=lambda e: e.last_seen or datetime.min.replace(tzinfo=UTC))
    return lines[-limit:]


async def pod_logs(client: KubeReader, pod: ObjectRef, *, container: str | None = None, previous: bool = False, tail_lines: int = 50) -> str:
    return await client.logs(pod.name, str(pod.namespace), container=container, previous=previous, tail_lines=tail_lines)


async def describe(client: KubeReader, ref: ObjectRef, *, limit: int = DESCRIBE_LIMIT) -> str:
    """A compact `kubectl describe`: status lines and recent events, cut at `limit` characters."""
    obj = await client.get(ref)
    lines = [f"{ref.kind} {ref.namespace + '/' if ref.namespace else ''}{ref.name}"]
    if ref.kind == "Pod":
        p = pod_summary(obj)
        lines.append(f"phase={p.phase} ready={p.ready} node={p.node} restarts={p.restarts} owner={p.owner}")
        for c in p.containers:
            lines.append(
                f"  container {c.name}: ready={c.ready} restarts={c.restarts} waiting={c.waiting_reason} "
                f"last={c.last_reason}(exit {c.last_exit_code})" + (f" msg={c.waiting_message[:200]}" if c.waiting_message else "")
            )
    elif ref.kind in WORKLOAD_KINDS:
        w = workload_status(ref, obj)
        lines.append(f"desired={w.desired} ready={w.ready} updated={w.updated} available={w.available} generation={w.generation}/{w.observed_generation}")
    elif ref.kind == "Node":
        n = node_summary(obj)
        lines.append(f"ready={n.ready} unschedulable={n.unschedulable} taints={list(n.taints)} conditions={n.conditions}")
    elif ref.kind == "Job":
        j = job_summary(obj)
        lines.append(f"active={j.active} succeeded={j.succeeded} failed={j.failed} reason={j.reason} cronjob={j.cronjob}")
    events = await events_for(client, ref, limit=10)
    if events:
        lines.append("events:")
        lines.extend(f"  {e}" for e in events)
    text = "\n".join(lines)
    if len(text) > limit:
        text = text[:limit] + f"\n[TRUNCATED {len(text) - limit} chars; describe a narrower object]"
    return text
