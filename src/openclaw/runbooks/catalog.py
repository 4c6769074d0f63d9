"""The built-in runbooks, one per alert of kube-prometheus-stack that openclaw handles."""

from __future__ import annotations

from openclaw.runbooks import heartbeats, jobs, nodes, pods, storage, targets, workloads
from openclaw.runbooks.registry import Registry, Runbook, Trigger


def builtin() -> Registry:
    return Registry(
        [
            Runbook("crashloop", Trigger(("KubePodCrashLooping",)), pods.crashloop, "restart only when the evidence says transient"),
            Runbook("pod-not-ready", Trigger(("KubePodNotReady",)), pods.not_ready, "delete pods stuck on a NotReady node"),
            Runbook(
                "replicas-mismatch",
                Trigger(("KubeDeploymentReplicasMismatch", "KubeStatefulSetReplicasMismatch")),
                workloads.replicas_mismatch,
                "reschedule stranded pods, restart transient crashes",
            ),
            Runbook("job-failed", Trigger(("KubeJobFailed",)), jobs.job_failed, "capture logs, clean up, report"),
            Runbook("node-not-ready", Trigger(("KubeNodeNotReady",)), nodes.node_not_ready, "cordon within policy, report, hold the incident until Ready"),
            Runbook("node-pressure", Trigger(("KubeNodePressure",)), nodes.node_pressure, "diagnose: conditions and the largest pods", acts=False),
            Runbook("container-waiting", Trigger(("KubeContainerWaiting",)), pods.container_waiting, "diagnose why a container never started", acts=False),
            Runbook("rollout-stuck", Trigger(("KubeDeploymentRolloutStuck", "KubeDaemonSetRolloutStuck", "KubeDaemonSetNotScheduled")),
                    workloads.rollout_stuck, "diagnose the new pods; never roll back", acts=False),
            Runbook("job-not-completed", Trigger(("KubeJobNotCompleted",)), jobs.job_not_completed, "capture logs, escalate", acts=False),
            Runbook("cpu-throttling", Trigger(("CPUThrottlingHigh",)), pods.cpu_throttling, "report limits and requests", acts=False),
            Runbook("volume-filling-up", Trigger(("KubePersistentVolumeFillingUp",)), storage.volume_filling_up, "report usage and consumers", acts=False),
            Runbook("target-down", Trigger(("TargetDown",)), targets.target_down, "diagnose", acts=False),
            Runbook("heartbeat", Trigger(("Watchdog", "InfoInhibitor")), heartbeats.never_act, "never act", acts=False),
        ]
    )


# Steps run when a handled alert resolves (only where something openclaw did should be undone).
ON_RESOLVED = {"KubeNodeNotReady": nodes.node_recovered}
