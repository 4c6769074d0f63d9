"""Socket Mode against the local Slack: the gateway dials in with the app token, answers a slash
command in its acknowledgement, and reconnects when Slack sends `disconnect` or the socket drops."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_lab import OPERATOR, configure, until
from slack_servers import FakeSlack

from openclaw.gateway.embedded import run_embedded

pytestmark = [pytest.mark.e2e]


async def test_socket_mode_acks_commands_and_reconnects(state_dir: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    try:
        configure(state_dir, fake)
        async with run_embedded(state_dir) as gw:
            ack = await fake.send("slash_commands", {"command": "/openclaw", "text": "status", "user_id": OPERATOR, "channel_id": "CINCIDENTS"})
            assert "0 incident(s) firing" in ack["payload"]["text"]
            stranger = await fake.send("slash_commands", {"command": "/openclaw", "text": "incidents", "user_id": "USTRANGER", "channel_id": "C1"})
            assert "not in slack.allowedUsers" in stranger["payload"]["text"]
            await fake.disconnect()
            await until(lambda: fake.connections >= 2, what="a new connection after disconnect")
            again = await fake.send("slash_commands", {"command": "/openclaw", "text": "nonsense", "user_id": OPERATOR, "channel_id": "C1"})
            assert again["payload"]["text"].startswith("Usage: /openclaw")
            async with gw.client() as client:
                status = (await client.call("slack.status"))["slack"]
            assert status["enabled"] and status["mode"] == "socket" and status["connected"] is True
            assert status["botToken"] is True and "xoxb" not in str(status), "tokens are reported as present, never shown"
    finally:
        await fake.stop()
