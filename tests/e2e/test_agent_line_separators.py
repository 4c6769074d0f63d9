"""A U+2028 in what a webhook or an operator says leaves its session working: four `/hooks/agent`
turns and two chat turns through the real gateway, each reply seeing the whole history, and
`chat.history` still answering with the text as it was sent."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from agent_gateway_fixture import HOOK_TOKEN, agent_stack, eventually, say
from agent_model_servers import forbid_real_model_requests

from openclaw.gateway.client import GatewayClient

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SESSION = "hook:media-titles"


@pytest.fixture(autouse=True)
def _guard(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_real_model_requests(monkeypatch)


def count_turns(body: dict[str, Any]) -> dict[str, Any]:
    # The reply names how many messages the model was sent: a lost history shows as a wrong count.
    return say(f"seen {len(body['messages'])} messages")


async def replies(client: GatewayClient, key: str) -> list[str]:
    history = await client.call("chat.history", {"sessionKey": key})
    return [m["content"][0]["text"] for m in history["messages"] if m["role"] == "assistant"]


async def test_line_separators_in_hook_and_chat_messages_leave_the_session_working(state_dir: Path) -> None:
    titles = ["Movie\u2028Title (2024)", "Para\u2029graph", "Next\x85Line", "Form\x0cFeed\x1cFS"]
    async with agent_stack(state_dir, [count_turns] * 6) as stack:
        async with httpx.AsyncClient(base_url=stack.gateway.http_url) as http, stack.gateway.client() as client:
            for n, title in enumerate(titles, start=1):
                resp = await http.post("/hooks/agent", json={"message": f"Grabbed {title}", "name": "radarr", "sessionKey": SESSION},
                                       headers={"Authorization": f"Bearer {HOOK_TOKEN}"})
                assert resp.status_code == 202, resp.text

                async def answered(n: int = n) -> list[str] | None:
                    got = await replies(client, SESSION)
                    return got if len(got) >= n else None

                got = await eventually(answered, what=f"hook turn {n}")
                # Every turn succeeded and saw the turns before it (user, assistant, ..., user).
                assert got == [f"seen {2 * k - 1} messages" for k in range(1, n + 1)]
            history = await client.call("chat.history", {"sessionKey": SESSION})
            users = [m["content"][0]["text"] for m in history["messages"] if m["role"] == "user"]
            assert [t for t in titles if any(t in u for u in users)] == titles

            for n, text in enumerate(["what is\u2028this?", "and\u2029that?"], start=1):
                ack = await client.call("chat.send", {"sessionKey": "agent:main:main", "message": text, "idempotencyKey": uuid.uuid4().hex})
                assert ack["status"] == "started"

                async def chatted(n: int = n) -> list[str] | None:
                    got = await replies(client, "agent:main:main")
                    return got if len(got) >= n else None

                assert (await eventually(chatted, what=f"chat turn {n}"))[-1] == f"seen {2 * n - 1} messages"
            history = await client.call("chat.history", {"sessionKey": "agent:main:main"})
            assert [m["content"][0]["text"] for m in history["messages"] if m["role"] == "user"] == ["what is\u2028this?", "and\u2029that?"]
        # The fourth hook turn sent the model the whole history, separators as they were written.
        sent = "".join(b.get("text", "") for m in stack.model.requests[3].body["messages"] for b in m["content"])
        assert all(title in sent for title in titles)
