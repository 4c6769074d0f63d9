"""A local Slack for the tests: the Web API's wire format (form or JSON bodies, `Authorization:
Bearer`, `{"ok": ...}` answers, 429 with `Retry-After`) and a Socket Mode WebSocket (`hello`,
envelopes, acknowledgements, `disconnect`), on loopback. The gateway's production client is
slack-sdk pointed here by `slack.apiUrl`.

It keeps what a workspace would: the messages of each channel with their thread replies and edits,
and ephemeral notes, so a test asserts what an operator would see.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"


@dataclass
class SlackMessage:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None
    edits: int = 0

    def buttons(self) -> dict[str, str]:
        return {e["action_id"]: e.get("value", "") for b in self.blocks if b.get("type") == "actions" for e in b["elements"]}


@dataclass
class FakeSlack:
    channels: set[str] = field(default_factory=lambda: {"CINCIDENTS", "CCRITICAL", "CDEFAULT"})
    messages: list[SlackMessage] = field(default_factory=list)
    ephemerals: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rate_limited: int = 0  # the next N chat.postMessage calls answer 429
    retry_after: int = 1
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    port: int = 0
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _site: web.TCPSite | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _acked: dict[str, asyncio.Event] = field(default_factory=dict)
    connections: int = 0

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # ---- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await self._listen()

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await self._site.start()
        if not self.port:
            self.port = self._runner.addresses[0][1]

    async def go_down(self) -> None:
        """Slack unreachable: the port refuses connections and open sockets drop."""
        for ws in list(self._sockets):
            await ws.close()
        assert self._site is not None
        await self._site.stop()

    async def come_back(self) -> None:
        await self._listen()

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- what a workspace shows ----------------------------------------------------------------

    def roots(self, channel: str | None = None) -> list[SlackMessage]:
        return [m for m in self.messages if m.thread_ts is None and (channel is None or m.channel == channel)]

    def thread(self, root: SlackMessage) -> list[SlackMessage]:
        return [m for m in self.messages if m.thread_ts == root.ts and m.channel == root.channel]

    def find(self, ts: str) -> SlackMessage | None:
        return next((m for m in self.messages if m.ts == ts), None)

    def methods(self) -> list[str]:
        return [name for name, _ in self.calls]

    # ---- Web API -------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            args = await request.json()
        else:
            args = dict(await request.post())
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else str(args.get("token") or "")
        self.calls.append((method, args))
        want = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != want:
            return web.json_response({"ok": False, "error": "invalid_auth" if token else "not_authed"})
        if method == "chat.postMessage" and self.rate_limited > 0:
            self.rate_limited -= 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(self.retry_after)})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(args))

    @staticmethod
    def _blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
        blocks = args.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else list(blocks)

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://homelab.slack.com/", "team": "homelab", "user": "openclaw", "team_id": "T1", "user_id": "UBOT", "bot_id": "B1"}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel, "name": channel.lower(), "is_member": True}}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        if channel not in self.channels and not channel.startswith("D"):
            return {"ok": False, "error": "channel_not_found"}
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        thread = args.get("thread_ts")
        self.messages.append(SlackMessage(channel, ts, str(args.get("text") or ""), self._blocks(args), str(thread) if thread else None))
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": args.get("text"), "ts": ts}}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self.find(str(args.get("ts")))
        if msg is None or msg.channel != args.get("channel"):
            return {"ok": False, "error": "message_not_found"}
        msg.text, msg.blocks, msg.edits = str(args.get("text") or ""), self._blocks(args), msg.edits + 1
        return {"ok": True, "channel": msg.channel, "ts": msg.ts, "text": msg.text}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self.ephemerals.append({"channel": args.get("channel"), "user": args.get("user"), "text": args.get("text")})
        return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"}

    # ---- Socket Mode ---------------------------------------------------------------------------

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.connections += 1
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"},
                            "debug_info": {"host": "local", "approximate_connection_time": 3600}})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                envelope = data.get("envelope_id")
                if envelope:
                    self.acks[envelope] = data
                    if envelope in self._acked:
                        self._acked[envelope].set()
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
        return ws

    async def wait_connected(self, timeout: float = 10.0) -> None:
        async def connected() -> None:
            while not self._sockets:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(connected(), timeout)

    async def send(self, kind: str, payload: dict[str, Any], *, timeout: float = 5.0) -> dict[str, Any]:
        """Deliver one envelope and return the client's acknowledgement (it must come within `timeout`)."""
        await self.wait_connected()
        envelope = str(uuid.uuid4())
        self._acked[envelope] = asyncio.Event()
        await self._sockets[-1].send_json({"envelope_id": envelope, "type": kind, "payload": payload, "accepts_response_payload": kind == "slash_commands",
                                           "retry_attempt": 0, "retry_reason": ""})
        await asyncio.wait_for(self._acked[envelope].wait(), timeout)
        return self.acks[envelope]

    async def disconnect(self) -> None:
        """Ask the client to reconnect, as Slack does before it recycles a connection."""
        for ws in list(self._sockets):
            await ws.send_json({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "local"}})


def block_action(user: str, action_id: str, value: str, *, channel: str, ts: str) -> dict[str, Any]:
    """An interactive `block_actions` payload, as Slack sends it for a button click."""
    return {"type": "block_actions", "user": {"id": user, "username": user.lower()}, "api_app_id": "A1", "team": {"id": "T1"},
            "container": {"type": "message", "message_ts": ts, "channel_id": channel}, "channel": {"id": channel},
            "message": {"ts": ts}, "response_url": "https://hooks.slack.invalid/actions/1",
            "actions": [{"action_id": action_id, "block_id": "b1", "value": value, "type": "button", "action_ts": "1.2"}]}


def mention(user: str, text: str, *, channel: str, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "ts": ts, "channel": channel, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event": event, "event_id": f"Ev{uuid.uuid4().hex[:10]}", "event_time": 1}
