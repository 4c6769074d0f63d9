"""Any OpenAI-compatible chat/completions endpoint (Ollama, vLLM, llama.cpp server) through the
official `openai` SDK pointed at `models.providers.<id>.baseUrl`. Streams text and tool calls;
retries on 429/5xx are the SDK's own, bounded by `maxRetries`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import openai

from openclaw.agent.brains.base import BrainError
from openclaw.agent.messages import (
    BrainReply,
    BrainRequest,
    Message,
    Part,
    StopReason,
    TextPart,
    TextSink,
    ToolCall,
    ToolOutcome,
    Usage,
)

_STOP: dict[str, StopReason] = {
    "stop": "end_turn",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "length": "max_tokens",
    "content_filter": "refusal",
}


@dataclass
class _PendingCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class OpenAICompatBrain:
    client: openai.AsyncOpenAI
    model: str
    provider: str
    window: int = 32_768

    @property
    def model_id(self) -> str:
        return f"{self.provider}/{self.model}"

    @property
    def context_window(self) -> int:
        return self.window

    async def aclose(self) -> None:
        await self.client.close()

    async def respond(self, request: BrainRequest, on_text: TextSink | None = None) -> BrainReply:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "messages": wire_messages(request),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.tools:
            kwargs["tools"] = [
                {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
                for t in request.tools
            ]
            kwargs["tool_choice"] = request.tool_choice
        text: list[str] = []
        calls: dict[int, _PendingCall] = {}
        finish = "stop"
        usage = Usage()
        try:
            stream = await self.client.chat.completions.create(**kwargs)
            async for chunk in stream:
                if chunk.usage is not None:
                    usage = _usage(chunk.usage)
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta.content:
                        text.append(delta.content)
                        if on_text is not None:
                            await on_text(delta.content)
                    for tc in delta.tool_calls or []:
                        pending = calls.setdefault(tc.index, _PendingCall())
                        if tc.id:
                            pending.id = tc.id
                        if tc.function is not None:
                            pending.name += tc.function.name or ""
                            pending.arguments.append(tc.function.arguments or "")
                    if choice.finish_reason:
                        finish = choice.finish_reason
        except openai.APIStatusError as exc:
            raise BrainError(f"{self.model_id}: HTTP {exc.status_code}: {str(exc.message)[:300]}", status=exc.status_code,
                             retryable=exc.status_code in (408, 409, 429) or exc.status_code >= 500) from exc
        except openai.APIConnectionError as exc:
            raise BrainError(f"{self.model_id}: connection failed: {exc}") from exc
        parts: list[Part] = [TextPart("".join(text))] if text else []
        for index in sorted(calls):
            pending = calls[index]
            parts.append(ToolCall(pending.id or f"call_{index}", pending.name, _arguments("".join(pending.arguments))))
        stop = _STOP.get(finish, "end_turn")
        if stop == "end_turn" and any(isinstance(p, ToolCall) for p in parts):
            stop = "tool_use"  # some local servers say "stop" even when they called tools
        return BrainReply(parts=tuple(parts), stop_reason=stop, usage=usage, model=self.model_id)


def wire_messages(request: BrainRequest) -> list[dict[str, Any]]:
    system = request.system + (f"\n\n{request.context}" if request.context else "")
    out: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for message in request.messages:
        out.extend(_wire(message))
    return out


def _wire(message: Message) -> list[dict[str, Any]]:
    if message.role == "assistant":
        # null content is only valid next to tool calls; some servers reject it otherwise.
        entry: dict[str, Any] = {"role": "assistant", "content": message.text or (None if message.tool_calls else "")}
        if message.tool_calls:
            entry["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
                for c in message.tool_calls
            ]
        return [entry]
    out: list[dict[str, Any]] = [
        {"role": "tool", "tool_call_id": o.call_id, "content": o.content} for o in message.parts if isinstance(o, ToolOutcome)
    ]
    if message.text or not out:
        out.append({"role": "user", "content": message.text})
    return out


def _arguments(raw: str) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        # Handed to the tool layer, which answers with a validation error the model can fix.
        return {"__unparsed__": raw}
    return value if isinstance(value, dict) else {"value": value}


def _usage(usage: Any) -> Usage:
    details = getattr(usage, "prompt_tokens_details", None)
    cached = (getattr(details, "cached_tokens", None) or 0) if details is not None else 0
    return Usage(input_tokens=(usage.prompt_tokens or 0) - cached, output_tokens=usage.completion_tokens or 0, cache_read_tokens=cached)


def build(provider: str, model: str, *, api_key: str | None, base_url: str | None, max_retries: int,
          timeout: float, window: int) -> OpenAICompatBrain:
    # Local servers need no key, but the SDK insists on one.
    client = openai.AsyncOpenAI(api_key=api_key or "none", base_url=base_url, max_retries=max_retries, timeout=timeout)
    return OpenAICompatBrain(client=client, model=model, provider=provider, window=window)
