"""`openclaw config get` as an operator runs it: secrets redacted by what they are, `--reveal`
through the running gateway (operator.admin, audited) or, with none running, from the state dir
with the same audit record; a refused `config set` never prints the secret it was given."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from openclaw.config import audit, store
from openclaw.config.redaction import REDACTED
from openclaw.gateway import runtime
from openclaw.gateway.device_identity import identity_path, load_or_create
from openclaw.gateway.embedded import run_embedded

pytestmark = pytest.mark.e2e

OPENAI_KEY = "sk-proj-5mKq2ZyR8vXw3TnB7cLd"
SLACK_TOKEN = "xoxb-2211-8899-Qw3rTy"


def cli_env(state_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
    return {**env, "OPENCLAW_STATE_DIR": str(state_dir), "NO_COLOR": "1"}


async def openclaw(state_dir: Path, *args: str) -> tuple[int, str, str]:
    """The real CLI in a subprocess; the event loop keeps serving an embedded gateway meanwhile."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "openclaw", *args, env=cli_env(state_dir), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


@pytest.fixture
def configured(state_dir: Path) -> Path:
    store.set_value(state_dir, "env", {"OPENAI_API_KEY": OPENAI_KEY, "SLACK_BOT_TOKEN": SLACK_TOKEN})
    return state_dir


async def test_config_get_redacts_every_env_value_and_reveal_reads_the_state_dir_audited(configured: Path) -> None:
    code, out, err = await openclaw(configured, "config", "get", "env", "--json")
    assert code == 0, err
    assert json.loads(out) == {"OPENAI_API_KEY": REDACTED, "SLACK_BOT_TOKEN": REDACTED}
    code, out, _ = await openclaw(configured, "config", "get", "env.OPENAI_API_KEY", "--source")
    assert out.strip() == f"{REDACTED}  (source: state)"
    assert audit.read_records(configured) == []

    # No gateway runs: the CLI reads the state dir itself, and records that it did.
    code, out, err = await openclaw(configured, "config", "get", "env.OPENAI_API_KEY", "--reveal")
    assert code == 0, err
    assert out.strip() == OPENAI_KEY
    [record] = audit.read_records(configured)
    assert record["via"] == "state-dir" and record["path"] == "env.OPENAI_API_KEY" and record["secrets"] == ["env.OPENAI_API_KEY"]
    assert record["actor"]["uid"] == os.getuid()


async def test_reveal_goes_through_the_running_gateway_which_audits_it(configured: Path) -> None:
    async with run_embedded(configured) as gw:
        runtime.write(configured, host="127.0.0.1", port=gw.port)  # as `openclaw gateway` does once it listens
        code, out, err = await openclaw(configured, "config", "get", "env", "--reveal", "--json", "--source")
        redacted = await openclaw(configured, "config", "get", "env.SLACK_BOT_TOKEN", "--url", f"ws://127.0.0.1:{gw.port}", "--token", gw.token)
    assert code == 0, err
    assert json.loads(out) == {"path": "env", "value": {"OPENAI_API_KEY": OPENAI_KEY, "SLACK_BOT_TOKEN": SLACK_TOKEN}, "source": "state"}
    assert redacted[0] == 0 and redacted[1].strip() == REDACTED, redacted
    [record] = audit.read_records(configured)
    assert record["via"] == "gateway" and record["secrets"] == ["env.OPENAI_API_KEY", "env.SLACK_BOT_TOKEN"]
    assert record["actor"]["deviceId"] == load_or_create(identity_path(configured)).device_id


async def test_a_refused_config_set_names_the_path_but_never_prints_the_value(configured: Path) -> None:
    before = (configured / "openclaw.json").read_text()
    code, out, err = await openclaw(configured, "config", "set", "env", OPENAI_KEY)
    assert code == 1 and "env" in err and "<redacted>" in err
    assert OPENAI_KEY not in out + err
    code, out, err = await openclaw(configured, "config", "set", "gateway.auth.token", REDACTED)
    assert code == 1 and "gateway.auth.token" in err and "placeholder" in err
    assert (configured / "openclaw.json").read_text() == before


async def test_reveal_from_a_device_paired_read_only_is_refused_and_prints_nothing(configured: Path, tmp_path: Path) -> None:
    """An operator's laptop, paired with operator.read only, asks the pod's gateway through an
    ingress: the reveal needs operator.admin, which that pairing does not give."""
    from forwarding_proxy import ForwardingProxy

    from openclaw.gateway.pairing import PairingStore

    laptop = tmp_path / "laptop"
    identity = load_or_create(identity_path(laptop))
    pairing = PairingStore(configured)
    request, _ = pairing.request({"deviceId": identity.device_id, "publicKey": identity.public_key_b64url, "role": "operator", "scopes": ["operator.read"]})
    pairing.approve(request["requestId"])
    async with run_embedded(configured) as gw:
        proxy = ForwardingProxy("10.0.0.7", gw.port)
        try:
            code, out, err = await openclaw(laptop, "config", "get", "env.OPENAI_API_KEY", "--reveal", "--url", proxy.ws_url, "--token", gw.token)
        finally:
            proxy.close()
    assert code == 1
    assert OPENAI_KEY not in out + err
    # Asking for more than the pairing gave is a new pairing request an operator must approve.
    assert "not paired this device" in err or "operator.admin" in err, err
    assert audit.read_records(configured) == []
    assert not audit.audit_path(laptop).exists()  # with --url nothing is read or written locally instead
