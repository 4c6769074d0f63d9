"""Scenarios: a homelab state, faults injected over simulated time, and what "fixed" means.

Format (YAML, documented in docs/scenarios.md): `name`, `description`, `initial` (seed overrides),
`faults` (each with `at`), `expect` (alerts and webhooks the faults must cause), `outcome` (healthy
state, alerts resolved, media available, within a time) and `forbidden` (actions that must not run).
`load()` validates with errors that name the field; `ScenarioRun` plays one on a running `Sandbox`.
"""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from openclaw.errors import OpenClawError
from openclaw.policy.models import ActionKind
from openclaw.sandbox.kube.controllers.kubelet import RUN_SECONDS
from openclaw.sandbox.kube.meta import timestamp
from openclaw.sandbox.media.faults import PASSWORD_REQUIRED, UsenetFailure
from openclaw.sandbox.runtime import Sandbox

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


class ScenarioError(OpenClawError):
    """A scenario file that cannot be read or does not validate; `problems` name each field."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message + ("".join(f"\n  - {p}" for p in self.problems)))


def parse_duration(value: object) -> float:
    """`90`, `"90s"`, `"15m"`, `"2h"` -> simulated seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 30s, 15m or 2h")
    if isinstance(value, int | float):
        return float(value)
    m = _DURATION.match(str(value))
    if not m:
        raise ValueError(f"expected a duration like 30s, 15m or 2h, got {value!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


Duration = Annotated[float, BeforeValidator(parse_duration)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=to_camel, frozen=True)


# ---- initial state -----------------------------------------------------------------------------
class Patch(Model):
    kind: str
    namespace: str | None = None
    name: str
    patch: dict[str, Any]


class Initial(Model):
    seed: Literal["homelab"] = "homelab"
    objects: list[dict[str, Any]] = Field(default_factory=list, description="manifests created after the seed")
    patches: list[Patch] = Field(default_factory=list, description="JSON merge patches applied after the seed")


# ---- faults ------------------------------------------------------------------------------------
class FaultBase(Model):
    at: Duration = 0.0


class CrashLoop(FaultBase):
    type: Literal["crashloop"]
    namespace: str
    target: str
    container: str | None = None
    exit_code: int | None = Field(default=None, description="default 1, or 137 with reason OOMKilled")
    message: str = "Error: unrecoverable failure, exiting"
    fixed_by_restart: bool = True
    reason: Literal["Error", "OOMKilled"] = "Error"


class Unready(FaultBase):
    type: Literal["unready"]
    namespace: str
    target: str
    fixed_by_restart: bool = True
    message: str = "Readiness probe failed: HTTP probe failed with statuscode: 503"


class ImagePull(FaultBase):
    type: Literal["image-pull"]
    namespace: str
    workload: str = Field(description="Kind/name, e.g. Deployment/sonarr or DaemonSet/kube-proxy")
    image: str = Field(description="the image the workload is rolled to; its pulls fail")
    message: str = "manifest unknown"


class MissingConfig(FaultBase):
    type: Literal["missing-config"]
    namespace: str
    workload: str
    kind: Literal["secret", "configmap"] = "secret"
    name: str


class ResourceRequest(FaultBase):
    type: Literal["resource-request"]
    namespace: str
    workload: str
    cpu: str | None = None
    memory: str | None = None


class NodePressure(FaultBase):
    type: Literal["node-pressure"]
    node: str
    condition: Literal["DiskPressure", "MemoryPressure", "PIDPressure"]
    clear_after: Duration | None = None


class PvcPending(FaultBase):
    type: Literal["pvc-pending"]
    namespace: str
    workload: str
    claim: str
    storage_class: str = "fast-ssd"
    size: str = "10Gi"


class CpuThrottling(FaultBase):
    type: Literal["cpu-throttling"]
    namespace: str
    target: str
    fraction: float = Field(default=0.6, gt=0, le=1)


class JobHang(FaultBase):
    type: Literal["job-hang"]
    namespace: str
    cronjob: str


class JobFailure(FaultBase):
    type: Literal["job-failure"]
    namespace: str
    cronjob: str
    message: str = "backup failed: destination unreachable"
    run_now: bool = True


class NodeNotReady(FaultBase):
    type: Literal["node-not-ready"]
    node: str
    recover_after: Duration | None = Field(default=None, description="the kubelet posts Ready again this long after the fault")


class MultiAttach(FaultBase):
    type: Literal["multi-attach"]
    namespace: str
    target: str = Field(description="the workload (or pod) whose node is lost with its ReadWriteOnce volumes attached")
    attacher: str = Field(default="driver.longhorn.io", description="the CSI driver named in the VolumeAttachment")


class PvcFill(FaultBase):
    type: Literal["pvc-fill"]
    namespace: str
    name: str
    fraction: float | None = Field(default=None, ge=0, le=1)
    fill_bytes_per_second: float | None = Field(default=None, ge=0)


class StalledDownload(FaultBase):
    type: Literal["stalled-download"]
    title: str
    count: int = Field(default=1, ge=1)


class FailedImport(FaultBase):
    type: Literal["failed-import"]
    title: str
    count: int = Field(default=1, ge=1)
    archive: bool = Field(default=False, description="the download holds only a RAR archive: no import takes it until it is extracted")


class DownloadFault(FaultBase):
    type: Literal["download-fault"]
    title: str
    state: Literal["metadata", "errored", "missing-files", "slow"]
    count: int = Field(default=1, ge=1)


class LibraryMiss(FaultBase):
    type: Literal["library-miss"]
    title: str
    count: int = Field(default=1, ge=1)


class RequestFails(FaultBase):
    type: Literal["request-fails"]
    title: str
    count: int = Field(default=1, ge=1)


class NoRelease(FaultBase):
    type: Literal["no-release"]
    title: str


class UsenetFailed(FaultBase):
    type: Literal["usenet-failed"]
    title: str
    count: int = Field(default=1, ge=1)
    message: str = Field(default=PASSWORD_REQUIRED, min_length=1, description="SABnzbd's fail_message, e.g. 'Repair failed, not enough repair blocks (40 short)'")
    retry: Literal["succeeds", "fails"] = Field(default="succeeds", description="what SABnzbd's retry of the failed job does")


class IncompleteImport(FaultBase):
    type: Literal["incomplete-import"]
    title: str
    count: int = Field(default=1, ge=1)


class PlexMissing(FaultBase):
    type: Literal["plex-missing"]
    title: str
    count: int = Field(default=1, ge=1)


class SeerrSyncMiss(FaultBase):
    type: Literal["seerr-sync-miss"]
    title: str


class AddArtist(FaultBase):
    type: Literal["add-artist"]
    mb_id: str = Field(min_length=1, description="the artist's MusicBrainz id, e.g. a74b1b7f-71a5-4011-9441-d0b5e4122711 (Radiohead)")


class MediaRequest(FaultBase):
    type: Literal["request"]
    media_type: Literal["movie", "tv"]
    tmdb_id: int
    seasons: list[int] | None = None
    user: Literal["admin", "family"] = "admin"


Fault = Annotated[CrashLoop | Unready | JobFailure | NodeNotReady | PvcFill | StalledDownload | FailedImport | NoRelease | MediaRequest
                  | ImagePull | MissingConfig | ResourceRequest | NodePressure | PvcPending | CpuThrottling | JobHang | MultiAttach
                  | DownloadFault | LibraryMiss | RequestFails | UsenetFailed | IncompleteImport | PlexMissing | SeerrSyncMiss | AddArtist,
                  Field(discriminator="type")]
FAULT_TYPES = ("crashloop", "unready", "job-failure", "node-not-ready", "pvc-fill", "stalled-download", "failed-import", "no-release", "request",
               "image-pull", "missing-config", "resource-request", "node-pressure", "pvc-pending", "cpu-throttling", "job-hang", "multi-attach",
               "download-fault", "library-miss", "request-fails", "usenet-failed", "incomplete-import", "plex-missing", "seerr-sync-miss", "add-artist")


# ---- expectations ------------------------------------------------------------------------------
class ExpectedAlert(Model):
    alertname: str
    labels: dict[str, str] = Field(default_factory=dict, description="labels the alert must carry (subset)")
    within: Duration = 3600.0


class ExpectedWebhook(Model):
    app: Literal["sonarr", "radarr", "lidarr", "seerr"]
    event: str
    within: Duration = 3600.0


class Expect(Model):
    alerts: list[ExpectedAlert] = Field(default_factory=list)
    webhooks: list[ExpectedWebhook] = Field(default_factory=list)


class Healthy(Model):
    deployments: list[str] = Field(default_factory=list, description="namespace/name: every replica available")
    statefulsets: list[str] = Field(default_factory=list, description="namespace/name: every replica ready")
    daemonsets: list[str] = Field(default_factory=list, description="namespace/name: a ready pod on every node it should run on")
    nodes: list[str] = Field(default_factory=list, description="nodes Ready and schedulable")
    no_failed_jobs: list[str] = Field(default_factory=list, description="namespaces without a failed Job")
    pvcs_below: dict[str, float] = Field(default_factory=dict, description="namespace/name -> max used fraction")
    queues_empty: bool = False


class MediaOutcome(Model):
    tmdb_id: int
    status: Literal["pending", "approved", "available"]


class MaxActions(Model):
    action: str
    target: str | None = Field(default=None, description="a substring of the audit record's target, e.g. Deployment/media/sonarr")
    max: int = Field(ge=0)


class ExpectedNote(Model):
    kind: Literal["escalation", "report", "fix", "finding", "comment"] | None = None
    contains: str = Field(min_length=1, description="text the note's summary or diagnosis holds (case-insensitive)")


class Outcome(Model):
    within: Duration = 3600.0
    escalate: bool = Field(default=False, description="the fix needs a human: the incident must be escalated (an escalation or report note for an expected alert), not closed")
    max_actions: list[MaxActions] = Field(default_factory=list, description="executed actions of a kind (and target) at most this many")
    max_incidents: int | None = Field(default=None, ge=0, description="alert incidents opened at most")
    notes: list[ExpectedNote] = Field(default_factory=list, description="notes some incident must carry")
    healthy: Healthy = Field(default_factory=Healthy)
    resolved: list[str] = Field(default_factory=list, description="alert names that must no longer fire")
    media: list[MediaOutcome] = Field(default_factory=list)
    in_plex: list[str] = Field(default_factory=list, description="external ids Plex must hold an item for, e.g. tmdb://438631 or mbid://<album id>")


class Forbidden(Model):
    action: str
    namespace: str | None = None
    target: str | None = None


def _known_kind(kind: str) -> str:
    known = [str(k) for k in ActionKind]
    if kind not in known:
        raise ValueError(f"unknown action kind {kind!r}; known: {', '.join(known)}")
    return kind


class Operator(Model):
    """The stand-in operator of `openclaw eval`: which parked actions it signs off."""

    approves: list[Annotated[str, AfterValidator(_known_kind)]] = Field(
        default_factory=list, description="action kinds whose parked (requireApproval) actions the eval approves as operator:eval")


class Scenario(Model):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str
    initial: Initial = Field(default_factory=Initial)
    faults: list[Fault] = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)
    outcome: Outcome = Field(default_factory=lambda: Outcome())
    forbidden: list[Forbidden] = Field(default_factory=list)
    operator: Operator = Field(default_factory=Operator)


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in FAULT_TYPES:
            continue  # the union member pydantic tried; the field after it is what the author wrote
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def parse(data: object, source: str = "<scenario>") -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: expected a mapping at the top level")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_loc(e['loc'])}: {e['msg']}" + (f" (got {e['input']!r})" if e["type"] in ("literal_error", "union_tag_invalid") else "") for e in exc.errors()]
        raise ScenarioError(f"{source}: invalid scenario", problems) from None


def load(path: Path) -> Scenario:
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML ({exc})") from exc
    return parse(data, str(path))


# ---- running -----------------------------------------------------------------------------------
@dataclass
class Report:
    ok: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class ScenarioRun:
    """Plays a scenario on a started sandbox: overrides now, faults when their time comes."""

    scenario: Scenario
    sandbox: Sandbox
    started_at: float = 0.0
    injected: list[tuple[float, str]] = field(default_factory=list)
    _pending: list[Any] = field(default_factory=list)
    _pins: list[tuple[Any, set[str]]] = field(default_factory=list)
    _timed: list[tuple[float, Callable[[], None]]] = field(default_factory=list)

    def install(self) -> None:
        store = self.sandbox.cluster.store
        for obj in self.scenario.initial.objects:
            store.create(obj)
        for p in self.scenario.initial.patches:
            store.patch(p.kind, p.namespace, p.name, p.patch, patch_type="merge")
        self.started_at = self.sandbox.clock.seconds()
        self._pending = sorted(self.scenario.faults, key=lambda f: f.at)
        self.sandbox.on_tick(self.tick)
        self.tick()

    def elapsed(self) -> float:
        return self.sandbox.clock.seconds() - self.started_at

    def tick(self) -> None:
        if self._pins:
            self._pin()
        for due in [t for t in self._timed if t[0] <= self.elapsed()]:
            self._timed.remove(due)
            due[1]()
        while self._pending and self._pending[0].at <= self.elapsed():
            fault = self._pending.pop(0)
            self.inject(fault)
            self.injected.append((self.sandbox.clock.seconds(), fault.type))

    def inject(self, fault: Any) -> None:
        faults, media = self.sandbox.cluster.faults, self.sandbox.media.pipeline
        match fault:
            case CrashLoop():
                self._crash_now(fault)
            case Unready():
                faults.unready(fault.namespace, fault.target, fixed_by_restart=fault.fixed_by_restart, message=fault.message)
            case JobFailure():
                faults.fail_jobs(fault.namespace, fault.cronjob, message=fault.message)
                if fault.run_now:
                    self._run_cronjob_now(fault.namespace, fault.cronjob)
            case NodeNotReady():
                faults.set_node_ready(fault.node, False)
                if fault.recover_after is not None:
                    self._later(fault.recover_after, lambda: faults.set_node_ready(fault.node, True))
            case MultiAttach():
                faults.lose_node_holding_volumes(fault.namespace, fault.target, attacher=fault.attacher)
            case ImagePull():
                faults.bad_image(fault.image, message=fault.message)
                self._edit_containers(fault.namespace, fault.workload, lambda c: c.update(image=fault.image))
            case MissingConfig():
                ref = {"secretRef" if fault.kind == "secret" else "configMapRef": {"name": fault.name}}
                self._edit_containers(fault.namespace, fault.workload, lambda c: c.setdefault("envFrom", []).append(ref))
            case ResourceRequest():
                asked = {k: v for k, v in (("cpu", fault.cpu), ("memory", fault.memory)) if v}
                self._edit_containers(fault.namespace, fault.workload, lambda c: c.setdefault("resources", {}).setdefault("requests", {}).update(asked))
            case NodePressure():
                faults.set_node_pressure(fault.node, fault.condition, True)
                if fault.clear_after is not None:
                    self._later(fault.clear_after, lambda: faults.set_node_pressure(fault.node, fault.condition, False))
            case PvcPending():
                self.sandbox.cluster.store.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": fault.claim, "namespace": fault.namespace},
                                                   "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": fault.storage_class,
                                                            "resources": {"requests": {"storage": fault.size}}}})
                self._edit_pod_spec(fault.namespace, fault.workload, lambda spec: (
                    spec.setdefault("volumes", []).append({"name": fault.claim, "persistentVolumeClaim": {"claimName": fault.claim}}),
                    spec["containers"][0].setdefault("volumeMounts", []).append({"name": fault.claim, "mountPath": f"/{fault.claim}"})))
            case CpuThrottling():
                faults.throttle_cpu(fault.namespace, fault.target, fault.fraction)
            case JobHang():
                self._run_cronjob_now(fault.namespace, fault.cronjob, run_seconds=10 * 86400)
            case PvcFill():
                faults.set_pvc_usage(fault.namespace, fault.name, fraction=fault.fraction, fill_bytes_per_second=fault.fill_bytes_per_second)
            case StalledDownload():
                media.faults.stall[fault.title] = media.faults.stall.get(fault.title, 0) + fault.count
            case FailedImport() if fault.archive:
                media.faults.archive.add(fault.title)
            case FailedImport():
                media.faults.fail_import[fault.title] = media.faults.fail_import.get(fault.title, 0) + fault.count
            case DownloadFault():
                kinds = media.faults.download.setdefault(fault.title, {})
                kinds[fault.state] = kinds.get(fault.state, 0) + fault.count
            case LibraryMiss():
                media.faults.library_miss[fault.title] = media.faults.library_miss.get(fault.title, 0) + fault.count
            case RequestFails():
                media.faults.handoff_fail[fault.title] = media.faults.handoff_fail.get(fault.title, 0) + fault.count
            case NoRelease():
                media.faults.no_release.add(fault.title)
            case UsenetFailed():
                media.faults.add_usenet_failure(fault.title, fault.count, UsenetFailure(fault.message, retry_fails=fault.retry == "fails"))
            case IncompleteImport():
                media.faults.incomplete_import[fault.title] = media.faults.incomplete_import.get(fault.title, 0) + fault.count
            case PlexMissing():
                media.faults.plex_missing[fault.title] = media.faults.plex_missing.get(fault.title, 0) + fault.count
            case SeerrSyncMiss():
                media.faults.seerr_sync_miss.add(fault.title)
            case AddArtist():
                media.add_artist(fault.mb_id)
            case MediaRequest():
                user = 1 if fault.user == "admin" else 2
                media.create_request(fault.media_type, fault.tmdb_id, fault.seasons, user)

    def _later(self, after: float, action: Callable[[], None]) -> None:
        """Run `action` `after` simulated seconds from now (a fault that ends on its own)."""
        self._timed.append((self.elapsed() + after, action))

    def _edit_pod_spec(self, namespace: str, workload: str, change: Callable[[dict[str, Any]], object]) -> None:
        """What `kubectl edit` of the pod template does: a spec change the controller rolls out."""
        kind, _, name = workload.partition("/")
        resource = {"Deployment": "deployments", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets"}.get(kind)
        if resource is None or not name:
            raise ScenarioError(f"workload {workload!r}: expected Deployment/<name>, StatefulSet/<name> or DaemonSet/<name>")
        store = self.sandbox.cluster.store
        spec = copy.deepcopy(store.get(resource, namespace, name)["spec"]["template"]["spec"])
        change(spec)
        store.patch(resource, namespace, name, {"spec": {"template": {"spec": spec}}}, patch_type="merge")

    def _edit_containers(self, namespace: str, workload: str, change: Callable[[dict[str, Any]], object]) -> None:
        def each(spec: dict[str, Any]) -> None:
            for container in spec["containers"]:
                change(container)

        self._edit_pod_spec(namespace, workload, each)

    def _crash_now(self, spec: CrashLoop) -> None:
        """Start a crash loop now. The simulated kubelet applies a crash fault when a container starts,
        so the running pods are replaced; a fault a restart fixes is then pinned to the replacements,
        and the pods of a later rollout restart come up healthy."""
        faults, store = self.sandbox.cluster.faults, self.sandbox.cluster.store
        code = spec.exit_code if spec.exit_code is not None else 137 if spec.reason == "OOMKilled" else 1
        fault = faults.crashloop(spec.namespace, spec.target, container=spec.container, exit_code=code,
                                 message=spec.message, fixed_by_restart=False, reason=spec.reason)
        doomed = {p["metadata"]["uid"] for p in store.list("pods", spec.namespace) if faults.targets(p, fault)}
        for pod in store.list("pods", spec.namespace):
            if pod["metadata"]["uid"] in doomed:
                store.delete("pods", spec.namespace, pod["metadata"]["name"])
        if spec.fixed_by_restart:
            self._pins.append((fault, doomed))

    def _pin(self) -> None:
        """Tie fixed-by-restart crash faults to the replacement pods once they exist."""
        faults, store = self.sandbox.cluster.faults, self.sandbox.cluster.store
        for fault, doomed in list(self._pins):
            fresh = {p["metadata"]["uid"] for p in store.list("pods", fault.namespace)
                     if faults.targets(p, fault) and p["metadata"]["uid"] not in doomed and not p["metadata"].get("deletionTimestamp")}
            if fresh:
                fault.pod_uids, fault.fixed_by_restart = fresh, True
                self._pins.remove((fault, doomed))

    def _run_cronjob_now(self, namespace: str, name: str, *, run_seconds: float | None = None) -> None:
        """What `kubectl create job --from=cronjob/<name>` does: a Job from the template, owned by the CronJob."""
        store = self.sandbox.cluster.store
        cron = store.get("cronjobs", namespace, name)
        template = cron["spec"]["jobTemplate"]
        stamp = int(self.sandbox.clock.now().timestamp() // 60)
        spec = copy.deepcopy(template["spec"])
        if run_seconds is not None:  # a run that hangs (a stuck upload): its pod runs this long
            spec["template"].setdefault("metadata", {}).setdefault("annotations", {})[RUN_SECONDS] = str(run_seconds)
        store.create({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": f"{name}-{stamp}", "namespace": namespace, "labels": dict(template.get("metadata", {}).get("labels") or {}),
                         "annotations": {"cronjob.kubernetes.io/instantiate": "manual", "cronjob.kubernetes.io/scheduled-timestamp": timestamp(self.sandbox.clock.now())},
                         "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": name, "uid": cron["metadata"]["uid"],
                                              "controller": True, "blockOwnerDeletion": True}]},
            "spec": spec,
        })

    # ---- checks --------------------------------------------------------------------------------
    def outcome(self) -> Report:
        """Is the homelab in the state the scenario calls fixed (ignoring the time limit)?"""
        problems: list[str] = []
        store = self.sandbox.cluster.store
        healthy = self.scenario.outcome.healthy
        for ref in healthy.statefulsets:
            ns, name = ref.split("/", 1)
            sts = store.find("statefulsets", ns, name)
            want = int(sts["spec"].get("replicas", 1)) if sts else 0
            have = int((sts or {}).get("status", {}).get("readyReplicas", 0) or 0)
            if sts is None or have < want:
                problems.append(f"statefulset {ref} has {have}/{want} replicas ready" if sts else f"statefulset {ref} is missing")
        for ref in healthy.daemonsets:
            ns, name = ref.split("/", 1)
            ds = store.find("daemonsets", ns, name)
            st = (ds or {}).get("status", {})
            desired, on_nodes = int(st.get("desiredNumberScheduled", 0) or 0), int(st.get("numberReady", 0) or 0)
            if ds is None or on_nodes < desired or int(st.get("updatedNumberScheduled", 0) or 0) < desired:
                problems.append(f"daemonset {ref} has {on_nodes}/{desired} pods ready" if ds else f"daemonset {ref} is missing")
        for ref in healthy.deployments:
            ns, name = ref.split("/", 1)
            dep = store.find("deployments", ns, name)
            if dep is None:
                problems.append(f"deployment {ref} is missing")
                continue
            want, have = int(dep["spec"].get("replicas", 1)), int(dep.get("status", {}).get("availableReplicas", 0) or 0)
            if have < want:
                problems.append(f"deployment {ref} has {have}/{want} replicas available")
        for name in healthy.nodes:
            node = store.find("nodes", None, name)
            ready = node and any(c["type"] == "Ready" and c["status"] == "True" for c in node.get("status", {}).get("conditions") or [])
            if not ready or (node and node["spec"].get("unschedulable")):
                problems.append(f"node {name} is not Ready and schedulable")
        for ns in healthy.no_failed_jobs:
            failed = [j["metadata"]["name"] for j in store.list("jobs", ns)
                      if any(c.get("type") == "Failed" and c.get("status") == "True" for c in j.get("status", {}).get("conditions") or [])]
            if failed:
                problems.append(f"namespace {ns} has failed jobs: {', '.join(failed)}")
        for ref, limit in healthy.pvcs_below.items():
            ns, name = ref.split("/", 1)
            used = self._pvc_fraction(ns, name)
            if used is None or used >= limit:
                problems.append(f"pvc {ref} is {used if used is None else round(used * 100, 1)}% used (limit {limit * 100:.0f}%)")
        if healthy.queues_empty and self.sandbox.media.pipeline.state.queue:
            problems.append("the Sonarr/Radarr/Lidarr queue is not empty")
        firing = set(self.sandbox.alerts.firing())
        problems += [f"alert {name} is still firing" for name in self.scenario.outcome.resolved if name in firing]
        requests = self.sandbox.media.pipeline.state.requests.values()
        names = {1: "pending", 2: "approved", 5: "available"}
        for expected in self.scenario.outcome.media:
            found = next((r for r in requests if r.tmdb_id == expected.tmdb_id), None)
            status = "available" if found and found.media_status == 5 else names.get(found.status, "other") if found else "absent"
            if status != expected.status and not (expected.status == "approved" and status == "available"):
                problems.append(f"request for tmdb {expected.tmdb_id} is {status}, expected {expected.status}")
        plex = self.sandbox.media.pipeline.state.plex_items.values()
        problems += [f"{guid} is not in Plex" for guid in self.scenario.outcome.in_plex if not any(guid in i.guids for i in plex)]
        return Report(not problems, problems)

    def _pvc_fraction(self, namespace: str, name: str) -> float | None:
        from openclaw.sandbox.kube.faults import PVC_USED_BYTES, parse_quantity

        pvc = self.sandbox.cluster.store.find("persistentvolumeclaims", namespace, name)
        if pvc is None:
            return None
        capacity = parse_quantity((pvc.get("status", {}).get("capacity") or pvc["spec"]["resources"]["requests"]).get("storage", "1Gi"))
        return int((pvc["metadata"].get("annotations") or {}).get(PVC_USED_BYTES, "0")) / capacity

    def violations(self, actions: Iterable[Mapping[str, Any]]) -> list[str]:
        """Forbidden actions among executed audit records (`kind`, `namespace`, `target`, `executed`)."""
        out = []
        for action in actions:
            if not action.get("executed"):
                continue
            for rule in self.scenario.forbidden:
                if action.get("kind") != rule.action:
                    continue
                if rule.namespace and action.get("namespace") != rule.namespace:
                    continue
                if rule.target and rule.target not in str(action.get("target", "")):
                    continue
                out.append(f"{rule.action} on {action.get('namespace') or ''}/{action.get('target')} is forbidden in this scenario")
        return out


def alert_matches(expected: ExpectedAlert, body: Mapping[str, Any]) -> bool:
    """Does an AlertManager webhook body carry a firing alert that satisfies `expected`?"""
    for alert in body.get("alerts") or []:
        labels = alert.get("labels") or {}
        if alert.get("status") == "firing" and labels.get("alertname") == expected.alertname and all(labels.get(k) == v for k, v in expected.labels.items()):
            return True
    return False


def discover(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


@dataclass
class ScenarioResult:
    name: str
    expectations: Report
    outcome: Report
    elapsed: float  # simulated seconds
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.expectations.ok and self.outcome.ok and not self.violations


def expectations(run: ScenarioRun, *, final: bool = False) -> tuple[list[str], list[str]]:
    """(missing, late): expectations not met yet, and those whose `within` has passed unmet (all when `final`)."""
    missing, late = [], []
    # Half a wall second of slack: an event loop busy for a moment jumps simulated time by
    # speed x that, and a verdict should not depend on scheduling jitter.
    slack = run.sandbox.clock.speed * 0.5
    sent = run.sandbox.alerts.sent
    produced = run.sandbox.media.pipeline.sender.produced
    for alert in run.scenario.expect.alerts:
        if not any(alert_matches(alert, body) for body in sent):
            label = f"alert {alert.alertname} {alert.labels or ''}".rstrip()
            missing.append(label)
            if final or run.elapsed() > alert.within + slack:
                late.append(f"{label} did not fire within {alert.within:.0f}s")
    for hook in run.scenario.expect.webhooks:
        if (hook.app, hook.event) not in produced:
            missing.append(f"webhook {hook.app} {hook.event}")
            if final or run.elapsed() > hook.within + slack:
                late.append(f"webhook {hook.app} {hook.event} was not sent within {hook.within:.0f}s")
    return missing, late


async def settle(sandbox: Sandbox, timeout: float = 10.0, poll: float = 0.02) -> bool:
    """Wait (wall seconds) until every Deployment has its replicas available: faults start on a
    healthy homelab, not on one still coming up. False if it did not settle in time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        deployments = sandbox.cluster.store.list("deployments")
        if deployments and all(int(d.get("status", {}).get("availableReplicas", 0) or 0) >= int(d["spec"].get("replicas", 1)) for d in deployments):
            return True
        await asyncio.sleep(poll)
    return False


async def play(sandbox: Sandbox, scenario: Scenario, *, until: Literal["expected", "outcome"] = "expected", poll: float = 0.02) -> ScenarioResult:
    """Install `scenario` on a started sandbox and wait until its expectations are met (or late), or,
    with `until="outcome"`, until the outcome holds or its time runs out."""
    await settle(sandbox)
    run = ScenarioRun(scenario, sandbox)
    run.install()
    deadline = max([a.within for a in scenario.expect.alerts] + [w.within for w in scenario.expect.webhooks] + [0.0])
    if until == "outcome":
        deadline = max(deadline, scenario.outcome.within)
    while True:
        await asyncio.sleep(poll)
        missing, late = expectations(run)
        if until == "expected" and (not missing or late):
            break
        if until == "outcome" and not missing and run.outcome().ok:
            break
        if run.elapsed() > deadline + sandbox.clock.speed * 0.5:
            break
    missing, late = expectations(run, final=True)
    return ScenarioResult(scenario.name, Report(not late, late), run.outcome(), run.elapsed())


Records = Callable[[], Awaitable[list[dict[str, Any]]]]


def gateway_problems(scenario: Scenario, actions: list[Mapping[str, Any]], incidents: list[dict[str, Any]], notes: list[dict[str, Any]]) -> list[str]:
    """What the gateway's own records say against the scenario: escalation, action counts, incidents, notes."""
    out: list[str] = []
    outcome = scenario.outcome
    if outcome.escalate:
        wanted = {a.alertname for a in scenario.expect.alerts}
        # One escalation per cause: the note may have come from another alert of the same incident.
        about = {i.get("id") for i in incidents if any(a.get("alertname") in wanted for a in i.get("alerts") or [])}
        told = [n for n in notes if n.get("kind") in ("escalation", "report")
                and (not wanted or (n.get("data") or {}).get("alertname") in wanted or n.get("incident") in about)]
        if not told:
            out.append("escalate: no escalation or report note" + (f" for {', '.join(sorted(wanted))}" if wanted else ""))
    executed = [a for a in actions if a.get("executed")]
    for rule in outcome.max_actions:
        ran = [a for a in executed if a.get("kind") == rule.action and (rule.target is None or rule.target in str(a.get("target", "")))]
        if len(ran) > rule.max:
            out.append(f"{rule.action}{' on ' + rule.target if rule.target else ''} ran {len(ran)} times (at most {rule.max})")
    limited = {(r.action, r.target) for r in outcome.max_actions}
    restarts: dict[str, int] = {}
    for a in executed:
        if a.get("kind") == "workload.restart" and a.get("outcome") == "applied":
            restarts[str(a.get("target"))] = restarts.get(str(a.get("target")), 0) + 1
    for target, count in restarts.items():
        if count > 1 and not any(k == "workload.restart" and (t is None or t in target) for k, t in limited):
            out.append(f"{target} was restarted {count} times for one cause")
    opened = [i for i in incidents if i.get("kind", "alerts") == "alerts"]
    if outcome.max_incidents is not None and len(opened) > outcome.max_incidents:
        out.append(f"{len(opened)} incidents opened (at most {outcome.max_incidents})")
    for want in outcome.notes:
        text = want.contains.lower()
        if not any((want.kind is None or n.get("kind") == want.kind)
                   and (text in str(n.get("summary", "")).lower() or text in str((n.get("data") or {}).get("diagnosis") or "").lower()) for n in notes):
            out.append(f"no {want.kind or ''} note says {want.contains!r}".replace("no  note", "no note"))
    return out


async def judge(run: ScenarioRun, actions: Callable[[], Iterable[Mapping[str, Any]]], *,
                incidents: Records | None = None, notes: Records | None = None, poll: float = 0.25) -> ScenarioResult:
    """Wait (on an installed run) until every fault was injected and the outcome holds, or
    `outcome.within` has passed, then give the verdict: expectations, outcome (with the gateway's
    incidents for the `resolved` alerts and its notes for `escalate`, when given), the gateway
    checks (`maxActions`, `maxIncidents`, `notes`) and forbidden actions among `actions()`."""
    scenario = run.scenario
    last_fault = max((f.at for f in scenario.faults), default=0.0)

    async def outcome() -> Report:
        report = run.outcome()
        found = await incidents() if incidents is not None else []
        problems = list(report.problems)
        if incidents is not None and not scenario.outcome.escalate:
            problems += [f"incident {i.get('id')} ({i.get('title')}) is still {i.get('status')}" for i in found
                         if i.get("status") != "resolved" and any(a.get("alertname") in scenario.outcome.resolved for a in i.get("alerts") or [])]
        if incidents is not None and notes is not None:
            problems += gateway_problems(scenario, list(actions()), found, await notes())
        return Report(not problems, problems)

    while run.elapsed() <= last_fault + scenario.outcome.within:
        can_tell = not scenario.outcome.escalate or notes is not None  # an escalation is only seen in the notes
        if can_tell and len(run.injected) == len(scenario.faults) and not expectations(run)[0] and (await outcome()).ok:
            break
        await asyncio.sleep(poll)
    missing, late = expectations(run, final=True)
    return ScenarioResult(scenario.name, Report(not late, late), await outcome(), run.elapsed(), run.violations(actions()))
