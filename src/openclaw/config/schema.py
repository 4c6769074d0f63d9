"""The typed config schema.

JSON keys stay camelCase as SPEC gives them and map to snake_case fields through aliases. Sections
the gateway reads are strict (`extra="forbid"`), so a typo names the key. Sections owned by
capabilities still being built accept any keys for now ("room for the rest") and become strict as
those capabilities land.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel

from openclaw.config.secrecy import NotSecret, Secret

BindMode = Literal["loopback", "lan", "custom", "auto"]

DEFAULT_PORT = 18789


class Section(BaseModel):
    """A strict config section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=to_camel)


class OpenSection(BaseModel):
    """A section whose keys are not settled yet: accepted as given, typed later."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, alias_generator=to_camel)


class RateLimitSettings(Section):
    """Failed-auth limit per client IP."""

    max_attempts: int = Field(10, ge=1, description="failed attempts allowed per window")
    window_ms: int = Field(60_000, ge=1000, description="window length, milliseconds")
    lockout_ms: int = Field(300_000, ge=0, description="lockout after the limit, milliseconds")
    exempt_loopback: bool = Field(True, description="loopback clients that are not browsers are never limited")


class AuthSettings(Section):
    mode: Literal["token"] = "token"
    token: Secret | None = Field(None, description="shared gateway token; generated on first boot when absent")
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)


# Paths the gateway answers itself at the root, whatever the Control UI's base path and the webhook
# prefix; neither may sit on or under one of them.
GATEWAY_PATHS = ("/healthz", "/health", "/readyz", "/ready", "/metrics", "/ws")
# The UI also stays off the default webhook prefix.
CONTROL_UI_RESERVED_PATHS = ("/hooks", *GATEWAY_PATHS)
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def url_path(value: str, expected: str, reserved: tuple[str, ...]) -> str:
    """`value` as a URL path without its trailing slash (`/` stays `/`), or a ValueError that says
    what is wrong and `expected`: segments a browser and a reverse proxy pass on unchanged, not on
    or under a `reserved` path."""
    if not value.startswith("/"):
        raise ValueError(f"{value!r} does not start with '/': {expected}")
    path = value.rstrip("/") or "/"
    if path == "/":
        return path
    for segment in path[1:].split("/"):
        if not _PATH_SEGMENT.fullmatch(segment) or segment in (".", ".."):
            raise ValueError(f"{value!r} has the segment {segment!r}: {expected}")
    for own in reserved:
        if path == own or path.startswith(own + "/"):
            raise ValueError(f"{value!r} collides with the gateway's own {own}: {expected}")
    return path


class ControlUiSettings(Section):
    enabled: bool = True
    base_path: str = Field("/", description="URL path the Control UI is served under, e.g. /openclaw behind a reverse proxy")
    allowed_origins: list[str] = Field(default_factory=list, description="browser origins allowed to connect; '*' allows any")

    @field_validator("base_path")
    @classmethod
    def _check_base_path(cls, value: str) -> str:
        """`/` or a prefix such as /openclaw, stored without a trailing slash."""
        return url_path(value, "expected '/' or a URL path such as /openclaw (segments of letters, digits, '.', '_', '~', '-')", CONTROL_UI_RESERVED_PATHS)


OperatorScope = Literal["operator.read", "operator.write", "operator.admin", "operator.pairing", "operator.approvals"]


def _local_auto_approve_default() -> list[OperatorScope]:
    return ["operator.read", "operator.write", "operator.approvals"]


class PairingSettings(Section):
    """What the gateway approves without an operator."""

    local_auto_approve_scopes: list[OperatorScope] = Field(
        default_factory=_local_auto_approve_default,
        description="scopes a new local non-browser device is paired with at once; asking for more files a request an operator approves",
    )


class ReloadSettings(Section):
    mode: Literal["hybrid", "off"] = "hybrid"
    debounce_ms: int = Field(300, ge=0)


class GatewaySettings(Section):
    mode: Literal["local"] = "local"
    port: int = Field(DEFAULT_PORT, ge=1, le=65535)
    bind: BindMode = "loopback"
    custom_bind_host: str | None = None
    auth: AuthSettings = Field(default_factory=AuthSettings)
    control_ui: ControlUiSettings = Field(default_factory=ControlUiSettings)
    trusted_proxies: list[str] = Field(default_factory=list, description="IPs/CIDRs whose forwarding headers are believed")
    pairing: PairingSettings = Field(default_factory=PairingSettings)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: list[str]) -> list[str]:
        import ipaddress

        for entry in value:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or CIDR (e.g. 10.0.0.0/8)") from None
        return value
    reload: ReloadSettings = Field(default_factory=ReloadSettings)


class HookMappingMatch(Section):
    path: str
    source: str | None = None


class HookMapping(Section):
    id: str | None = None
    match: HookMappingMatch
    action: Literal["wake", "agent"] = "agent"
    name: str | None = None
    message_template: str | None = None
    text_template: str | None = None
    session_key: NotSecret | None = None  # a session's name, e.g. hook:gitea


# Per-hook body limits kept unless set: AlertManager sends every alert of a group in one
# notification (unless its receiver sets max_alerts), so a storm is one large body; at about
# 1.2 KB per kube-prometheus alert, 8 MiB holds about 7,000 alerts.
HOOK_BODY_LIMIT_DEFAULTS: dict[str, int] = {"alertmanager": 8 * 1024 * 1024}
ALERT_BYTES_ESTIMATE = 1200
BodyBytes = Annotated[int, Field(ge=1024)]


class HooksSettings(Section):
    enabled: bool = True
    token: Secret | None = Field(None, description="webhook token; must differ from gateway.auth.token")
    path: str = Field("/hooks", description="URL prefix of the webhooks: POST <path>/<name>")
    max_body_bytes: BodyBytes = Field(262_144, description="largest accepted webhook body, bytes (hooks not in maxBodyBytesByHook)")
    max_body_bytes_by_hook: dict[str, BodyBytes] = Field(
        default_factory=dict, description="largest body per hook name (alertmanager, sonarr, a mapping's path), bytes"
    )
    mappings: list[HookMapping] = Field(default_factory=list)
    agent_turns_per_sender: int = Field(
        16, ge=1, description="agent turns (/hooks/agent, mappings with action agent) one sender address may have queued or running; more get 429"
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_body_limit_defaults(cls, data: Any) -> Any:
        """A limit set for one hook keeps the others' defaults; a default is never below maxBodyBytes."""
        if not isinstance(data, dict):
            return data
        given = data.get("maxBodyBytesByHook", data.get("max_body_bytes_by_hook")) or {}
        general = data.get("maxBodyBytes", data.get("max_body_bytes"))
        if not isinstance(given, dict):
            return data
        floor = general if isinstance(general, int) and not isinstance(general, bool) else 0
        defaults = {hook: max(limit, floor) for hook, limit in HOOK_BODY_LIMIT_DEFAULTS.items()}
        data = {k: v for k, v in data.items() if k != "max_body_bytes_by_hook"}
        return {**data, "maxBodyBytesByHook": {**defaults, **given}}

    def body_limit(self, hook: str) -> tuple[int, str]:
        """The largest body `hook` accepts, and the config path that sets it."""
        limit = self.max_body_bytes_by_hook.get(hook)
        if limit is not None:
            return limit, f"hooks.maxBodyBytesByHook.{hook}"
        return self.max_body_bytes, "hooks.maxBodyBytes"

    @field_validator("path")
    @classmethod
    def _check_path(cls, value: str) -> str:
        """A prefix such as /hooks or /api/hooks, stored without a trailing slash."""
        expected = "expected a URL path prefix such as /hooks or /api/hooks (segments of letters, digits, '.', '_', '~', '-')"
        path = url_path(value, expected, GATEWAY_PATHS)
        if path == "/":
            raise ValueError(f"'/' would put webhooks over the Control UI and every other path: {expected}")
        return path


class SkillsLoadSettings(Section):
    dirs: list[str] = Field(default_factory=list, description="extra skill dirs; the pod mounts /skills")


class SkillsSettings(Section):
    load: SkillsLoadSettings = Field(default_factory=SkillsLoadSettings)


class EventsSettings(Section):
    retention_days: int = Field(30, ge=1, description="events older than this are pruned, days")
    journal_mode: Literal["auto", "delete", "truncate", "persist", "wal"] = Field(
        "auto", description="SQLite journal; auto picks WAL only on a local filesystem"
    )


class LoggingSettings(Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "text"] = "auto"


class ModelCost(Section):
    """Price per million tokens, in US dollars (0 for local models)."""

    input: float = Field(0.0, ge=0)
    output: float = Field(0.0, ge=0)
    cache_read: float = Field(0.0, ge=0)
    cache_write: float = Field(0.0, ge=0)


class ModelDefinition(Section):
    id: str = Field(min_length=1, description="model id as the provider names it")
    context_window: int = Field(200_000, ge=1024, description="context window, tokens")
    max_tokens: int = Field(4096, ge=1, description="largest reply, tokens")
    cost: ModelCost = Field(default_factory=ModelCost)


ModelApi = Literal["anthropic-messages", "openai-completions"]


class ModelProvider(Section):
    api: ModelApi = Field(
        "openai-completions",
        description="wire format: Anthropic Messages or OpenAI chat/completions; unset = the built-in provider's of the same id (anthropic, openai, ollama), else openai-completions",
    )
    base_url: str | None = Field(None, description="endpoint, e.g. http://ollama:11434/v1; unset = the vendor's")
    api_key: Secret | None = Field(None, description="key; ${VAR} keeps it out of files")
    max_retries: int = Field(4, ge=0, le=10, description="retries on 429/5xx/529 with exponential backoff")
    timeout_seconds: float = Field(120.0, gt=0, description="per-request timeout, seconds")
    models: list[ModelDefinition] = Field(default_factory=list)


# The wire format of the providers openclaw knows by name. An entry under one of these ids that
# leaves `api` out speaks it: `config set models.providers.anthropic.baseUrl URL` alone must not
# switch the wire format to OpenAI's.
BUILTIN_PROVIDER_APIS: dict[str, ModelApi] = {"anthropic": "anthropic-messages", "openai": "openai-completions", "ollama": "openai-completions"}
# Endpoint hosts whose wire format is known whatever the entry is named.
KNOWN_API_HOSTS: dict[str, ModelApi] = {"api.anthropic.com": "anthropic-messages", "api.openai.com": "openai-completions"}


class ModelsSettings(Section):
    providers: dict[str, ModelProvider] = Field(default_factory=dict, description="provider id -> endpoint")

    @model_validator(mode="before")
    @classmethod
    def _builtin_wire_formats(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("providers"), dict):
            return data
        providers = dict(data["providers"])
        for provider_id, entry in providers.items():
            builtin = BUILTIN_PROVIDER_APIS.get(provider_id)
            if builtin is not None and isinstance(entry, dict) and entry.get("api") is None:
                providers[provider_id] = {**entry, "api": builtin}
        return {**data, "providers": providers}


def provider_api_problems(models: ModelsSettings) -> list[str]:
    """Provider entries whose `api` does not match the provider they name or the host they call
    (for `openclaw doctor` and `config validate`): requests would go to the wrong path."""
    from urllib.parse import urlsplit

    out = []
    for provider_id, provider in models.providers.items():
        expected, why = BUILTIN_PROVIDER_APIS.get(provider_id), f"the built-in provider {provider_id!r}"
        host = urlsplit(provider.base_url).hostname if provider.base_url else None
        if host in KNOWN_API_HOSTS:
            expected, why = KNOWN_API_HOSTS[host], f"baseUrl {provider.base_url}"
        if expected is not None and provider.api != expected:
            out.append(
                f"models.providers.{provider_id}.api is {provider.api!r} but {why} speaks {expected!r}: "
                f"`openclaw config set models.providers.{provider_id}.api {expected}`, unless this endpoint is a proxy that speaks {provider.api!r}"
            )
    return out


class AgentModelSettings(Section):
    primary: str | None = Field(
        None, description="provider/model; unset = anthropic/claude-sonnet-4-5 when ANTHROPIC_API_KEY is set, else offline"
    )
    fallbacks: list[str] = Field(default_factory=list, description="provider/model tried in order when the primary fails")


class AgentHeartbeatSettings(Section):
    every: str = Field("30m", pattern=r"^\d+[smhd]?$", description="interval like 30m, 1h; 0m disables")
    prompt: str | None = Field(None, description="heartbeat prompt; unset = read HEARTBEAT.md, reply HEARTBEAT_OK if nothing to do")
    ack_max_chars: int = Field(300, ge=0, description="a HEARTBEAT_OK reply with at most this much extra text is dropped")


class AgentLimits(Section):
    max_steps: int = Field(12, ge=1, le=200, description="model calls per run; tools are withheld on the last")
    max_tool_calls: int = Field(30, ge=0, description="tool calls per run")
    tool_output_chars: int = Field(8000, ge=200, description="default output budget of one tool result, characters")
    tool_calls_per_incident: int = Field(60, ge=0, description="tool calls across all runs of one incident")
    tokens_per_incident: int = Field(500_000, ge=0, description="model tokens (in+out) across all runs of one incident")
    tool_calls_per_day: int = Field(1000, ge=0, description="tool calls per UTC day, all sessions")
    tokens_per_day: int = Field(5_000_000, ge=0, description="model tokens per UTC day, all sessions")


class AgentCompaction(Section):
    reserve_tokens: int = Field(20_000, ge=0, description="compact when context > contextWindow - reserveTokens")
    keep_recent_tokens: int = Field(20_000, ge=0, description="recent transcript kept verbatim after compaction")


class AgentDefaults(Section):
    model: AgentModelSettings = Field(default_factory=AgentModelSettings)
    workspace: str | None = Field(None, description="workspace dir; unset = <state>/workspace")
    max_tokens: int = Field(4096, ge=1, description="largest reply per model call, tokens")
    context_window: int | None = Field(None, ge=1024, description="override the model's context window, tokens")
    bootstrap_max_chars: int = Field(20_000, ge=100, description="cap per workspace file in the prompt, characters")
    bootstrap_total_max_chars: int = Field(60_000, ge=100, description="cap on all workspace files together, characters")
    heartbeat: AgentHeartbeatSettings = Field(default_factory=AgentHeartbeatSettings)
    limits: AgentLimits = Field(default_factory=AgentLimits)
    compaction: AgentCompaction = Field(default_factory=AgentCompaction)


class AgentsSettings(Section):
    defaults: AgentDefaults = Field(default_factory=AgentDefaults)


ActionKindName = Literal[
    "pod.delete", "workload.restart", "workload.scale", "jobs.cleanup", "cronjob.suspend",
    "node.cordon", "node.uncordon", "node.drain", "node.label", "node.taint", "volume.detach",
    "media.download.reannounce", "media.download.recheck", "media.download.retry", "media.queue.remove", "media.search", "media.scan",
    "media.refresh", "media.library.refresh", "media.request.retry", "media.request.approve",
    "media.request.decline", "media.request.scan",
]
PolicyMode = Literal["observe", "dry-run", "enforce"]

# Per-kind defaults: how often each action may run and whether a person signs it off.
ACTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "pod.delete": {"maxPerHour": 30, "maxPerObjectPerHour": 3},
    "workload.restart": {"maxPerHour": 10, "maxPerObjectPerHour": 3},
    "workload.scale": {"maxPerHour": 5, "maxPerObjectPerHour": 2},
    "jobs.cleanup": {"maxPerHour": 20, "maxPerObjectPerHour": 3},
    "cronjob.suspend": {"maxPerHour": 5, "maxPerObjectPerHour": 1},
    "node.cordon": {"maxPerHour": 3, "maxPerObjectPerHour": 2},
    "node.uncordon": {"maxPerHour": 3, "maxPerObjectPerHour": 2},
    "node.drain": {"maxPerHour": 2, "maxPerObjectPerHour": 1, "requireApproval": True},
    "node.label": {"maxPerHour": 10, "maxPerObjectPerHour": 3},
    "node.taint": {"maxPerHour": 5, "maxPerObjectPerHour": 2},
    # A node that is only cut off (not down) may still write to the volume: a person signs a detach off.
    "volume.detach": {"maxPerHour": 3, "maxPerObjectPerHour": 1, "requireApproval": True},
    "media.download.reannounce": {"maxPerHour": 30, "maxPerObjectPerHour": 2},
    "media.download.recheck": {"maxPerHour": 10, "maxPerObjectPerHour": 1},
    "media.download.retry": {"maxPerHour": 10, "maxPerObjectPerHour": 1},
    "media.queue.remove": {"maxPerHour": 10, "maxPerObjectPerHour": 2},
    "media.search": {"maxPerHour": 20, "maxPerObjectPerHour": 2},
    "media.scan": {"maxPerHour": 20, "maxPerObjectPerHour": 2},
    "media.refresh": {"maxPerHour": 20, "maxPerObjectPerHour": 2},
    "media.library.refresh": {"maxPerHour": 20, "maxPerObjectPerHour": 2},
    "media.request.retry": {"maxPerHour": 10, "maxPerObjectPerHour": 2},
    # Approving a request spends disk and bandwidth on someone's behalf: a person decides by default.
    "media.request.approve": {"maxPerHour": 10, "maxPerObjectPerHour": 1, "requireApproval": True},
    # Declining answers someone's request for good: a person decides, like approving.
    "media.request.decline": {"maxPerHour": 10, "maxPerObjectPerHour": 1, "requireApproval": True},
    # A scan job reads the whole "recently added" list of the media server: a few an hour are plenty.
    "media.request.scan": {"maxPerHour": 6, "maxPerObjectPerHour": 2},
}


def parse_duration_s(value: Any) -> Any:
    """`900`, `"90s"`, `"15m"`, `"1h"` -> seconds; anything else is left for the type check to reject."""
    if isinstance(value, str):
        text = value.strip().lower()
        units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
        for suffix in ("ms", "s", "m", "h"):
            if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
                return float(text[: -len(suffix)]) * units[suffix]
        if text.replace(".", "", 1).isdigit():
            return float(text)
        raise ValueError(f"expected a duration such as 900, '90s', '15m' or '1h', got {value!r}")
    return value


Seconds = Annotated[float, BeforeValidator(parse_duration_s), Field(gt=0)]


class ActionPolicy(Section):
    """Limits for one action kind (`ops.policy.actions["<kind>"]`)."""

    enabled: bool = Field(True, description="false refuses the action outright")
    max_per_hour: int = Field(10, ge=0, description="applied actions of this kind per rolling hour, all targets")
    max_per_object_per_hour: int = Field(3, ge=0, description="applied actions of this kind per rolling hour on one object")
    require_approval: bool = Field(False, description="park the action until an operator approves it")


class MediaPolicySettings(Section):
    """The rules only media actions have (`ops.policy.media.*`)."""

    searches_per_app_per_hour: int = Field(10, ge=0, description="media.search actions per app instance per rolling hour (indexers ban bulk searchers)")
    item_cooldown: Seconds = Field(600.0, description="after a media action on an item, the same kind waits this long before it runs on that item again, seconds (or '10m')")
    protected_tag: str = Field("keep", min_length=1, description="items tagged so (qBittorrent tag, Sonarr/Radarr tag label) are never changed")
    delete_requires_approval: bool = Field(True, description="a queue removal that deletes downloaded data from the client waits for an operator")
    keep_private_seeding: bool = Field(True, description="a removed private-tracker torrent stays in the client (changeCategory) so it keeps seeding")
    indexer_gate: bool = Field(True, description="no media.search while Prowlarr reports indexers disabled")


class KubeAccessSettings(Section):
    kubeconfig: str | None = Field(None, description="kubeconfig path; unset: in-cluster service account, then KUBECONFIG, then ~/.kube/config")
    context: str | None = Field(None, description="kubeconfig context; unset: the current context")
    request_timeout: Seconds = Field(10.0, description="per-request timeout, seconds")


class OpsPolicySettings(Section):
    """The one gate every cluster change passes (see docs/configuration.md, `ops.policy.*`)."""

    mode: PolicyMode = Field("enforce", description="observe: record only; dry-run: server-side dry run; enforce: apply")
    allowed_namespaces: list[str] = Field(default_factory=list, description="when non-empty, the only namespaces acted in")
    protected_namespaces: list[str] = Field(
        default_factory=lambda: ["kube-system", "kube-public", "argocd", "vault", "external-secrets", "openclaw"],
        description="namespaces never acted in, whatever else allows it",
    )
    max_pods_per_action: int = Field(10, ge=1, description="pods one action may delete or evict")
    max_agent_cordoned_nodes: int = Field(1, ge=0, description="nodes cordoned by openclaw at one time")
    argocd_aware: bool = Field(True, description="spec changes to ArgoCD-tracked objects become proposals")
    stale_attachment_after: Seconds = Field(600.0, description="volume.detach only once the node holding the volume has been NotReady this long, seconds (or '10m')")
    actions: dict[ActionKindName, ActionPolicy] = Field(default_factory=dict)
    media: MediaPolicySettings = Field(default_factory=MediaPolicySettings)

    @model_validator(mode="before")
    @classmethod
    def _fill_action_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        given = data.get("actions") or {}
        if not isinstance(given, dict):
            return data
        merged: dict[str, Any] = {}
        for kind, defaults in ACTION_DEFAULTS.items():
            own = given.get(kind) or {}
            merged[kind] = {**defaults, **own} if isinstance(own, dict) else own
        for kind, own in given.items():
            merged.setdefault(kind, own)
        return {**data, "actions": merged}

    def action(self, kind: str) -> ActionPolicy:
        found = self.actions.get(kind)  # type: ignore[call-overload]  # kind checked by the caller's enum
        return found if found is not None else ActionPolicy()


class OpsSettings(Section):
    kube: KubeAccessSettings = Field(default_factory=KubeAccessSettings)
    policy: OpsPolicySettings = Field(default_factory=lambda: OpsPolicySettings.model_validate({}))
    approval_timeout: Seconds = Field(900.0, description="a parked action expires after this, seconds (or '15m')")
    verify_timeout: Seconds = Field(120.0, description="how long verification waits for the expected state, seconds")
    verify_stable_for: float = Field(20.0, ge=0, description="the expected state must hold this long to count, seconds")
    runbooks_enabled: bool = Field(True, description="false: alerts are recorded and escalated, no runbook runs")
    fix_memory_window: Seconds = Field(6 * 3600.0, description="a runbook's fix of one object that the same failure follows within this long did not hold and is not repeated, seconds (or '6h')")
    recurrence_count: int = Field(3, ge=2, description="the same failure of one object this many times within ops.recurrenceWindow escalates (a failing CronJob is suspended through policy)")
    recurrence_window: Seconds = Field(24 * 3600.0, description="the window ops.recurrenceCount counts in, seconds (or '24h')")




# The operator scopes (core/scopes.py ALL_SCOPES; config sits below core, so it names them itself).
OPERATOR_SCOPES = ("operator.read", "operator.write", "operator.admin", "operator.pairing", "operator.approvals")


class SlackChannels(Section):
    """Where incidents go, by severity; a severity without its own channel uses `default`."""

    critical: str | None = Field(None, description="channel id for critical incidents")
    error: str | None = Field(None, description="channel id for error incidents")
    warning: str | None = Field(None, description="channel id for warning incidents")
    info: str | None = Field(None, description="channel id for info incidents; unset: default")
    media: str | None = Field(None, description="channel id for media requests and downloads; unset: default")
    default: str | None = Field(None, description="channel id for everything else, approvals without an incident thread")

    def for_severity(self, severity: str | None) -> str | None:
        own = getattr(self, (severity or "").lower(), None) if (severity or "").lower() in ("critical", "error", "warning", "info") else None
        return own or self.default

    def all(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v}


class SlackSettings(Section):
    """The Slack surface (docs/configuration.md, `slack.*`)."""

    enabled: bool = Field(False, description="connect to Slack and post incidents there")
    mode: Literal["socket", "http"] = Field("socket", description="socket: Socket Mode (no public ingress); http: /slack/events and /slack/interactive")
    bot_token: Secret | None = Field(None, description="xoxb- bot token; unset: $SLACK_BOT_TOKEN")
    app_token: Secret | None = Field(None, description="xapp- app-level token for Socket Mode; unset: $SLACK_APP_TOKEN")
    signing_secret: Secret | None = Field(None, description="request signing secret for HTTP mode; unset: $SLACK_SIGNING_SECRET")
    api_url: str = Field("https://slack.com/api/", description="Web API base URL")
    channels: SlackChannels = Field(default_factory=SlackChannels)
    min_severity: str = Field("warning", description="incidents below this severity are not posted")
    approvers: dict[str, list[str]] = Field(default_factory=dict, description="Slack user id -> operator scopes; operator.approvals may click Approve/Deny")
    allowed_users: list[str] = Field(default_factory=list, description="Slack user ids whose mentions, DMs and /openclaw commands are answered")
    grouping_window: Seconds = Field(60.0, description="incidents opened within this of a group's first share its message, seconds")
    debounce: float = Field(2.0, ge=0, description="a message waits this long for more changes before it is sent, seconds")
    channel_interval: float = Field(1.0, ge=0, description="at least this long between two messages to one channel, seconds")
    queue_limit: int = Field(10_000, ge=10, description="messages kept waiting for Slack; past it, new thread entries are dropped (roots still update)")
    retry_max_delay: Seconds = Field(30.0, description="longest wait between two tries while Slack is unreachable, seconds")
    chat_update_interval: float = Field(1.0, ge=0, description="a streamed agent reply is edited at most this often, seconds")

    @field_validator("approvers")
    @classmethod
    def _approver_scopes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for user, scopes in value.items():
            for scope in scopes:
                if scope not in OPERATOR_SCOPES:
                    raise ValueError(f"{user}: unknown scope {scope!r}; expected some of {', '.join(OPERATOR_SCOPES)}")
        return value


# Kinds of media app a client exists for (openclaw/media/clients/registry.py); add one with its client.
MEDIA_APP_KINDS = ("sonarr", "radarr", "lidarr", "prowlarr", "qbittorrent", "sabnzbd", "jellyseerr", "overseerr", "jellyfin", "plex")
KEY_OR_LOGIN_KINDS = ("qbittorrent",)  # an API key (5.2+) or a WebUI login


class MediaAppSettings(Section):
    """One media app instance (`media.apps.<name>`)."""

    kind: str = Field(description="one of " + ", ".join(MEDIA_APP_KINDS))
    url: str = Field(description="base URL, e.g. http://sonarr.media.svc:8989")
    api_key: Secret | None = Field(None, validate_default=True, description="the app's API key (Settings > General); write it as ${VAR}")
    username: str | None = Field(None, description="qBittorrent WebUI user, when no API key")
    password: Secret | None = Field(None, description="qBittorrent WebUI password, when no API key; write it as ${VAR}")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in MEDIA_APP_KINDS:
            raise ValueError(f"expected one of {', '.join(MEDIA_APP_KINDS)}, got {value!r}")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"expected an http(s) URL such as http://sonarr:8989, got {value!r}")
        return value.rstrip("/")

    @field_validator("api_key")
    @classmethod
    def _key_needed(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if not value and isinstance(kind, str) and kind not in KEY_OR_LOGIN_KINDS:
            raise ValueError(f"{kind} needs its API key (write it as ${{VAR}})")
        return value

    @model_validator(mode="after")
    def _login(self) -> MediaAppSettings:
        if self.kind in KEY_OR_LOGIN_KINDS and not self.api_key and not (self.username and self.password):
            raise ValueError("apiKey, or username and password: qBittorrent needs one of them")
        return self


class MediaSettings(Section):
    """The media pipeline manager (docs/configuration.md, `media.*`)."""

    apps: dict[str, MediaAppSettings] = Field(default_factory=dict, description="media app instances by name")
    poll_interval: Seconds = Field(60.0, description="how often every app is polled for what no webhook reports, seconds (or '1m')")
    request_timeout: Seconds = Field(10.0, description="per-call timeout for every media app, seconds")
    stuck_checks: int = Field(3, ge=3, description="consecutive checks an item must look stuck (strikes) before anything is done; progress resets them")
    pending_approval_after: Seconds = Field(1800.0, description="a Seerr request pending approval longer than this is stuck, seconds (or '30m')")
    library_grace: Seconds = Field(600.0, description="an imported item missing from Jellyfin or Plex, or listed but not yet available in Seerr, this long is stuck, seconds (or '10m')")
    fixes_enabled: bool = Field(True, description="false: stuck items are tracked and reported, no fix is attempted")


class CronSettings(Section):
    enabled: bool = Field(True, description="run the jobs in <state>/cron/jobs.json; false keeps them stored but idle")
    poll_seconds: float = Field(15.0, ge=1, le=300, description="how often the scheduler looks for due jobs, seconds")

class Settings(Section):
    """The root of the effective config."""

    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    hooks: HooksSettings = Field(default_factory=HooksSettings)
    skills: SkillsSettings = Field(default_factory=SkillsSettings)
    events: EventsSettings = Field(default_factory=EventsSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    # Owned by capabilities still being built; typed as each lands.
    ops: OpsSettings = Field(default_factory=OpsSettings)
    agents: AgentsSettings = Field(default_factory=AgentsSettings)
    models: ModelsSettings = Field(default_factory=ModelsSettings)
    media: MediaSettings = Field(default_factory=MediaSettings)
    channels: OpenSection = Field(default_factory=OpenSection)
    sandbox: OpenSection = Field(default_factory=OpenSection)
    cron: CronSettings = Field(default_factory=CronSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    env: dict[str, Secret] = Field(default_factory=dict, description="variables for tools and skills; every value is a secret")
    meta: dict[str, Any] = Field(default_factory=dict)

    @field_validator("hooks")
    @classmethod
    def _hooks_clear_of_the_control_ui(cls, hooks: HooksSettings, info: ValidationInfo) -> HooksSettings:
        """Webhooks are answered before any route, so a prefix over the UI's page or assets would hide them."""
        gateway = info.data.get("gateway")
        if not isinstance(gateway, GatewaySettings):
            return hooks  # gateway itself failed validation and is reported on its own
        base = gateway.control_ui.base_path
        assets = ("" if base == "/" else base) + "/ui"
        path = hooks.path
        if (base != "/" and (path == base or base.startswith(path + "/"))) or path == assets or path.startswith(assets + "/"):
            raise ValueError(
                f"hooks.path {path!r} would answer the Control UI's requests (gateway.controlUi.basePath {base!r}, "
                f"assets under {assets}/): expected a webhook prefix outside them, such as /hooks"
            )
        return hooks
