"""The rendered Pod meets Pod Security "restricted"; the ClusterRole grants only what operations use."""

from __future__ import annotations

from typing import Any

import pytest

from chart import rendered_kind

ALLOWED_VOLUME_SOURCES = {"configMap", "emptyDir", "persistentVolumeClaim", "secret", "projected", "downwardAPI"}


def pod() -> dict[str, Any]:
    spec: dict[str, Any] = rendered_kind("Deployment")["spec"]["template"]["spec"]
    return spec


def containers() -> list[dict[str, Any]]:
    spec = pod()
    return [*spec.get("initContainers", []), *spec["containers"], *spec.get("ephemeralContainers", [])]


def effective(container: dict[str, Any], field: str) -> Any:
    """A container's setting, falling back to the pod's securityContext (how the kubelet resolves it)."""
    own = container.get("securityContext", {})
    return own[field] if field in own else pod().get("securityContext", {}).get(field)


def test_the_pod_renders_an_init_container_and_the_gateway() -> None:
    assert [c["name"] for c in pod()["initContainers"]] == ["init"]
    assert [c["name"] for c in pod()["containers"]] == ["app"]


@pytest.mark.parametrize("field", ["hostNetwork", "hostPID", "hostIPC"])
def test_no_host_namespaces(field: str) -> None:
    assert pod().get(field, False) is False


def test_pod_security_context_runs_as_uid_and_gid_1000_with_fsgroup() -> None:
    ctx = pod()["securityContext"]
    assert ctx["runAsNonRoot"] is True
    assert (ctx["runAsUser"], ctx["runAsGroup"], ctx["fsGroup"]) == (1000, 1000, 1000)
    assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "sysctls" not in ctx
    assert ctx.get("appArmorProfile", {}).get("type") != "Unconfined"


@pytest.mark.parametrize("name", ["init", "app"])
class TestEachContainer:
    def container(self, name: str) -> dict[str, Any]:
        return next(c for c in containers() if c["name"] == name)

    def test_runs_as_non_root_uid_1000(self, name: str) -> None:
        c = self.container(name)
        assert effective(c, "runAsNonRoot") is True
        assert effective(c, "runAsUser") == 1000
        assert effective(c, "runAsGroup") == 1000

    def test_disallows_privilege_escalation(self, name: str) -> None:
        assert self.container(name)["securityContext"]["allowPrivilegeEscalation"] is False

    def test_is_not_privileged(self, name: str) -> None:
        assert self.container(name)["securityContext"].get("privileged", False) is False

    def test_drops_all_capabilities_and_adds_none(self, name: str) -> None:
        caps = self.container(name)["securityContext"]["capabilities"]
        assert caps["drop"] == ["ALL"]
        assert caps.get("add", []) == []

    def test_uses_the_runtime_default_seccomp_profile(self, name: str) -> None:
        assert effective(self.container(name), "seccompProfile") == {"type": "RuntimeDefault"}

    def test_has_a_read_only_root_filesystem(self, name: str) -> None:
        assert self.container(name)["securityContext"]["readOnlyRootFilesystem"] is True

    def test_opens_no_host_ports_and_keeps_the_default_proc_mount(self, name: str) -> None:
        c = self.container(name)
        assert all("hostPort" not in p for p in c.get("ports", []))
        assert c["securityContext"].get("procMount", "Default") == "Default"
        assert "windowsOptions" not in c["securityContext"]


def test_only_allowed_volume_types() -> None:
    for volume in pod()["volumes"]:
        sources = set(volume) - {"name"}
        assert len(sources) == 1 and sources <= ALLOWED_VOLUME_SOURCES, volume


def test_every_writable_path_is_a_volume() -> None:
    """With a read-only root, the gateway can write only where a volume is mounted writable."""
    app = next(c for c in pod()["containers"] if c["name"] == "app")
    writable = {m["mountPath"] for m in app["volumeMounts"] if not m.get("readOnly")}
    assert writable == {"/home/node/.openclaw", "/tmp"}
    init = next(c for c in pod()["initContainers"] if c["name"] == "init")
    assert {m["mountPath"] for m in init["volumeMounts"] if not m.get("readOnly")} == {"/home/node/.openclaw", "/tmp", "/usr/local/bin/tools"}


# ---------------------------------------------------------------- RBAC

# What the cluster operations need, operation by operation (the list docs/deploy.md explains).
# (apiGroup, resource) -> verbs
OPERATION_NEEDS: dict[tuple[str, str], set[str]] = {
    ("", "pods"): {"get", "list", "delete"},  # read pods, pod.delete
    ("", "pods/log"): {"get"},  # logs (previous container too)
    ("", "pods/eviction"): {"create"},  # node drain through the Eviction API
    ("", "nodes"): {"get", "list", "patch"},  # read nodes, cordon/uncordon/labels/taints, last-schedulable-node check
    ("", "events"): {"list"},  # events for diagnosis
    ("", "services"): {"get"},  # the agent's describe tool
    ("", "persistentvolumeclaims"): {"get"},  # the agent's describe tool, KubePersistentVolumeFillingUp report
    ("apps", "deployments"): {"get", "list", "patch"},  # read, rollout restart
    ("apps", "statefulsets"): {"get", "list", "patch"},
    ("apps", "daemonsets"): {"get", "list", "patch"},
    ("apps", "replicasets"): {"get"},  # pod -> ReplicaSet -> Deployment owner chain
    ("batch", "jobs"): {"get", "list", "delete"},  # job cleanup (a cleanup aimed at one Job reads it first)
    ("batch", "cronjobs"): {"get"},  # a job's owning CronJob
    ("policy", "poddisruptionbudgets"): {"list"},  # drain respects budgets
}


def cluster_role() -> dict[str, Any]:
    return rendered_kind("ClusterRole")


def granted() -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for rule in cluster_role()["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                out.setdefault((group, resource), set()).update(rule["verbs"])
    return out


def test_the_cluster_role_grants_exactly_what_the_operations_need() -> None:
    assert granted() == OPERATION_NEEDS


def test_the_cluster_role_has_no_wildcards_urls_or_names() -> None:
    for rule in cluster_role()["rules"]:
        for key in ("apiGroups", "resources", "verbs"):
            assert "*" not in rule[key] and not any("*" in v for v in rule[key]), rule
        assert "nonResourceURLs" not in rule
        assert "resourceNames" not in rule or rule["resourceNames"]
    assert "aggregationRule" not in cluster_role()


def test_the_cluster_role_cannot_read_secrets_or_escalate() -> None:
    rules = granted()
    sensitive = {"secrets", "configmaps", "serviceaccounts", "serviceaccounts/token", "pods/exec", "pods/attach",
                 "pods/portforward", "nodes/proxy", "roles", "rolebindings", "clusterroles", "clusterrolebindings",
                 "certificatesigningrequests", "customresourcedefinitions", "mutatingwebhookconfigurations"}
    assert not {r for (_, r) in rules} & sensitive
    assert not any(v & {"escalate", "bind", "impersonate", "deletecollection", "update", "watch"} for v in rules.values())
    creates = {k for k, v in rules.items() if "create" in v}
    assert creates == {("", "pods/eviction")}  # no creating pods, workloads or anything else


def test_the_binding_gives_the_role_to_the_pod_service_account_only() -> None:
    binding = rendered_kind("ClusterRoleBinding")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role()["metadata"]["name"]}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": pod()["serviceAccountName"], "namespace": "openclaw"}]
