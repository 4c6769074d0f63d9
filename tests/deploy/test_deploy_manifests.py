"""deploy/ is correct against the real schemas: app-template 4.6.2 values, the CRDs, and Kubernetes."""

from __future__ import annotations

import copy
import os
import json
from pathlib import Path
from typing import Any

import json5
import kubernetes_validate
import pytest

from chart import KUBE_VERSION, rendered, rendered_kind
from openclaw.incidents.heartbeat import SILENCE_LIMIT_S
from deploy_support import (
    DEPLOY,
    REPO,
    app_template_top_level_keys,
    app_template_validator,
    crd_validator,
    kustomize_build,
    plain_manifests,
    schema_errors,
    values,
)

BUILTIN_GROUPS = ("v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "policy/v1")


def all_objects() -> list[tuple[str, dict[str, Any]]]:
    """Every object deploy/ produces: chart-rendered, kustomize-built, and the loose manifests."""
    objs = [("helm/values.yaml", o) for o in rendered()]
    objs += [("kustomize/", o) for o in kustomize_build()]
    objs += [(rel, o) for rel, o in plain_manifests() if not rel.startswith("kustomize/")]
    return objs


# ---------------------------------------------------------------- app-template values


def test_values_validate_against_the_app_template_4_6_2_schema() -> None:
    assert schema_errors(app_template_validator(), values()) == []


def test_values_use_only_top_level_keys_the_chart_knows() -> None:
    # The schema leaves the top level open, so a key the chart ignores (such as an
    # `externalSecrets` block, which 4.6.2 does not have) would pass silently.
    assert set(values()) <= app_template_top_level_keys()


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (["controllers", "openclaw", "containers", "app", "probes", "liveness", "custom"], "yes"),
        (["persistence", "tmp", "mountPath"], "/tmp"),
        (["persistence", "data", "globalMounts", 0, "mountpath"], "/home/node/.openclaw"),
        (["controllers", "openclaw", "type"], "replicaset"),
        (["route", "app", "kind"], "Route"),
        (["serviceAccount", "openclaw", "automount"], True),
    ],
)
def test_the_values_schema_check_catches_a_mistake(path: list[Any], bad: Any) -> None:
    broken = copy.deepcopy(values())
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    assert schema_errors(app_template_validator(), broken)


# ---------------------------------------------------------------- CRDs and built-in kinds


def test_every_custom_resource_validates_against_its_crd_schema() -> None:
    checked = set()
    for where, obj in all_objects():
        if obj["apiVersion"].startswith(BUILTIN_GROUPS):
            continue
        validator = crd_validator(obj["apiVersion"], obj["kind"])
        assert validator is not None, f"{where}: no CRD schema in fixtures for {obj['apiVersion']} {obj['kind']}"
        assert schema_errors(validator, obj) == [], f"{where}: {obj['kind']}/{obj['metadata']['name']}"
        checked.add(obj["kind"])
    assert checked == {"Application", "ExternalSecret", "ClusterSecretStore", "AlertmanagerConfig", "HTTPRoute"}


def test_the_crd_check_catches_an_unknown_field() -> None:
    rel, secret = next((r, o) for r, o in plain_manifests() if o["kind"] == "ExternalSecret")
    broken = copy.deepcopy(secret)
    broken["spec"]["target"]["nmae"] = "typo"
    validator = crd_validator(broken["apiVersion"], broken["kind"])
    assert validator is not None
    assert any("nmae" in e for e in schema_errors(validator, broken))


def test_every_builtin_object_validates_strictly_against_kubernetes_schemas() -> None:
    kinds = set()
    for where, obj in all_objects():
        if not obj["apiVersion"].startswith(BUILTIN_GROUPS):
            continue
        try:
            kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{where}: {obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")
        kinds.add(obj["kind"])
    assert {"Deployment", "Service", "ServiceAccount", "PersistentVolumeClaim", "ClusterRole", "ClusterRoleBinding",
            "NetworkPolicy", "ConfigMap"} <= kinds


def test_the_strict_kubernetes_check_catches_an_unknown_field() -> None:
    broken = rendered_kind("Deployment")
    broken["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsNonroot"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBE_VERSION, strict=True)


# ---------------------------------------------------------------- what the seed asks for


def test_the_argocd_application_matches_the_seed() -> None:
    (app,) = [o for _, o in plain_manifests() if o["kind"] == "Application"]
    assert app["metadata"]["name"] == "openclaw"
    assert app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "2"
    spec = app["spec"]
    assert spec["destination"]["namespace"] == "openclaw"
    assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert "CreateNamespace=true" in spec["syncPolicy"]["syncOptions"]
    labels = spec["syncPolicy"]["managedNamespaceMetadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
    chart = next(s for s in spec["sources"] if s.get("chart"))
    assert (chart["chart"], chart["targetRevision"]) == ("app-template", "4.6.2")
    for value_file in chart["helm"]["valueFiles"]:
        assert (REPO / value_file.removeprefix("$values/")).is_file()
    paths = [s["path"] for s in spec["sources"] if "path" in s]
    assert paths and all((REPO / p / "kustomization.yaml").is_file() for p in paths)


def test_image_commands_service_and_route_match_the_seed() -> None:
    vals = values()
    ctrl = vals["controllers"]["openclaw"]
    for container in [*ctrl["initContainers"].values(), *ctrl["containers"].values()]:
        assert container["image"]["repository"] == "ghcr.io/openclaw/openclaw"
        assert container["image"]["tag"] == "2026.3.7"
    assert ctrl["initContainers"]["init"]["args"] == ["init"]
    assert ctrl["containers"]["app"]["args"] == ["gateway"]
    assert vals["service"]["app"]["ports"]["http"]["port"] == 18789
    assert vals["route"]["app"]["hostnames"] == ["openclaw.homelab.local"]


# The seed's storage table: volume -> (type, mount path in the gateway container, read-only).
SEED_STORAGE = {
    "data": ("persistentVolumeClaim", "/home/node/.openclaw", False),
    "config": ("configMap", "/config/config.json5", True),
    "skills": ("configMap", "/skills", True),
    "tools": ("emptyDir", "/usr/local/bin/tools", True),  # "ops only": the init container fills it
    "tmp": ("emptyDir", "/tmp", False),
}


def test_storage_is_exactly_the_seed_table_mount_by_mount() -> None:
    spec = rendered_kind("Deployment")["spec"]["template"]["spec"]
    (app,) = spec["containers"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["name"]: m for m in app["volumeMounts"]}
    assert set(mounts) == set(SEED_STORAGE)
    for name, (kind, path, read_only) in SEED_STORAGE.items():
        assert kind in volumes[name], f"{name}: {volumes[name]}"
        assert mounts[name]["mountPath"] == path, name
        assert mounts[name].get("readOnly", False) is read_only, name
    assert mounts["config"]["subPath"] == "config.json5"
    assert volumes["config"]["configMap"]["name"] == "openclaw-config"
    assert volumes["skills"]["configMap"]["name"] == "openclaw-skills"
    pvc = rendered_kind("PersistentVolumeClaim")
    assert volumes["data"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    assert pvc["spec"]["storageClassName"] == "nfs-client"
    assert pvc["spec"]["resources"]["requests"]["storage"] == "2Gi"
    assert pvc["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert pvc["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"  # retain: true
    (init,) = spec["initContainers"]
    init_mounts = {m["name"]: m for m in init["volumeMounts"]}
    assert set(init_mounts) == {"data", "config", "workspace", "tools", "tmp"}
    assert init_mounts["tools"]["mountPath"] == "/usr/local/bin/tools" and not init_mounts["tools"].get("readOnly")
    assert init_mounts["data"]["mountPath"] == "/home/node/.openclaw"
    env = {e["name"]: e["value"] for e in init["env"]}
    assert init_mounts["workspace"]["mountPath"] == env["OPENCLAW_WORKSPACE_SOURCE"]
    assert init_mounts["config"]["mountPath"] == env["OPENCLAW_TOOLS_MANIFEST"]
    assert init_mounts["tools"]["mountPath"] == env["OPENCLAW_TOOLS_DIR"]


def configmaps() -> dict[str, dict[str, str]]:
    return {o["metadata"]["name"]: o["data"] for o in kustomize_build() if o["kind"] == "ConfigMap"}


def test_the_seed_config_validates_with_the_project_schema(tmp_path: Path) -> None:
    from openclaw.config import layers

    seed = tmp_path / "config.json5"
    seed.write_text(configmaps()["openclaw-config"]["config.json5"])
    snapshot = layers.load(tmp_path / "state", seed_path=seed, env={"OPENCLAW_HOOKS_TOKEN": "hooks-token-from-vault"})
    s = snapshot.settings
    assert s.gateway.bind == "lan"
    assert s.gateway.control_ui.allowed_origins == ["https://openclaw.homelab.local"]
    assert s.hooks.token == "hooks-token-from-vault"
    assert s.skills.load.dirs == ["/skills"]
    assert s.ops.policy.mode == "enforce"
    assert {"kube-system", "argocd", "vault", "external-secrets", "openclaw", "monitoring"} <= set(s.ops.policy.protected_namespaces)
    assert snapshot.warnings == []
    assert snapshot.seed_raw["hooks"]["token"] == "${OPENCLAW_HOOKS_TOKEN}"


def test_every_secret_the_pod_reads_comes_from_the_external_secret() -> None:
    vals = values()
    (secret,) = [o for r, o in plain_manifests() if o["kind"] == "ExternalSecret" and o["metadata"]["namespace"] == "openclaw"]
    provided = {d["secretKey"] for d in secret["spec"]["data"]}
    env_from = vals["controllers"]["openclaw"]["containers"]["app"]["envFrom"]
    assert [e["secretRef"]["name"] for e in env_from] == [secret["spec"]["target"]["name"]]
    from openclaw.config.envsubst import references

    referenced = references(json5.loads(configmaps()["openclaw-config"]["config.json5"]))
    assert referenced == {"OPENCLAW_HOOKS_TOKEN"}
    assert referenced <= provided
    assert {"ANTHROPIC_API_KEY", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "OPENCLAW_HOOKS_TOKEN", "SONARR_API_KEY", "RADARR_API_KEY"} <= provided
    assert all(s["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "vault"}
               for _, s in plain_manifests() if s["kind"] == "ExternalSecret")
    assert [o["metadata"]["name"] for _, o in plain_manifests() if o["kind"] == "ClusterSecretStore"] == ["vault"]


def test_alertmanager_posts_to_the_hooks_endpoint_with_the_token_from_a_secret() -> None:
    url = "http://openclaw.openclaw.svc:18789/hooks/alertmanager"
    (amc,) = [o for _, o in plain_manifests() if o["kind"] == "AlertmanagerConfig"]
    (hook,) = amc["spec"]["receivers"][0]["webhookConfigs"]
    assert hook["url"] == url and hook["sendResolved"] is True
    creds = hook["httpConfig"]["authorization"]
    assert creds["type"] == "Bearer"
    same_ns = {(o["spec"]["target"]["name"], d["secretKey"]) for _, o in plain_manifests()
               if o["kind"] == "ExternalSecret" and o["metadata"]["namespace"] == amc["metadata"]["namespace"] for d in o["spec"]["data"]}
    assert (creds["credentials"]["name"], creds["credentials"]["key"]) in same_ns

    import yaml

    snippet = yaml.safe_load((DEPLOY / "monitoring" / "kube-prometheus-stack-values.yaml").read_text())
    (receiver,) = [r for r in snippet["alertmanager"]["config"]["receivers"] if r["name"] == "openclaw"]
    (webhook,) = receiver["webhook_configs"]
    assert webhook["url"] == url
    token_file = webhook["http_config"]["authorization"]["credentials_file"]
    mounted = snippet["alertmanager"]["alertmanagerSpec"]["secrets"]
    (mon,) = [o for _, o in plain_manifests() if o["kind"] == "ExternalSecret" and o["metadata"]["namespace"] == "monitoring"]
    assert token_file == f"/etc/alertmanager/secrets/{mon['spec']['target']['name']}/{mon['spec']['data'][0]['secretKey']}"
    assert mon["spec"]["target"]["name"] in mounted
    watchdog, rest = snippet["alertmanager"]["config"]["route"]["routes"][:2]
    assert rest == {"receiver": "openclaw", "continue": True, "matchers": ['alertname != "Watchdog"']}
    assert watchdog["receiver"] == "openclaw" and watchdog["continue"] is True and watchdog["matchers"] == ['alertname = "Watchdog"']
    # AlertManager re-sends a firing group every group_interval once repeat_interval has passed: both
    # must fit in the gateway's heartbeat window, or a healthy pipeline opens "Watchdog heartbeat missing".
    assert seconds(watchdog["repeat_interval"]) + seconds(watchdog["group_interval"]) < SILENCE_LIMIT_S / 2
    (child,) = amc["spec"]["route"]["routes"]
    assert child["matchers"] == [{"name": "alertname", "value": "Watchdog"}]
    assert seconds(child["repeatInterval"]) + seconds(child["groupInterval"]) < SILENCE_LIMIT_S / 2


def seconds(duration: str) -> float:
    """An AlertManager duration such as 30s, 1m or 4h."""
    units = {"s": 1, "m": 60, "h": 3600}
    return float(duration[:-1]) * units[duration[-1]]


def test_the_workspace_configmap_carries_the_workspace_files() -> None:
    assert set(configmaps()["openclaw-workspace"]) == {"AGENTS.md", "SOUL.md", "TOOLS.md", "USER.md", "HEARTBEAT.md", "BOOTSTRAP.md"}


def test_every_skill_is_mounted_as_a_skill_dir_with_front_matter() -> None:
    import yaml

    data = configmaps()["openclaw-skills"]
    items = values()["persistence"]["skills"]["items"]
    assert sorted(i["key"] for i in items) == sorted(data)
    for item in items:
        name, leaf = item["path"].split("/")
        assert leaf == "SKILL.md"
        text = data[item["key"]]
        front = yaml.safe_load(text.split("---")[1])
        assert front["name"] == name and front["description"]


def test_the_network_policy_allows_what_the_seed_lists() -> None:
    spec = rendered_kind("NetworkPolicy")["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]

    def namespaces(peers: list[dict[str, Any]]) -> set[str]:
        return {p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in peers if "namespaceSelector" in p}

    ingress_from = set().union(*(namespaces(r["from"]) for r in spec["ingress"]))
    assert ingress_from == {"envoy-gateway-system", "monitoring", "media"}
    assert all(r["ports"] == [{"protocol": "TCP", "port": 18789}] for r in spec["ingress"])
    egress = spec["egress"]
    dns = [r for r in egress if any(p.get("podSelector", {}).get("matchLabels", {}).get("k8s-app") == "kube-dns" for p in r["to"])]
    assert dns and {(p["protocol"], p["port"]) for p in dns[0]["ports"]} == {("UDP", 53), ("TCP", 53)}
    public = [r for r in egress if any(p.get("ipBlock", {}).get("cidr") == "0.0.0.0/0" for p in r["to"])]
    assert public and public[0]["ports"] == [{"protocol": "TCP", "port": 443}]
    assert "10.0.0.0/8" in public[0]["to"][0]["ipBlock"]["except"]
    assert any(p["port"] == 6443 for r in egress for p in r["ports"])
    assert any("media" in namespaces(r["to"]) for r in egress)


def test_the_rendered_probes_read_the_gateway_endpoints() -> None:
    (app,) = rendered_kind("Deployment")["spec"]["template"]["spec"]["containers"]
    for kind in ("startupProbe", "readinessProbe"):
        assert app[kind]["httpGet"] == {"path": "/readyz", "port": 18789}, kind
    command = app["livenessProbe"]["exec"]["command"]
    assert command[:3] == ["python", "-I", "-c"] and "/healthz" in command[3] and "'ok'" in command[3]
    assert app["startupProbe"]["periodSeconds"] * app["startupProbe"]["failureThreshold"] >= 300


def test_the_rendered_service_serves_port_18789_to_the_gateway_container() -> None:
    service = rendered_kind("Service")
    assert service["metadata"]["name"] == "openclaw"  # http://openclaw.openclaw.svc:18789 in the docs
    assert service["spec"]["ports"] == [{"name": "http", "port": 18789, "targetPort": 18789, "protocol": "TCP"}]
    template = rendered_kind("Deployment")["spec"]["template"]
    assert service["spec"]["selector"].items() <= template["metadata"]["labels"].items()
    route = rendered_kind("HTTPRoute")
    assert route["spec"]["hostnames"] == ["openclaw.homelab.local"]
    (rule,) = route["spec"]["rules"]
    assert [(b["name"], b["port"]) for b in rule["backendRefs"]] == [("openclaw", 18789)]


def test_the_cluster_role_is_bound_to_the_service_account_the_pod_runs_as() -> None:
    account = rendered_kind("ServiceAccount")
    pod = rendered_kind("Deployment")["spec"]["template"]["spec"]
    binding = rendered_kind("ClusterRoleBinding")
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert pod["automountServiceAccountToken"] is True  # the agent calls the API with this token
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account["metadata"]["name"],
                                    "namespace": account["metadata"]["namespace"]}]
    assert binding["roleRef"]["name"] == rendered_kind("ClusterRole")["metadata"]["name"]


def test_the_example_config_is_the_json5_the_docs_describe() -> None:
    raw = json5.loads(configmaps()["openclaw-config"]["config.json5"])
    assert raw["hooks"]["token"] == "${OPENCLAW_HOOKS_TOKEN}"
    assert json.dumps(raw)  # plain data, no JSON5-only values


def test_the_skills_configmap_loads_with_the_project_skill_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Laid out as the pod mounts it (items: key -> <skill>/SKILL.md), every skill parses."""
    from openclaw.agent.skills import load_skills

    data = configmaps()["openclaw-skills"]
    mount = tmp_path / "skills"
    for item in values()["persistence"]["skills"]["items"]:
        target = mount / item["path"]
        target.parent.mkdir(parents=True)
        target.write_text(data[item["key"]])
    tools = tmp_path / "tools"  # the tools emptyDir, on PATH in the image
    tools.mkdir()
    (tools / "kubeconform").write_text("#!/bin/sh\n")
    (tools / "kubeconform").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ.get('PATH', '')}")
    catalog = load_skills(tmp_path / "workspace", [mount], {}, include_bundled=False)
    assert catalog.problems == []
    assert set(catalog.skills) == {"k8s-triage", "media-pipeline", "manifest-validation"}
    assert all(s.eligible for s in catalog.skills.values())
