"""Field-number tables of the Kubernetes types the sandbox decodes from protobuf bodies.

Numbers and names are those of k8s.io/api and k8s.io/apimachinery generated.proto (Kubernetes 1.32).
kubectl's imperative generators (`create deployment|job|cronjob`, `create job --from=cronjob/...`)
send apps/v1 Deployment and batch/v1 Job/CronJob, which bring the whole pod template; the pod types
below cover what those generators write plus the fields a typical workload carries (env, volumes,
probes, resources, security context), because `--from` copies an existing CronJob's template verbatim.
A field left out here is refused by the decoder with 415, never dropped.

Wire kinds, chosen by the Go type behind each field, since gogo-protobuf writes every non-pointer
field even when it holds its zero value:
- `string`: skipped when empty. `strings`: a repeated string.
- `int`: a Go value (`int32`), zero means unset and is skipped. `optint`: a Go pointer (`*int32`),
  written only when set, so zero is kept (`replicas: 0`).
- `flag`: a Go `bool`, false is skipped. `bool`: a Go `*bool`, kept as sent.
- `ints`: a repeated integer (packed or not).
- `message`/`messages`: a nested object or list of them; `inline`: a nested message whose fields
  JSON flattens into the parent (`Volume.volumeSource`, `Probe.handler`, `localObjectReference`).
- `map`/`bytemap`: map<string,string> (the bytemap values base64 in JSON); `quantities`:
  map<string, Quantity>; `quantity`: one Quantity; `intstr`: an IntOrString; `time`: a meta/v1 Time.
"""

from __future__ import annotations

from typing import Any

Schema = dict[int, tuple[str, str, Any]]  # field number -> (name, wire kind, nested schema)

# ---- k8s.io/apimachinery meta/v1 ----------------------------------------------------------------
OWNER_REF: Schema = {1: ("kind", "string", None), 3: ("name", "string", None), 4: ("uid", "string", None), 5: ("apiVersion", "string", None), 6: ("controller", "bool", None), 7: ("blockOwnerDeletion", "bool", None)}
OBJECT_META: Schema = {
    1: ("name", "string", None),
    2: ("generateName", "string", None),
    3: ("namespace", "string", None),
    5: ("uid", "string", None),
    6: ("resourceVersion", "string", None),
    7: ("generation", "int", None),
    8: ("creationTimestamp", "time", None),
    9: ("deletionTimestamp", "time", None),
    10: ("deletionGracePeriodSeconds", "optint", None),
    11: ("labels", "map", None),
    12: ("annotations", "map", None),
    13: ("ownerReferences", "messages", OWNER_REF),
    14: ("finalizers", "strings", None),
}
LABEL_SELECTOR: Schema = {
    1: ("matchLabels", "map", None),
    2: ("matchExpressions", "messages", {1: ("key", "string", None), 2: ("operator", "string", None), 3: ("values", "strings", None)}),
}

# ---- k8s.io/api core/v1: the pod template -------------------------------------------------------
NAME_REF: Schema = {1: ("name", "string", None)}  # LocalObjectReference
OBJECT_REF: Schema = {1: ("kind", "string", None), 2: ("namespace", "string", None), 3: ("name", "string", None), 4: ("uid", "string", None), 5: ("apiVersion", "string", None), 6: ("resourceVersion", "string", None), 7: ("fieldPath", "string", None)}
FIELD_REF: Schema = {1: ("apiVersion", "string", None), 2: ("fieldPath", "string", None)}
RESOURCE_FIELD_REF: Schema = {1: ("containerName", "string", None), 2: ("resource", "string", None), 3: ("divisor", "quantity", None)}
KEY_REF: Schema = {1: ("localObjectReference", "inline", NAME_REF), 2: ("key", "string", None), 3: ("optional", "bool", None)}  # ConfigMap/SecretKeySelector
ENV_VAR: Schema = {
    1: ("name", "string", None),
    2: ("value", "string", None),
    3: ("valueFrom", "message", {1: ("fieldRef", "message", FIELD_REF), 2: ("resourceFieldRef", "message", RESOURCE_FIELD_REF), 3: ("configMapKeyRef", "message", KEY_REF), 4: ("secretKeyRef", "message", KEY_REF)}),
}
ENV_SOURCE: Schema = {1: ("localObjectReference", "inline", NAME_REF), 2: ("optional", "bool", None)}  # ConfigMap/SecretEnvSource
ENV_FROM: Schema = {1: ("prefix", "string", None), 2: ("configMapRef", "message", ENV_SOURCE), 3: ("secretRef", "message", ENV_SOURCE)}
CONTAINER_PORT: Schema = {1: ("name", "string", None), 2: ("hostPort", "int", None), 3: ("containerPort", "int", None), 4: ("protocol", "string", None), 5: ("hostIP", "string", None)}
RESOURCES: Schema = {1: ("limits", "quantities", None), 2: ("requests", "quantities", None), 3: ("claims", "messages", {1: ("name", "string", None), 2: ("request", "string", None)})}
VOLUME_MOUNT: Schema = {1: ("name", "string", None), 2: ("readOnly", "flag", None), 3: ("mountPath", "string", None), 4: ("subPath", "string", None), 5: ("mountPropagation", "string", None), 6: ("subPathExpr", "string", None), 7: ("recursiveReadOnly", "string", None)}
EXEC: Schema = {1: ("command", "strings", None)}
HTTP_GET: Schema = {1: ("path", "string", None), 2: ("port", "intstr", None), 3: ("host", "string", None), 4: ("scheme", "string", None), 5: ("httpHeaders", "messages", {1: ("name", "string", None), 2: ("value", "string", None)})}
TCP_SOCKET: Schema = {1: ("port", "intstr", None), 2: ("host", "string", None)}
PROBE_HANDLER: Schema = {1: ("exec", "message", EXEC), 2: ("httpGet", "message", HTTP_GET), 3: ("tcpSocket", "message", TCP_SOCKET), 4: ("grpc", "message", {1: ("port", "int", None), 2: ("service", "string", None)})}
PROBE: Schema = {
    1: ("handler", "inline", PROBE_HANDLER),
    2: ("initialDelaySeconds", "int", None),
    3: ("timeoutSeconds", "int", None),
    4: ("periodSeconds", "int", None),
    5: ("successThreshold", "int", None),
    6: ("failureThreshold", "int", None),
    7: ("terminationGracePeriodSeconds", "optint", None),
}
LIFECYCLE_HANDLER: Schema = {1: ("exec", "message", EXEC), 2: ("httpGet", "message", HTTP_GET), 3: ("tcpSocket", "message", TCP_SOCKET), 4: ("sleep", "message", {1: ("seconds", "int", None)})}
SECCOMP: Schema = {1: ("type", "string", None), 2: ("localhostProfile", "string", None)}
SE_LINUX: Schema = {1: ("user", "string", None), 2: ("role", "string", None), 3: ("type", "string", None), 4: ("level", "string", None)}
CONTAINER_SECURITY: Schema = {
    1: ("capabilities", "message", {1: ("add", "strings", None), 2: ("drop", "strings", None)}),
    2: ("privileged", "bool", None),
    3: ("seLinuxOptions", "message", SE_LINUX),
    4: ("runAsUser", "optint", None),
    5: ("runAsNonRoot", "bool", None),
    6: ("readOnlyRootFilesystem", "bool", None),
    7: ("allowPrivilegeEscalation", "bool", None),
    8: ("runAsGroup", "optint", None),
    9: ("procMount", "string", None),
    11: ("seccompProfile", "message", SECCOMP),
    12: ("appArmorProfile", "message", SECCOMP),
}
POD_SECURITY: Schema = {
    1: ("seLinuxOptions", "message", SE_LINUX),
    2: ("runAsUser", "optint", None),
    3: ("runAsNonRoot", "bool", None),
    4: ("supplementalGroups", "ints", None),
    5: ("fsGroup", "optint", None),
    6: ("runAsGroup", "optint", None),
    7: ("sysctls", "messages", {1: ("name", "string", None), 2: ("value", "string", None)}),
    9: ("fsGroupChangePolicy", "string", None),
    10: ("seccompProfile", "message", SECCOMP),
    11: ("appArmorProfile", "message", SECCOMP),
    12: ("supplementalGroupsPolicy", "string", None),
    13: ("seLinuxChangePolicy", "string", None),
}
CONTAINER: Schema = {
    1: ("name", "string", None),
    2: ("image", "string", None),
    3: ("command", "strings", None),
    4: ("args", "strings", None),
    5: ("workingDir", "string", None),
    6: ("ports", "messages", CONTAINER_PORT),
    7: ("env", "messages", ENV_VAR),
    8: ("resources", "message", RESOURCES),
    9: ("volumeMounts", "messages", VOLUME_MOUNT),
    10: ("livenessProbe", "message", PROBE),
    11: ("readinessProbe", "message", PROBE),
    12: ("lifecycle", "message", {1: ("postStart", "message", LIFECYCLE_HANDLER), 2: ("preStop", "message", LIFECYCLE_HANDLER)}),
    13: ("terminationMessagePath", "string", None),
    14: ("imagePullPolicy", "string", None),
    15: ("securityContext", "message", CONTAINER_SECURITY),
    16: ("stdin", "flag", None),
    17: ("stdinOnce", "flag", None),
    18: ("tty", "flag", None),
    19: ("envFrom", "messages", ENV_FROM),
    20: ("terminationMessagePolicy", "string", None),
    21: ("volumeDevices", "messages", {1: ("name", "string", None), 2: ("devicePath", "string", None)}),
    22: ("startupProbe", "message", PROBE),
    23: ("resizePolicy", "messages", {1: ("resourceName", "string", None), 2: ("restartPolicy", "string", None)}),
    24: ("restartPolicy", "string", None),
}
KEY_TO_PATH: Schema = {1: ("key", "string", None), 2: ("path", "string", None), 3: ("mode", "optint", None)}
DOWNWARD_FILE: Schema = {1: ("path", "string", None), 2: ("fieldRef", "message", FIELD_REF), 3: ("resourceFieldRef", "message", RESOURCE_FIELD_REF), 4: ("mode", "optint", None)}
VOLUME_SOURCE: Schema = {
    1: ("hostPath", "message", {1: ("path", "string", None), 2: ("type", "string", None)}),
    2: ("emptyDir", "message", {1: ("medium", "string", None), 2: ("sizeLimit", "quantity", None)}),
    6: ("secret", "message", {1: ("secretName", "string", None), 2: ("items", "messages", KEY_TO_PATH), 3: ("defaultMode", "optint", None), 4: ("optional", "bool", None)}),
    7: ("nfs", "message", {1: ("server", "string", None), 2: ("path", "string", None), 3: ("readOnly", "flag", None)}),
    10: ("persistentVolumeClaim", "message", {1: ("claimName", "string", None), 2: ("readOnly", "flag", None)}),
    16: ("downwardAPI", "message", {1: ("items", "messages", DOWNWARD_FILE), 2: ("defaultMode", "optint", None)}),
    19: ("configMap", "message", {1: ("localObjectReference", "inline", NAME_REF), 2: ("items", "messages", KEY_TO_PATH), 3: ("defaultMode", "optint", None), 4: ("optional", "bool", None)}),
}
VOLUME: Schema = {1: ("name", "string", None), 2: ("volumeSource", "inline", VOLUME_SOURCE)}
TOLERATION: Schema = {1: ("key", "string", None), 2: ("operator", "string", None), 3: ("value", "string", None), 4: ("effect", "string", None), 5: ("tolerationSeconds", "optint", None)}
POD_SPEC: Schema = {
    1: ("volumes", "messages", VOLUME),
    2: ("containers", "messages", CONTAINER),
    3: ("restartPolicy", "string", None),
    4: ("terminationGracePeriodSeconds", "optint", None),
    5: ("activeDeadlineSeconds", "optint", None),
    6: ("dnsPolicy", "string", None),
    7: ("nodeSelector", "map", None),
    8: ("serviceAccountName", "string", None),
    9: ("serviceAccount", "string", None),
    10: ("nodeName", "string", None),
    11: ("hostNetwork", "flag", None),
    12: ("hostPID", "flag", None),
    13: ("hostIPC", "flag", None),
    14: ("securityContext", "message", POD_SECURITY),
    15: ("imagePullSecrets", "messages", NAME_REF),
    16: ("hostname", "string", None),
    17: ("subdomain", "string", None),
    19: ("schedulerName", "string", None),
    20: ("initContainers", "messages", CONTAINER),
    21: ("automountServiceAccountToken", "bool", None),
    22: ("tolerations", "messages", TOLERATION),
    24: ("priorityClassName", "string", None),
    25: ("priority", "optint", None),
    27: ("shareProcessNamespace", "bool", None),
    29: ("runtimeClassName", "string", None),
    30: ("enableServiceLinks", "bool", None),
    31: ("preemptionPolicy", "string", None),
    35: ("setHostnameAsFQDN", "bool", None),
    37: ("hostUsers", "bool", None),
}
POD_TEMPLATE: Schema = {1: ("metadata", "message", OBJECT_META), 2: ("spec", "message", POD_SPEC)}

# ---- k8s.io/api apps/v1 and batch/v1 ------------------------------------------------------------
DEPLOYMENT_CONDITION: Schema = {
    1: ("type", "string", None),
    2: ("status", "string", None),
    4: ("reason", "string", None),
    5: ("message", "string", None),
    6: ("lastUpdateTime", "time", None),
    7: ("lastTransitionTime", "time", None),
}
JOB_CONDITION: Schema = {
    1: ("type", "string", None),
    2: ("status", "string", None),
    3: ("lastProbeTime", "time", None),
    4: ("lastTransitionTime", "time", None),
    5: ("reason", "string", None),
    6: ("message", "string", None),
}
DEPLOYMENT: Schema = {
    1: ("metadata", "message", OBJECT_META),
    2: (
        "spec",
        "message",
        {
            1: ("replicas", "optint", None),
            2: ("selector", "message", LABEL_SELECTOR),
            3: ("template", "message", POD_TEMPLATE),
            4: ("strategy", "message", {1: ("type", "string", None), 2: ("rollingUpdate", "message", {1: ("maxUnavailable", "intstr", None), 2: ("maxSurge", "intstr", None)})}),
            5: ("minReadySeconds", "int", None),
            6: ("revisionHistoryLimit", "optint", None),
            7: ("paused", "flag", None),
            9: ("progressDeadlineSeconds", "optint", None),
        },
    ),
    3: (
        "status",
        "message",
        {
            1: ("observedGeneration", "int", None),
            2: ("replicas", "int", None),
            3: ("updatedReplicas", "int", None),
            4: ("availableReplicas", "int", None),
            5: ("unavailableReplicas", "int", None),
            6: ("conditions", "messages", DEPLOYMENT_CONDITION),
            7: ("readyReplicas", "int", None),
            8: ("collisionCount", "optint", None),
        },
    ),
}
JOB_SPEC: Schema = {
    1: ("parallelism", "optint", None),
    2: ("completions", "optint", None),
    3: ("activeDeadlineSeconds", "optint", None),
    4: ("selector", "message", LABEL_SELECTOR),
    5: ("manualSelector", "bool", None),
    6: ("template", "message", POD_TEMPLATE),
    7: ("backoffLimit", "optint", None),
    8: ("ttlSecondsAfterFinished", "optint", None),
    9: ("completionMode", "string", None),
    10: ("suspend", "bool", None),
    12: ("backoffLimitPerIndex", "optint", None),
    13: ("maxFailedIndexes", "optint", None),
    14: ("podReplacementPolicy", "string", None),
    15: ("managedBy", "string", None),
}
JOB: Schema = {
    1: ("metadata", "message", OBJECT_META),
    2: ("spec", "message", JOB_SPEC),
    3: (
        "status",
        "message",
        {
            1: ("conditions", "messages", JOB_CONDITION),
            2: ("startTime", "time", None),
            3: ("completionTime", "time", None),
            4: ("active", "int", None),
            5: ("succeeded", "int", None),
            6: ("failed", "int", None),
            7: ("completedIndexes", "string", None),
            9: ("ready", "optint", None),
            10: ("failedIndexes", "string", None),
            11: ("terminating", "optint", None),
        },
    ),
}
CRON_JOB: Schema = {
    1: ("metadata", "message", OBJECT_META),
    2: (
        "spec",
        "message",
        {
            1: ("schedule", "string", None),
            2: ("startingDeadlineSeconds", "optint", None),
            3: ("concurrencyPolicy", "string", None),
            4: ("suspend", "bool", None),
            5: ("jobTemplate", "message", {1: ("metadata", "message", OBJECT_META), 2: ("spec", "message", JOB_SPEC)}),
            6: ("successfulJobsHistoryLimit", "optint", None),
            7: ("failedJobsHistoryLimit", "optint", None),
            8: ("timeZone", "string", None),
        },
    ),
    3: ("status", "message", {1: ("active", "messages", OBJECT_REF), 4: ("lastScheduleTime", "time", None), 5: ("lastSuccessfulTime", "time", None)}),
}
WORKLOAD_KINDS: dict[str, Schema] = {"Deployment": DEPLOYMENT, "Job": JOB, "CronJob": CRON_JOB}
