"""`hooks.agentTurnsPerSender` through a real gateway: while a sender's turns wait, one more agent
hook is refused with 429, Retry-After and the setting to raise; a wake hook is not counted; once the
turns end the sender is accepted again."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from agent_gateway_fixture import eventually

from openclaw.agent.capability import agent_of
from openclaw.gateway.embedded import run_embedded

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TOKEN = "hook-token-for-tests-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def test_a_sender_over_its_agent_turns_gets_429_until_its_turns_end(state_dir: Path) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "openclaw.json").write_text(json.dumps({"hooks": {"token": TOKEN, "agentTurnsPerSender": 2}}))
    async with run_embedded(state_dir) as gw:
        agent = agent_of(gw.services)
        session = agent.runtime.lock("hook:queue")
        await session.acquire()  # the turns wait behind this session's lock: queued, not finished
        try:
            async with httpx.AsyncClient(base_url=gw.http_url) as http:
                body = {"message": "disk almost full on nas", "sessionKey": "hook:queue"}
                for _ in range(2):
                    resp = await http.post("/hooks/agent", json=body, headers=AUTH)
                    assert resp.status_code == 202, resp.text
                refused = await http.post("/hooks/agent", json=body, headers=AUTH)
                assert refused.status_code == 429
                assert refused.headers["retry-after"] == "5"
                error = refused.json()["error"]
                assert error["code"] == "TOO_MANY_AGENT_TURNS"
                assert error["details"] == {"limit": 2, "setting": "hooks.agentTurnsPerSender", "sender": "127.0.0.1", "retryAfterS": 5}
                assert "hooks.agentTurnsPerSender" in error["message"] and "127.0.0.1" in error["message"]
                # A wake is no agent turn: not counted, not refused.
                wake = await http.post("/hooks/wake", json={"text": "ping", "mode": "next-heartbeat"}, headers=AUTH)
                assert wake.status_code == 202, wake.text
                session.release()

                async def drained() -> bool:
                    return agent.hook_quota.held("127.0.0.1") == 0 and not agent.chat.runs

                await eventually(drained, what="both turns to end")
                again = await http.post("/hooks/agent", json=body, headers=AUTH)
                assert again.status_code == 202, again.text
                await eventually(drained, what="the third turn to end")
        finally:
            if session.locked():
                session.release()
        # The refused event was not stored and started no turn: three turns, three user messages.
        entries = agent.runtime.sessions.read("hook:queue").message_entries()
        assert [e["message"]["role"] for e in entries] == ["user", "assistant"] * 3
