"""The Slack tokens the gateway uses, from its config or the deploy's environment, are masked in
the log like the gateway token."""

from __future__ import annotations

from pathlib import Path

import pytest

from openclaw.config import store
from openclaw.gateway import server


def test_slack_tokens_from_config_and_environment_are_redacted(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-from-the-environment-123")
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    store.set_value(state_dir, "slack.botToken", "xoxb-from-the-config-456")
    plan = server.prepare(state_dir, port=0, bind="loopback")
    assert "xapp-from-the-environment-123" in plan.services.redactor.secrets
    assert "xoxb-from-the-config-456" in plan.services.redactor.secrets
