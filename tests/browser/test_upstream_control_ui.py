"""The upstream OpenClaw Control UI (the built assets in the `openclaw` npm package), served from
its own loopback port and opened in chromium against this gateway, as a user of that project would."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, WebSocket, expect

from servers import Gateway, StaticSite
from upstream_clients import upstream_clients

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COMPAT_DOC = Path(__file__).resolve().parents[2] / "docs" / "UPSTREAM-COMPAT.md"


class Frames:
    """The RPC traffic between the page and the gateway: what was asked, what was answered."""

    def __init__(self, gateway_port: int) -> None:
        self.port = gateway_port
        self.asked: dict[str, str] = {}
        self.answers: dict[str, dict[str, Any]] = {}
        self.socket_of: dict[str, int] = {}
        self.closed: set[int] = set()

    def watch(self, ws: WebSocket) -> None:
        if f":{self.port}" not in ws.url:
            return
        ws.on("framesent", lambda payload: self._seen(ws, payload, sent=True))
        ws.on("framereceived", lambda payload: self._seen(ws, payload, sent=False))
        ws.on("close", lambda _: self.closed.add(id(ws)))

    def _seen(self, ws: WebSocket, payload: str | bytes, *, sent: bool) -> None:
        try:
            frame = json.loads(payload)
        except ValueError:
            return
        if sent and frame.get("type") == "req":
            self.asked[frame["id"]] = frame["method"]
            self.socket_of[frame["id"]] = id(ws)
        elif not sent and frame.get("type") == "res":
            self.answers[frame["id"]] = frame

    def unanswered(self) -> list[str]:
        """Requests still waiting on a socket that is still open (the page may drop a socket
        with a call in flight when it reconnects; that is not the gateway hanging)."""
        return [m for rid, m in self.asked.items() if rid not in self.answers and self.socket_of[rid] not in self.closed]

    def answered(self, method: str) -> bool:
        return any(self.asked.get(rid) == method for rid in self.answers)

    def unknown_methods(self) -> set[str]:
        return {self.asked[rid] for rid, res in self.answers.items() if rid in self.asked and not res["ok"] and "unknown method" in res["error"]["message"]}


@pytest.fixture
def upstream_site(tmp_path: Path) -> Iterator[StaticSite]:
    site = StaticSite(tmp_path, files=upstream_clients().control_ui)
    yield site
    site.close()


def test_upstream_control_ui_pairs_and_chats(
    context: BrowserContext, page: Page, make_gateway: Callable[..., Gateway], upstream_site: StaticSite
) -> None:
    gw = make_gateway()
    frames = Frames(gw.port)
    page.on("websocket", frames.watch)
    # The link form upstream's `openclaw dashboard` prints, pointing the page at this gateway.
    page.goto(f"http://127.0.0.1:{upstream_site.port}/#gatewayUrl=ws://127.0.0.1:{gw.port}&token={gw.token}")
    page.get_by_role("button", name=f"Switch to 127.0.0.1:{gw.port}").click()

    approve = page.get_by_text(re.compile(r"openclaw devices approve \S+"))
    expect(approve).to_be_visible()
    request_id = approve.inner_text().split()[-1]
    pending = json.loads(gw.cli("devices", "list", "--json").stdout)["pending"]
    assert [(p["requestId"], p["clientId"]) for p in pending] == [(request_id, "openclaw-control-ui")]
    gw.cli("devices", "approve", request_id)  # this project's CLI, on the gateway host
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_text("Connected")).to_be_visible()

    composer = page.get_by_placeholder("Message Assistant")
    expect(composer).to_be_visible()
    composer.fill("hello there")
    composer.press("Enter")
    expect(page.get_by_role("paragraph").filter(has_text="No model is configured")).to_be_visible()  # the offline agent's reply
    question = page.get_by_role("paragraph").filter(has_text="hello there")
    expect(question).to_be_visible()
    # When the run ends the page reloads the transcript and matches the message it showed by its
    # run id (the idempotency key it sent): the question must stay above the reply.
    for _ in range(100):
        if frames.answered("chat.history"):
            break
        page.wait_for_timeout(100)
    assert frames.answered("chat.history"), "the page never reloaded the transcript after the run"
    page.wait_for_timeout(500)  # one render after that answer
    asked, said = question.bounding_box(), page.get_by_role("paragraph").filter(has_text="No model is configured").bounding_box()
    assert asked and said and asked["y"] < said["y"], "the reply is shown above the question"

    # Every call the page made was answered (no hang); what this gateway lacks is a clear refusal.
    for _ in range(150):  # page.wait_for_timeout, not sleep: Playwright delivers frame events only inside its calls
        if not frames.unanswered():
            break
        page.wait_for_timeout(100)
    assert not frames.unanswered(), f"requests the gateway never answered: {frames.unanswered()}"
    unknown = frames.unknown_methods()
    assert "chat.send" not in unknown and unknown, "expected the page to call some upstream-only methods"
    for rid, res in frames.answers.items():
        if not res["ok"] and "unknown method" in res["error"]["message"]:
            assert res["error"]["code"] == "INVALID_REQUEST" and res["error"]["details"]["code"] == "UNKNOWN_METHOD"
            assert res["error"]["message"] == f"unknown method: {frames.asked[rid]}"
    documented = set(re.findall(r"^\| `([a-zA-Z0-9_.-]+)` \| not supported", COMPAT_DOC.read_text(), re.M))
    assert unknown <= documented, f"undocumented in docs/UPSTREAM-COMPAT.md: {sorted(unknown - documented)}"
    assert gw.call("health")["ok"] is True
