"""Verification: after an action, wait (polling, with a deadline) for the state it should produce.

Each check returns None when the expected state holds, else a short description of what is still
wrong; `wait_for` turns the last description into the failure text when time runs out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from openclaw.errors import KubeError
from openclaw.ops import reads
from openclaw.ops.clock import WALL_CLOCK, Clock
from openclaw.ops.reader import KubeReader
from openclaw.ops.refs import ObjectRef

Check = Callable[[], Awaitable[str | None]]


async def wait_for(check: Check, *, timeout_s: float, stable_s: float = 0.0, interval_s: float | None = None, clock: Clock = WALL_CLOCK) -> str:
    """'passed' once `check` has held for `stable_s` without a break (a crash-looping pod is Ready
    for a moment after each start), or 'failed: <what was still wrong>' once `timeout_s` elapses.
    All durations are seconds of `clock` (the sandbox's simulated time under `--speed`). The poll
    interval defaults to a hundredth of the whole wait (at least 0.2 s), so a fast clock is checked
    as often per simulated minute as a wall clock is."""
    interval = interval_s if interval_s is not None else max(0.2, (timeout_s + stable_s) / 100)
    start = clock.seconds()
    deadline = start + timeout_s + stable_s
    held_since: float | None = None
    problem: str | None = "not checked"
    last_problem = "not checked"
    while True:
        try:
            problem = await check()
        except KubeError as exc:  # a failed read is one more reason the state is not confirmed, not a crash
            problem = f"could not read the state: {exc}"
        now = clock.seconds()
        if problem is None:
            held_since = now if held_since is None else held_since
            if now - held_since >= stable_s:
                return "passed"
        else:
            held_since = None
            last_problem = problem
        if now >= deadline:
            what = last_problem if problem is None else problem
            return f"failed: after {now - start:.1f}s {what}" + (" (recovered only briefly)" if problem is None else "")
        await clock.sleep(interval)


def workload_ready(client: KubeReader, ref: ObjectRef, *, after_generation: int | None = None) -> Check:
    async def check() -> str | None:
        w = await reads.get_workload(client, ref)
        if after_generation is not None and w.observed_generation < after_generation:
            return f"{ref} rollout not observed yet (generation {w.observed_generation} < {after_generation})"
        if not w.healthy:
            return f"{ref} has {w.ready}/{w.desired} ready, {w.updated} updated"
        return None

    return check


def pod_replaced(client: KubeReader, pod: ObjectRef, old_uid: str | None, workload: ObjectRef | None) -> Check:
    """The old pod is gone (or is a new one), and its workload, if any, is ready again."""

    async def check() -> str | None:
        obj = await client.find(pod)
        if obj is not None and (obj.get("metadata") or {}).get("uid") == old_uid:
            return f"{pod} still exists"
        if workload is not None:
            return await workload_ready(client, workload)()
        return None

    return check


def node_cordoned(client: KubeReader, node: ObjectRef, *, cordoned: bool) -> Check:
    async def check() -> str | None:
        n = reads.node_summary(await client.get(node))
        if n.unschedulable != cordoned:
            return f"{node.name} is {'cordoned' if n.unschedulable else 'schedulable'}"
        return None

    return check


def node_taints(client: KubeReader, node: ObjectRef, *, present: list[str], absent: list[str]) -> Check:
    async def check() -> str | None:
        keys = {t.split("=")[0].split(":")[0] for t in reads.node_summary(await client.get(node)).taints}
        wrong = [k for k in present if k not in keys] + [k for k in absent if k in keys]
        return f"taints not as asked: {', '.join(wrong)}" if wrong else None

    return check


def objects_gone(client: KubeReader, refs: list[ObjectRef]) -> Check:
    async def check() -> str | None:
        left = [r.key for r in refs if await client.find(r) is not None]
        return f"still present: {', '.join(left)}" if left else None

    return check


def cronjob_suspended(client: KubeReader, cronjob: ObjectRef) -> Check:
    async def check() -> str | None:
        spec = (await client.get(cronjob)).get("spec") or {}
        return None if spec.get("suspend") is True else f"{cronjob} is not suspended"

    return check


def node_labels(client: KubeReader, node: ObjectRef, labels: dict[str, str | None]) -> Check:
    async def check() -> str | None:
        have = reads.node_summary(await client.get(node)).labels
        wrong = [k for k, v in labels.items() if have.get(k) != v]
        return f"labels not applied: {', '.join(wrong)}" if wrong else None

    return check


def claim_in_use(client: KubeReader, claim: ObjectRef, detached: list[ObjectRef]) -> Check:
    """The stale attachments are gone and a pod mounting `claim` runs Ready (its volume attached where it is)."""
    gone = objects_gone(client, detached)

    async def check() -> str | None:
        problem = await gone()
        if problem:
            return problem
        using = [p for p in await client.list("Pod", claim.namespace)
                 if any((v.get("persistentVolumeClaim") or {}).get("claimName") == claim.name for v in (p.get("spec") or {}).get("volumes") or [])]
        summaries = [reads.pod_summary(p) for p in using]
        if any(s.ready and not s.deleting for s in summaries):
            return None
        states = ", ".join(f"{s.name}: {s.phase} {'/'.join(s.waiting_reasons)}".strip() for s in summaries) or "no pod mounts it"
        return f"no pod mounting {claim} is Ready ({states})"

    return check
