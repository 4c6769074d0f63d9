"""Local HTTP servers that speak the model providers' documented wire formats, for the agent's
wire-level tests: the Anthropic Messages API (`POST /v1/messages`, JSON and SSE) and the OpenAI
chat/completions API (`POST /v1/chat/completions`, JSON and SSE). Each plays a script of turns and
records every request it received (headers and body)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Recorded:
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class ScriptedServer:
    """`turns` are played in order: a dict with `error` + `status` answers with that error;
    otherwise `content` (Anthropic blocks), `stop_reason` and `usage` describe the reply."""

    # A turn is a dict, or a function of the request body returning one (to react to tool results).
    turns: list[Any] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    chunk_delay: float = 0.0
    disconnected: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    def next_turn(self, body: dict[str, Any]) -> dict[str, Any]:
        if not self.turns:
            return {"status": 500, "error": {"type": "api_error", "message": "script exhausted"}}
        turn = self.turns.pop(0)
        return turn(body) if callable(turn) else turn  # type: ignore[no-any-return]  # a scripted turn


# ---- Anthropic Messages API ----------------------------------------------------------------------


def anthropic_app(server: ScriptedServer) -> Starlette:
    async def messages(request: Request) -> Response:
        body = await request.json()
        server.requests.append(Recorded({k.lower(): v for k, v in request.headers.items()}, body))
        turn = server.next_turn(body)
        if "error" in turn:
            headers = {"retry-after-ms": str(turn.get("retry_after_ms", 1))}
            return JSONResponse({"type": "error", "error": turn["error"]}, status_code=turn["status"], headers=headers)
        message = _anthropic_message(body, turn)
        if body.get("stream"):
            return StreamingResponse(_anthropic_sse(server, message, turn), media_type="text/event-stream")
        return JSONResponse(message)

    return Starlette(routes=[Route("/v1/messages", messages, methods=["POST"])])


def _anthropic_message(body: dict[str, Any], turn: dict[str, Any]) -> dict[str, Any]:
    usage = {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    usage.update(turn.get("usage", {}))
    return {
        "id": f"msg_{uuid.uuid4().hex[:16]}",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "claude"),
        "content": turn.get("content", []),
        "stop_reason": turn.get("stop_reason", "end_turn"),
        "stop_sequence": None,
        "usage": usage,
    }


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


async def _anthropic_sse(server: ScriptedServer, message: dict[str, Any], turn: dict[str, Any]) -> AsyncIterator[bytes]:
    usage = message["usage"]
    start = {**message, "content": [], "stop_reason": None,
             "usage": {**usage, "output_tokens": 1}}
    try:
        yield _sse("message_start", {"type": "message_start", "message": start})
        for index, block in enumerate(message["content"]):
            if block["type"] == "text":
                yield _sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}})
                text = block["text"]
                pieces = [text[i : i + 8] for i in range(0, len(text), 8)] or [""]
                for piece in pieces:
                    if server.chunk_delay:
                        await asyncio.sleep(server.chunk_delay)
                    yield _sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}})
            else:
                yield _sse("content_block_start", {"type": "content_block_start", "index": index,
                                                   "content_block": {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}})
                raw = json.dumps(block["input"])
                for i in range(0, len(raw), 10):
                    yield _sse("content_block_delta", {"type": "content_block_delta", "index": index,
                                                       "delta": {"type": "input_json_delta", "partial_json": raw[i : i + 10]}})
            yield _sse("content_block_stop", {"type": "content_block_stop", "index": index})
        yield _sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                                     "usage": {"output_tokens": usage["output_tokens"]}})
        yield _sse("message_stop", {"type": "message_stop"})
    except asyncio.CancelledError:
        server.disconnected.set()
        raise


# ---- OpenAI chat/completions ---------------------------------------------------------------------


def openai_app(server: ScriptedServer) -> Starlette:
    """Turns: `content` text, `tool_calls` [{id, name, arguments(dict)}], `finish_reason`, `usage`."""

    async def completions(request: Request) -> Response:
        body = await request.json()
        server.requests.append(Recorded({k.lower(): v for k, v in request.headers.items()}, body))
        turn = server.next_turn(body)
        if "error" in turn:
            return JSONResponse({"error": turn["error"]}, status_code=turn["status"], headers={"retry-after-ms": "1"})
        if body.get("stream"):
            return StreamingResponse(_openai_sse(server, body, turn), media_type="text/event-stream")
        return JSONResponse(_openai_completion(body, turn))

    return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


def _openai_usage(turn: dict[str, Any]) -> dict[str, Any]:
    usage = {"prompt_tokens": 120, "completion_tokens": 15, "total_tokens": 135, "prompt_tokens_details": {"cached_tokens": 0}}
    usage.update(turn.get("usage", {}))
    return usage


def _tool_calls(turn: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}}
            for c in turn.get("tool_calls", [])]


def _openai_completion(body: dict[str, Any], turn: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": turn.get("content")}
    if turn.get("tool_calls"):
        message["tool_calls"] = _tool_calls(turn)
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body.get("model"),
            "choices": [{"index": 0, "message": message, "finish_reason": turn.get("finish_reason", "stop")}],
            "usage": _openai_usage(turn)}


async def _openai_sse(server: ScriptedServer, body: dict[str, Any], turn: dict[str, Any]) -> AsyncIterator[bytes]:
    def chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, Any] | None = None) -> bytes:
        choices = [{"index": 0, "delta": delta, "finish_reason": finish}] if usage is None else []
        data = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": body.get("model"), "choices": choices}
        if usage is not None:
            data["usage"] = usage
        return f"data: {json.dumps(data)}\n\n".encode()

    try:
        yield chunk({"role": "assistant", "content": ""})
        text = turn.get("content") or ""
        for i in range(0, len(text), 8):
            if server.chunk_delay:
                await asyncio.sleep(server.chunk_delay)
            yield chunk({"content": text[i : i + 8]})
        for index, call in enumerate(_tool_calls(turn)):
            args = call["function"]["arguments"]
            yield chunk({"tool_calls": [{"index": index, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"], "arguments": ""}}]})
            for i in range(0, len(args), 10):
                yield chunk({"tool_calls": [{"index": index, "function": {"arguments": args[i : i + 10]}}]})
        yield chunk({}, turn.get("finish_reason", "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            yield chunk({}, usage=_openai_usage(turn))
        yield b"data: [DONE]\n\n"
    except asyncio.CancelledError:
        server.disconnected.set()
        raise


# ---- serving ---------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def serve(app: Starlette) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1 with an ephemeral port; yields the base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


# ---- the guard: no test reaches a real model provider -----------------------------------------------

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def forbid_real_model_requests(monkeypatch: Any) -> None:
    """Drop provider keys from the environment and refuse any connection or name lookup that is not
    loopback, so a misconfigured test fails instead of calling a real provider."""
    import socket

    for var in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOOPBACK and name is not None:
            raise OSError(f"test guard: name lookup for {name!r} refused (no real model requests in tests)")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(address: Any) -> None:
        if isinstance(address, tuple) and address and address[0] not in _LOOPBACK:
            raise OSError(f"test guard: connection to {address!r} refused (no real model requests in tests)")

    def connect(self: socket.socket, address: Any) -> Any:
        check(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
