"""Crash evidence classification and runbook triggers (pure)."""

from __future__ import annotations

import pytest

from openclaw.ops.reads import ContainerState, EventLine, PodSummary
from openclaw.runbooks.catalog import builtin
from openclaw.runbooks.diagnosis import Cause, classify
from openclaw.runbooks.models import AlertContext


def pod(waiting: str | None = "CrashLoopBackOff", message: str | None = None, last: str | None = "Error") -> PodSummary:
    c = ContainerState("app", False, 4, waiting, message, 1, last)
    return PodSummary("web-1", "media", "Running", False, "n1", ("ReplicaSet", "web-x"), (c,))


@pytest.mark.parametrize(
    ("logs", "cause"),
    [
        ("starting\ndial tcp 10.0.0.5:5432: connect: connection refused", Cause.TRANSIENT),
        ("context deadline exceeded while contacting upstream", Cause.TRANSIENT),
        ("System.IO.InvalidDataException: cache file /config/cache.db is corrupt", Cause.DATA),
        ("Fatal: database migration 241 failed: no such column: Movies.MovieMetadataId", Cause.UNKNOWN),
        ("FATAL: invalid config: missing required setting ApiKey", Cause.CONFIG),
        ("open /config/app.yaml: no such file or directory", Cause.CONFIG),
        ("", Cause.UNKNOWN),
        ("Error: unrecoverable failure, exiting", Cause.UNKNOWN),
    ],
)
def test_previous_logs_decide_whether_a_restart_may_help(logs: str, cause: Cause) -> None:
    finding = classify(pod(), logs, [])
    assert finding.cause is cause
    assert finding.restart_may_help is (cause is Cause.TRANSIENT)


def test_an_image_pull_failure_is_never_transient() -> None:
    f = classify(pod("ImagePullBackOff", "Back-off pulling image ghcr.io/x:typo"), "connection refused", [])
    assert f.cause is Cause.IMAGE and "ImagePullBackOff" in f.explanation


def test_a_missing_secret_is_a_config_error() -> None:
    f = classify(pod("CreateContainerConfigError", 'secret "sonarr-api" not found'), "", [])
    assert f.cause is Cause.CONFIG


def test_oomkilled_is_a_resources_problem() -> None:
    f = classify(pod(last="OOMKilled"), "connection refused", [])
    assert f.cause is Cause.RESOURCES


def test_a_mount_event_for_a_missing_configmap_is_config() -> None:
    ev = EventLine("Warning", "FailedMount", 'MountVolume.SetUp failed: configmap "x" not found', 3, None)
    assert classify(pod(), "timeout", [ev]).cause is Cause.CONFIG


def alert(name: str, **labels: str) -> AlertContext:
    return AlertContext(name, "firing", {"alertname": name, **labels}, {}, "fp", "inc-1")


@pytest.mark.parametrize(
    ("name", "runbook"),
    [
        ("KubePodCrashLooping", "crashloop"),
        ("KubePodNotReady", "pod-not-ready"),
        ("KubeDeploymentReplicasMismatch", "replicas-mismatch"),
        ("KubeStatefulSetReplicasMismatch", "replicas-mismatch"),
        ("KubeJobFailed", "job-failed"),
        ("KubeNodeNotReady", "node-not-ready"),
        ("KubePersistentVolumeFillingUp", "volume-filling-up"),
        ("TargetDown", "target-down"),
        ("Watchdog", "heartbeat"),
        ("KubeNodePressure", "node-pressure"),
        ("KubeContainerWaiting", "container-waiting"),
        ("KubeDeploymentRolloutStuck", "rollout-stuck"),
        ("KubeDaemonSetRolloutStuck", "rollout-stuck"),
        ("KubeDaemonSetNotScheduled", "rollout-stuck"),
        ("KubeJobNotCompleted", "job-not-completed"),
        ("CPUThrottlingHigh", "cpu-throttling"),
        ("InfoInhibitor", "heartbeat"),
    ],
)
def test_each_alert_has_its_runbook(name: str, runbook: str) -> None:
    found = builtin().match(alert(name))
    assert found is not None and found.id == runbook


def test_an_unknown_alert_has_no_runbook() -> None:
    assert builtin().match(alert("KubeAPIDown")) is None


def test_report_only_runbooks_are_marked_as_never_acting() -> None:
    assert {r.id for r in builtin().all() if not r.acts} == {"volume-filling-up", "target-down", "heartbeat", "node-pressure", "container-waiting",
                                                              "rollout-stuck", "job-not-completed", "cpu-throttling"}


def test_a_replicaset_pod_name_gives_the_prefix_its_replacements_share() -> None:
    from openclaw.runbooks.gone import replica_prefix

    assert replica_prefix("sonarr-7d9f5c-abcde") == "sonarr-7d9f5c-"
    assert replica_prefix("standalone") == "standalone"
