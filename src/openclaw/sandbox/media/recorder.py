"""What the simulated apps were asked: every request with its body and the status it got, so an
end-to-end test can assert on the calls the agent made (e.g. `DELETE /api/v3/queue/7?blocklist=true`)."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    app: str
    method: str
    path: str
    query: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class RequestRecorder:
    """The last `limit` requests the simulated apps received, oldest first."""

    def __init__(self, limit: int = 5000) -> None:
        self.requests: deque[ReceivedRequest] = deque(maxlen=limit)

    def of(self, app: str | None = None, *, method: str | None = None, path: str | None = None) -> list[ReceivedRequest]:
        """Requests filtered by app, method and path prefix."""
        return [r for r in self.requests if (app is None or r.app == app) and (method is None or r.method == method)
                and (path is None or r.path.startswith(path))]


class RecordingMiddleware:
    """Outermost layer of each app: records the request (refused ones too) once it was answered."""

    def __init__(self, app: ASGIApp, *, recorder: RequestRecorder, name: str) -> None:
        self.app, self.recorder, self.name = app, recorder, name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        status = 500

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive_and_keep, send_and_note)
        finally:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
            self.recorder.requests.append(ReceivedRequest(self.name, scope["method"], scope["path"], query, b"".join(chunks), status))
