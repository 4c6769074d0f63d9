"""Secrets in the config, over the real WebSocket of an embedded gateway: redacted by what they are
for every reader, read in clear only by an admin through `config.reveal` (audited), masked in the
log, and never echoed by a refused write."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from openclaw.config import audit, store
from openclaw.config.redaction import REDACTED
from openclaw.gateway.client import GatewayError
from openclaw.gateway.device_identity import DeviceIdentity, identity_path, load_or_create
from openclaw.gateway.embedded import run_embedded

pytestmark = pytest.mark.e2e

OPENAI_KEY = "sk-proj-5mKq2ZyR8vXw3TnB7cLd"
SLACK_TOKEN = "xoxb-2211-8899-Qw3rTy"
PROVIDER_KEY = "ollama-key-7f3a9c1e55"
SONARR_KEY = "9f1c2e7a4b6d8e0f1a2b3c4d"
SECRETS = (OPENAI_KEY, SLACK_TOKEN, PROVIDER_KEY, SONARR_KEY)


def configure(state_dir: Path) -> None:
    """A config as an operator would have it: provider keys under env, a typed API key, an
    open section's key, and a mapping whose sessionKey is a name, not a secret."""
    store.set_value(state_dir, "env", {"OPENAI_API_KEY": OPENAI_KEY, "SLACK_BOT_TOKEN": SLACK_TOKEN, "TZ": "Europe/Berlin"})
    store.set_value(state_dir, "models.providers.ollama", {"baseUrl": "http://ollama:11434/v1", "apiKey": PROVIDER_KEY})
    store.set_value(state_dir, "media.apps.sonarr", {"kind": "sonarr", "url": "http://sonarr:8989", "apiKey": SONARR_KEY})
    store.set_value(state_dir, "hooks.mappings", [{"match": {"path": "gitea"}, "action": "wake", "textTemplate": "push", "sessionKey": "hook:gitea"}])


async def test_a_device_with_only_operator_read_sees_every_secret_redacted(state_dir: Path) -> None:
    configure(state_dir)
    async with run_embedded(state_dir) as gw:
        async with gw.client(identity=DeviceIdentity.generate(), scopes=["operator.read"]) as reader:
            assert reader.hello["auth"]["scopes"] == ["operator.read"]
            got = await reader.call("config.get")
    text = json.dumps(got)
    for secret in (*SECRETS, gw.token):
        assert secret not in text
    config = got["config"]
    assert config["env"] == {"OPENAI_API_KEY": REDACTED, "SLACK_BOT_TOKEN": REDACTED, "TZ": REDACTED}
    assert config["models"]["providers"]["ollama"]["apiKey"] == REDACTED
    assert config["media"]["apps"]["sonarr"]["apiKey"] == REDACTED
    # What is not a secret is shown as it is.
    assert config["models"]["providers"]["ollama"]["baseUrl"] == "http://ollama:11434/v1"
    assert config["media"]["apps"]["sonarr"]["url"] == "http://sonarr:8989"
    assert config["hooks"]["mappings"][0]["sessionKey"] == "hook:gitea"
    assert config["agents"]["defaults"]["maxTokens"] == 4096
    assert got["sources"]["env.OPENAI_API_KEY"] == "state"


async def test_reveal_is_refused_without_admin_and_audited_with_it(state_dir: Path) -> None:
    configure(state_dir)
    async with run_embedded(state_dir) as gw:
        async with gw.client(identity=DeviceIdentity.generate(), scopes=["operator.read"]) as reader:
            with pytest.raises(GatewayError) as refused:
                await reader.call("config.reveal", {"path": "env.OPENAI_API_KEY"})
        assert refused.value.code == "FORBIDDEN" and refused.value.details["code"] == "MISSING_SCOPE"
        assert OPENAI_KEY not in str(refused.value)
        assert audit.read_records(state_dir) == []

        async with gw.client() as admin:
            shown = await admin.call("config.reveal", {"path": "env.OPENAI_API_KEY"})
            whole = await admin.call("config.reveal", {"path": "env"})
            with pytest.raises(GatewayError) as missing:
                await admin.call("config.reveal", {"path": "env.NOT_SET"})
    assert shown == {"path": "env.OPENAI_API_KEY", "value": OPENAI_KEY, "source": "state", "secrets": ["env.OPENAI_API_KEY"]}
    assert whole["value"]["SLACK_BOT_TOKEN"] == SLACK_TOKEN
    assert missing.value.code == "INVALID_REQUEST" and "env.NOT_SET" in missing.value.message

    records = audit.read_records(state_dir)
    assert [r["path"] for r in records] == ["env.OPENAI_API_KEY", "env"]  # the refused lookup revealed nothing
    first = records[0]
    admin_id = load_or_create(identity_path(state_dir)).device_id
    assert first["action"] == "config.reveal" and first["via"] == "gateway"
    assert first["actor"]["deviceId"] == admin_id and "operator.admin" in first["actor"]["scopes"]
    assert records[1]["secrets"] == ["env.OPENAI_API_KEY", "env.SLACK_BOT_TOKEN", "env.TZ"]
    log_text = audit.audit_path(state_dir).read_text()
    assert not any(secret in log_text for secret in SECRETS)  # the record names paths, never values
    assert oct(audit.audit_path(state_dir).stat().st_mode & 0o777) == "0o600"


async def test_a_log_line_with_an_env_secret_is_masked_in_the_log_tail(state_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    configure(state_dir)
    async with run_embedded(state_dir) as gw:
        log = logging.getLogger("openclaw.test.provider")
        log.warning("provider.refused", extra={"detail": f"401 for key {OPENAI_KEY}", "request": {"headers": {"x-api": SONARR_KEY}}})
        try:
            raise RuntimeError(f"upstream said: bad key {PROVIDER_KEY}")
        except RuntimeError:
            log.exception("provider.failed")
        async with gw.client(identity=DeviceIdentity.generate(), scopes=["operator.read"]) as reader:
            tail = await reader.call("logs.tail", {"limit": 1000})
    lines = [line for line in tail["lines"] if line["logger"] == "openclaw.test.provider"]
    assert [line["msg"] for line in lines] == ["provider.refused", "provider.failed"]
    assert lines[0]["detail"].startswith("401 for key sk-p")
    printed = capfd.readouterr().err
    assert "provider.failed" in printed and "upstream said: bad key" in printed
    for secret in SECRETS:
        assert secret not in json.dumps(tail["lines"])
        assert secret not in printed


async def test_a_refused_config_set_never_echoes_the_secret_it_was_given(state_dir: Path) -> None:
    configure(state_dir)
    async with run_embedded(state_dir) as gw:
        before = (state_dir / "openclaw.json").read_text()
        async with gw.client() as admin:
            current = await admin.call("config.get")
            with pytest.raises(GatewayError) as wrong_type:
                # A token pasted where the whole env map belongs.
                await admin.call("config.set", {"path": "env", "value": OPENAI_KEY, "baseHash": current["hash"]})
            with pytest.raises(GatewayError) as nested:
                await admin.call("config.set", {"path": "hooks.token", "value": {"value": SLACK_TOKEN}, "baseHash": current["hash"]})
            with pytest.raises(GatewayError) as placeholder:
                # A client that sends back what config.get showed would store the placeholder.
                await admin.call("config.patch", {"patch": {"env": current["config"]["env"]}, "baseHash": current["hash"]})
    for refused in (wrong_type.value, nested.value):
        assert refused.code == "INVALID_REQUEST"
        assert OPENAI_KEY not in json.dumps(refused.details) + refused.message
        assert SLACK_TOKEN not in json.dumps(refused.details) + refused.message
        assert "<redacted>" in refused.message
    assert "env" in wrong_type.value.message and "hooks.token" in nested.value.message
    assert "env.OPENAI_API_KEY" in placeholder.value.message and "placeholder" in placeholder.value.message
    assert (state_dir / "openclaw.json").read_text() == before


async def test_a_malformed_path_is_a_clear_refusal_not_a_gateway_failure(state_dir: Path) -> None:
    async with run_embedded(state_dir) as gw:
        async with gw.client() as admin:
            current = await admin.call("config.get")
            with pytest.raises(GatewayError) as set_refused:
                await admin.call("config.set", {"path": "env..OPENAI_API_KEY", "value": OPENAI_KEY, "baseHash": current["hash"]})
            with pytest.raises(GatewayError) as reveal_refused:
                await admin.call("config.reveal", {"path": "env[unclosed"})
    for refused in (set_refused.value, reveal_refused.value):
        assert refused.code == "INVALID_REQUEST" and refused.details["field"] == "path"
    assert "empty key" in set_refused.value.message and OPENAI_KEY not in set_refused.value.message
    assert "unclosed" in reveal_refused.value.message


async def test_an_audited_action_that_quotes_a_config_secret_is_stored_masked(state_dir: Path) -> None:
    """A model's reason (or a pod's captured logs) may quote a secret it saw; the policy audit
    table, which every read-only device can list, keeps it masked."""
    from openclaw.ops.refs import ObjectRef
    from openclaw.policy.capability import audit_path, policy_of
    from openclaw.policy.models import ActionKind, ActionRequest, Actor

    configure(state_dir)
    async with run_embedded(state_dir) as gw:
        request = ActionRequest(
            ActionKind.POD_DELETE,
            ObjectRef("Pod", "coredns-0", namespace="kube-system"),
            Actor.agent("incident:inc-1"),
            f"the pod logs 'auth failed for {SONARR_KEY}', restart it",
            params={"note": f"key {OPENAI_KEY}"},
        )
        decision = await policy_of(gw.services).submit(request)
        async with gw.client(identity=DeviceIdentity.generate(), scopes=["operator.read"]) as reader:
            listed = await reader.call("actions.list")
    assert str(decision.outcome) == "refused"  # a protected namespace: the door refused it
    [row] = listed["actions"]
    assert row["reason"] == "the pod logs 'auth failed for 9f1c…', restart it"
    db = audit_path(state_dir)
    stored = b"".join(f.read_bytes() for f in db.parent.glob(db.name + "*"))  # the journal or WAL too
    for secret in (SONARR_KEY, OPENAI_KEY):
        assert secret not in json.dumps(row)
        assert secret.encode() not in stored


async def test_a_secret_from_the_environment_is_hidden_wherever_a_reference_puts_it(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`${LLM_API_KEY}` inside a URL lands in a field that is not a secret; the value still is."""
    env_key = "llm-key-Zx81Qp27Lm45"
    monkeypatch.setenv("LLM_API_KEY", env_key)
    store.set_value(state_dir, "models.providers.vllm", {"baseUrl": "http://vllm:8000/v1?api_key=${LLM_API_KEY}", "apiKey": "${LLM_API_KEY}"})
    async with run_embedded(state_dir) as gw:
        logging.getLogger("openclaw.test.provider").warning("provider.slow", extra={"detail": f"GET /v1/models with {env_key} took 9s"})
        async with gw.client(identity=DeviceIdentity.generate(), scopes=["operator.read"]) as reader:
            got = await reader.call("config.get")
            tail = await reader.call("logs.tail", {"limit": 1000})
        async with gw.client() as admin:
            shown = await admin.call("config.reveal", {"path": "models.providers.vllm"})
    assert got["config"]["models"]["providers"]["vllm"]["baseUrl"] == REDACTED
    assert env_key not in json.dumps(got) and env_key not in json.dumps(tail)
    assert shown["value"]["baseUrl"] == f"http://vllm:8000/v1?api_key={env_key}"
    assert shown["secrets"] == ["models.providers.vllm.baseUrl", "models.providers.vllm.apiKey"]
    assert "${LLM_API_KEY}" in (state_dir / "openclaw.json").read_text()  # never written back resolved


async def test_an_incident_note_that_quotes_a_config_secret_is_stored_masked(state_dir: Path) -> None:
    """An escalation carries a crashing pod's logs; the app may have logged its own API key."""
    from openclaw.incidents import incidents_of

    configure(state_dir)
    async with run_embedded(state_dir) as gw:
        incidents = incidents_of(gw.services)
        await incidents.attach_note(None, "escalation", "runbook:crashloop", f"sonarr exits: 401 for {SONARR_KEY}", {"logs": [f"GET /api/v3/series?apikey={SONARR_KEY}"], "exitCode": 1})
        [note] = await incidents.list_notes()
    assert note.summary == "sonarr exits: 401 for 9f1c…"
    assert note.data == {"logs": ["GET /api/v3/series?apikey=9f1c…"], "exitCode": 1}
    stored = b"".join(f.read_bytes() for f in state_dir.glob("events.db*"))
    assert SONARR_KEY.encode() not in stored
