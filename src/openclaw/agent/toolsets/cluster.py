"""Cluster read tools: typed wrappers over `openclaw.ops.reads` that return compact JSON."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any, Literal

from openclaw.agent.capabilities import CapabilityMissing, kube_of
from openclaw.agent.results import ToolResult
from openclaw.agent.tools import ToolContext
from openclaw.errors import KubeError
from openclaw.ops import manifests, reads
from openclaw.ops.refs import ObjectRef

WorkloadKind = Literal["Deployment", "StatefulSet", "DaemonSet"]
DescribableKind = Literal["Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Node", "Service", "PersistentVolumeClaim"]


def _ns(namespace: str) -> str | None:
    return None if namespace in ("*", "", "all") else namespace


def _pod_json(pod: reads.PodSummary) -> dict[str, Any]:
    return {
        "name": pod.name, "namespace": pod.namespace, "phase": pod.phase, "ready": pod.ready, "node": pod.node,
        "restarts": pod.restarts, "waiting": list(pod.waiting_reasons), "deleting": pod.deleting,
        "owner": "/".join(pod.owner) if pod.owner else None,
        "lastExit": [{"container": c.name, "code": c.last_exit_code, "reason": c.last_reason} for c in pod.containers if c.last_reason],
    }


async def _guard(work: Any) -> ToolResult:
    try:
        return ToolResult.ok(await work)
    except CapabilityMissing as exc:
        return ToolResult.fail(str(exc))
    except (KubeError, ValueError) as exc:
        return ToolResult.fail(str(exc))


async def list_pods(ctx: ToolContext, namespace: str = "*", only_unhealthy: bool = False, limit: int = 100) -> ToolResult:
    """List pods with phase, readiness, restarts and waiting reasons.

    Args:
      namespace: a namespace, or * for all.
      only_unhealthy: true to list only pods that are not Ready or are restarting or waiting.
      limit: at most this many pods (1-500).
    """
    async def work() -> list[dict[str, Any]]:
        pods = await reads.list_pods(kube_of(ctx.capabilities), _ns(namespace))
        if only_unhealthy:
            pods = [p for p in pods if not p.ready or p.waiting_reasons or p.restarts > 0]
        return [_pod_json(p) for p in pods[: max(1, min(limit, 500))]]

    return await _guard(work())


async def pod_logs(ctx: ToolContext, namespace: str, pod: str, container: str | None = None, previous: bool = False, tail: int = 100) -> ToolResult:
    """Read a pod's log tail. Use previous=true to see why a crashed container died.

    Args:
      namespace: the pod's namespace.
      pod: the pod name.
      container: container name when the pod has several.
      previous: the previous (crashed) container's log.
      tail: number of lines from the end (1-1000).
    """
    async def work() -> dict[str, Any]:
        text = await reads.pod_logs(kube_of(ctx.capabilities), ObjectRef("Pod", pod, namespace), container=container,
                                    previous=previous, tail_lines=max(1, min(tail, 1000)))
        return {"pod": f"{namespace}/{pod}", "log": text}

    return await _guard(work())


async def kube_events(ctx: ToolContext, namespace: str, name: str, kind: DescribableKind = "Pod", limit: int = 20) -> ToolResult:
    """Kubernetes events about one object (scheduling failures, image pulls, OOM kills, probe failures).

    Args:
      namespace: the object's namespace (ignored for a Node).
      name: the object's name.
      kind: the object's kind.
      limit: at most this many events (1-100).
    """
    async def work() -> list[dict[str, Any]]:
        ref = ObjectRef(kind, name, None if kind == "Node" else namespace)
        lines = await reads.events_for(kube_of(ctx.capabilities), ref, limit=max(1, min(limit, 100)))
        return [dataclasses.asdict(e) for e in lines]

    return await _guard(work())


async def get_workload(ctx: ToolContext, namespace: str, name: str, kind: WorkloadKind = "Deployment") -> ToolResult:
    """A workload's desired, ready and updated replicas, and whether it is healthy.

    Args:
      namespace: the workload's namespace.
      name: the workload's name.
      kind: Deployment, StatefulSet or DaemonSet.
    """
    async def work() -> dict[str, Any]:
        status = await reads.get_workload(kube_of(ctx.capabilities), ObjectRef(kind, name, namespace))
        out = {k: v for k, v in dataclasses.asdict(status).items() if k != "ref"}
        out["ref"] = str(status.ref)
        out["healthy"] = status.healthy
        return out

    return await _guard(work())


async def describe(ctx: ToolContext, name: str, kind: DescribableKind = "Pod", namespace: str | None = None) -> ToolResult:
    """A compact description of one object, like kubectl describe.

    Args:
      name: the object's name.
      kind: the object's kind.
      namespace: the namespace (omit for a Node).
    """
    async def work() -> dict[str, Any]:
        ref = ObjectRef(kind, name, None if kind == "Node" else namespace)
        return {"object": str(ref), "description": await reads.describe(kube_of(ctx.capabilities), ref)}

    return await _guard(work())


async def list_nodes(ctx: ToolContext) -> ToolResult:
    """List nodes with readiness, schedulability and pressure conditions."""

    async def work() -> list[dict[str, Any]]:
        nodes = await reads.list_nodes(kube_of(ctx.capabilities))
        return [{**dataclasses.asdict(n), "schedulable": n.schedulable} for n in nodes]

    return await _guard(work())


async def list_jobs(ctx: ToolContext, namespace: str = "*", only_failed: bool = False) -> ToolResult:
    """List jobs with their state and age.

    Args:
      namespace: a namespace, or * for all.
      only_failed: true to list only failed jobs.
    """
    async def work() -> list[dict[str, Any]]:
        jobs = await reads.list_jobs(kube_of(ctx.capabilities), _ns(namespace))
        out = []
        for job in jobs:
            if only_failed and not job.failed_condition:
                continue
            out.append({**dataclasses.asdict(job), "finished": job.finished})
        return out

    return await _guard(work())


async def validate_manifests(ctx: ToolContext, manifest: str) -> ToolResult:
    """Validate Kubernetes manifests (YAML, several documents allowed) against the API schemas before proposing them.

    Args:
      manifest: the YAML text of one or more Kubernetes objects.
    """
    if len(manifest) > 200_000:
        return ToolResult.fail("manifest: over 200000 characters; validate one file at a time")
    with tempfile.TemporaryDirectory(prefix="openclaw-validate-") as tmp:
        path = Path(tmp) / "manifest.yaml"
        path.write_text(manifest, encoding="utf-8")
        errors = manifests.validate_manifests([path])
    return ToolResult("success", {"valid": not errors, "errors": [str(e).replace(str(path), "manifest") for e in errors]})
