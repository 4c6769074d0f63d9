"""The runbooks' decisions as pure functions: crash evidence with context, fix memory, recurrence,
and whether a pod on a lost node can be moved."""

from __future__ import annotations

from typing import Any

import pytest

from openclaw.incidents.notes import IncidentNote
from openclaw.ops.reads import ContainerState, EventLine, PodSummary
from openclaw.policy.audit import AuditRecord
from openclaw.runbooks.diagnosis import Cause, classify
from openclaw.runbooks.memory import did_not_hold, recurrences
from openclaw.runbooks.placement import place, requests_of


def crashed(exit_code: int = 1, last: str = "Error", waiting: str | None = "CrashLoopBackOff") -> PodSummary:
    c = ContainerState("app", False, 4, waiting, None, exit_code, last)
    return PodSummary("sonarr-7d9f8b6c5d-x2x4k", "media", "Running", False, "homelab-w1", ("ReplicaSet", "sonarr-7d9f8b6c5d"), (c,))


@pytest.mark.parametrize(
    ("logs", "cause"),
    [
        # the defect: corruption was "transient" and restarted twice
        ("[Fatal] sonarr.db is corrupt, restore from backup", Cause.DATA),
        ("database disk image is malformed", Cause.DATA),
        # a permanent cause anywhere in the tail wins over a transient line after it
        ("Error: config file /config/config.xml not found\nretrying: connection refused", Cause.CONFIG),
        ("fatal error: runtime: out of memory", Cause.RESOURCES),
        ("GET /api/v1/sync: 401 Unauthorized", Cause.CONFIG),
        # bare words mean nothing without their context
        ("acquired lock on /config/app.lock; processed 503 items; reached EOF of import list; exiting", Cause.UNKNOWN),
        ("sqlite: database is locked", Cause.TRANSIENT),
        ("upstream returned status 503", Cause.TRANSIENT),
        ("read tcp 10.42.1.7:43210->10.43.0.10:5432: read: connection reset by peer", Cause.TRANSIENT),
        ("Get \"http://prowlarr:9696\": dial tcp 10.43.1.2:9696: i/o timeout", Cause.TRANSIENT),
    ],
)
def test_log_lines_count_only_with_their_context(logs: str, cause: Cause) -> None:
    finding = classify(crashed(), logs, [])
    assert finding.cause is cause, finding.explanation
    assert finding.restart_may_help is (cause is Cause.TRANSIENT)


def test_exit_code_137_is_read_even_when_the_reason_is_error() -> None:
    finding = classify(crashed(137), "connection refused", [])
    assert finding.cause is Cause.RESOURCES and "137" in finding.explanation and not finding.restart_may_help


def test_exit_137_after_a_failed_liveness_probe_is_the_probe() -> None:
    ev = EventLine("Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", 3, None)
    assert classify(crashed(137), "", [ev]).cause is Cause.PROBE


@pytest.mark.parametrize(("code", "cause"), [(127, Cause.CONFIG), (126, Cause.CONFIG), (139, Cause.UNKNOWN)])
def test_exit_codes_with_one_meaning(code: int, cause: Cause) -> None:
    assert classify(crashed(code), "connection refused", []).cause is cause


def test_oomkilled_names_its_exit_code() -> None:
    finding = classify(crashed(137, "OOMKilled"), "", [])
    assert finding.cause is Cause.RESOURCES and "OOMKilled (exit 137)" in finding.explanation


@pytest.mark.parametrize(
    ("reason", "message", "cause"),
    [
        ("FailedScheduling", "0/4 nodes are available: 1 node(s) had untolerated taint, 3 Insufficient memory.", Cause.RESOURCES),
        ("FailedScheduling", "0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims.", Cause.STORAGE),
        ("FailedAttachVolume", "Multi-Attach error for volume \"pvc-1\" Volume is already exclusively attached to one node", Cause.STORAGE),
    ],
)
def test_a_waiting_pod_is_diagnosed_from_the_scheduler_and_attach_events(reason: str, message: str, cause: Cause) -> None:
    pending = PodSummary("web-0", "media", "Pending", False, None, ("StatefulSet", "web"), ())
    assert classify(pending, "", [EventLine("Warning", reason, message, 1, None)]).cause is cause


# ---- fix memory and recurrence -------------------------------------------------------------------

def record(created_at: float, verification: str = "failed: after 120s 0/1 ready") -> AuditRecord:
    return AuditRecord("act-1", created_at, created_at, "workload.restart", "Deployment/media/sonarr", "media", "runbook:crashloop", "inc-1",
                       "crash", {}, "enforce", "applied", "all rules passed", None, True, "restarted", {}, verification, None, None, None, None)


def test_a_fix_inside_the_window_did_not_hold_and_one_outside_is_forgotten() -> None:
    assert did_not_hold([record(1000.0)], now=1000.0 + 3600, window_s=6 * 3600) is not None
    assert did_not_hold([record(1000.0)], now=1000.0 + 7 * 3600, window_s=6 * 3600) is None
    assert did_not_hold([], now=0.0, window_s=6 * 3600) is None


def note(cause: str, at: float, fixed: bool = True, failure: bool = False) -> IncidentNote:
    return IncidentNote(1, "inc-1", at, "report", "runbook:job-failed", "cleaned up", {"cause": cause, "fixed": fixed, "failure": failure})


def test_recurrences_count_fixes_of_the_same_cause_inside_the_window() -> None:
    notes = [note("CronJob/media/sync", 90_000.0), note("CronJob/media/sync", 10.0), note("CronJob/media/other", 90_000.0),
             note("CronJob/media/sync", 90_000.0, fixed=False), note("CronJob/media/sync", 91_000.0, fixed=False, failure=True)]
    found = recurrences(notes, "CronJob/media/sync", now=95_000.0, window_s=24 * 3600)
    # a Job its CronJob's history limit removed before the runbook saw it still counts as a failure
    assert [n.created_at for n in found] == [90_000.0, 91_000.0]


# ---- placement -------------------------------------------------------------------------------------

def node(name: str, *, ready: bool = True, cordoned: bool = False, cpu: str = "8", memory: str = "32Gi") -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {}}, "spec": {"unschedulable": cordoned},
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "Unknown"}], "allocatable": {"cpu": cpu, "memory": memory}}}


def pod(name: str, on: str, *, cpu: str = "500m", memory: str = "1Gi", claim: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"nodeName": on, "containers": [{"name": "app", "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}
    if claim:
        spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]
    return {"metadata": {"name": name, "namespace": "media"}, "spec": spec, "status": {"phase": "Running"}}


def claim(name: str, mode: str = "ReadWriteOnce", volume: str | None = None) -> dict[str, Any]:
    return {"metadata": {"name": name}, "spec": {"accessModes": [mode], "volumeName": volume or f"pvc-{name}"}}


def test_a_statefulset_pod_with_a_readwriteonce_claim_is_never_moved() -> None:
    stranded = pod("postgres-0", "w1", claim="data-postgres-0")
    where = place(stranded, "StatefulSet", [node("w1", ready=False), node("w2")], [stranded], claims={"data-postgres-0": claim("data-postgres-0")})
    assert not where.movable and "ReadWriteOnce" in where.why and "Multi-Attach" in where.why


def test_a_statefulset_pod_on_shared_storage_may_move() -> None:
    stranded = pod("web-0", "w1", claim="shared")
    assert place(stranded, "StatefulSet", [node("w1", ready=False), node("w2")], [stranded], claims={"shared": claim("shared", "ReadWriteMany")}).movable


def test_a_pod_on_a_node_local_volume_stays() -> None:
    stranded = pod("sonarr-1", "w1", claim="sonarr-config")
    pv = {"metadata": {"name": "pvc-x"}, "spec": {"hostPath": {"path": "/var/lib/rancher"}, "nodeAffinity": {"required": {}}}}
    where = place(stranded, "ReplicaSet", [node("w1", ready=False), node("w2")], [stranded], claims={"sonarr-config": claim("sonarr-config", volume="pvc-x")},
                  volumes={"pvc-x": pv})
    assert not where.movable and "node-local" in where.why


def test_capacity_is_checked_and_the_refusal_names_each_node() -> None:
    stranded = pod("radarr-1", "w1", cpu="2")
    busy = pod("big", "w2", cpu="7")
    where = place(stranded, "ReplicaSet", [node("w1", ready=False), node("w2"), node("w3", cordoned=True)], [stranded, busy])
    assert not where.movable
    assert "w2: cpu 1 free, needs 2" in where.why and "w3: cordoned" in where.why


def test_room_promised_to_earlier_replacements_counts() -> None:
    stranded = pod("a-1", "w1", cpu="3")
    nodes = [node("w1", ready=False), node("w2", cpu="4")]
    assert place(stranded, "ReplicaSet", nodes, [stranded]).node == "w2"
    assert not place(stranded, "ReplicaSet", nodes, [stranded], reserved={"w2": requests_of(stranded)}).movable


@pytest.mark.parametrize(("owner", "words"), [(None, "no controller"), ("DaemonSet", "belongs to its node")])
def test_pods_nothing_would_recreate_elsewhere_stay(owner: str | None, words: str) -> None:
    stranded = pod("x", "w1")
    where = place(stranded, owner, [node("w1", ready=False), node("w2")], [stranded])
    assert not where.movable and words in where.why


# ---- a volume a lost node still holds ------------------------------------------------------------
def held(*attached: tuple[str, bool, str | None], last: str | None = "2026-12-03T08:30:00Z") -> Any:
    from openclaw.ops.attachments import Attachment, ClaimAttachments
    from openclaw.ops.reads import parse_time
    from openclaw.ops.refs import ObjectRef

    found = tuple(Attachment(f"csi-{node}", node, True, ready, parse_time(since)) for node, ready, since in attached)
    return ClaimAttachments(ObjectRef("PersistentVolumeClaim", "sonarr-config", "media"), "pvc-0b7e", True, found, (), ("Pod/media/sonarr-2",), parse_time(last))


def test_a_multi_attach_on_a_lost_node_asks_policy_and_one_on_a_ready_node_escalates() -> None:
    from openclaw.runbooks.storage import not_detachable

    waiting = PodSummary("sonarr-2", "media", "Pending", False, "homelab-w2", ("ReplicaSet", "sonarr-1"), (ContainerState("app", False, 0, "ContainerCreating", None, None, None),))
    assert not_detachable(waiting, {"pvc-0b7e"}, held(("homelab-w1", False, "2026-12-03T08:00:00Z"))) is None
    ready = not_detachable(waiting, {"pvc-0b7e"}, held(("homelab-w3", True, None)))
    assert ready is not None and "attached to Ready node homelab-w3" in ready and "not detached" in ready
    unbound = not_detachable(waiting, {"pvc-9"}, None)
    assert unbound is not None and "none of its claims is bound to it" in unbound


def test_how_long_the_holding_node_was_down_is_read_in_the_clusters_own_time() -> None:
    # 30 minutes between the node going NotReady and the last failed attach; the shortest of two nodes counts.
    assert held(("homelab-w1", False, "2026-12-03T08:00:00Z")).not_ready_for_s() == 1800.0
    assert held(("homelab-w1", False, "2026-12-03T08:00:00Z"), ("homelab-w3", False, "2026-12-03T08:25:00Z")).not_ready_for_s() == 300.0
    assert held(("homelab-w1", False, None)).not_ready_for_s() is None  # no transition time: unknown, never "long enough"
    assert held(("homelab-w1", False, "2026-12-03T08:00:00Z"), last=None).not_ready_for_s() is None


def test_the_volume_is_read_from_the_attach_detach_controllers_message() -> None:
    from openclaw.ops.attachments import multi_attach_volume

    text = 'Multi-Attach error for volume "pvc-0b7e4c1d" Volume is already exclusively attached to one node and can\'t be attached to another'
    assert multi_attach_volume(text) == "pvc-0b7e4c1d"
    assert multi_attach_volume('Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) sonarr-0') == "pvc-1"
    assert multi_attach_volume("AttachVolume.Attach failed for volume \"pvc-1\" : rpc error") is None
