"""Claude through the official `anthropic` SDK: streaming, tool use, prompt caching, retries.

The stable system prompt and the tool definitions carry `cache_control` breakpoints, so repeated
turns of a session read them from the prompt cache; the per-run context (incident, time) goes in a
second, uncached system block after them. Retries on 429/5xx/529 are the SDK's own (exponential
backoff with jitter, honouring `retry-after`), bounded by `models.providers.<id>.maxRetries`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import anthropic

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
    Usage,
)

_STOP: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "refusal": "refusal",
    "pause_turn": "end_turn",
}
_CACHE = {"type": "ephemeral"}


@dataclass
class AnthropicBrain:
    client: anthropic.AsyncAnthropic
    model: str
    provider: str = "anthropic"
    window: int = 200_000

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
            "system": system_blocks(request),
            "messages": [wire_message(m) for m in request.messages],
        }
        if request.tools:
            kwargs["tools"] = tool_params(request)
            kwargs["tool_choice"] = {"type": request.tool_choice}
        try:
            async with self.client.messages.stream(**kwargs) as stream:
                async for event in stream:
                    if on_text is not None and event.type == "content_block_delta" and event.delta.type == "text_delta":
                        await on_text(event.delta.text)
                final = await stream.get_final_message()
        except anthropic.APIStatusError as exc:
            raise BrainError(f"{self.model_id}: HTTP {exc.status_code}: {_error_text(exc)}", status=exc.status_code,
                             retryable=exc.status_code in (408, 409, 429) or exc.status_code >= 500) from exc
        except anthropic.APIConnectionError as exc:
            raise BrainError(f"{self.model_id}: connection failed: {exc}") from exc
        return BrainReply(parts=tuple(_parts(final.content)), stop_reason=_STOP.get(final.stop_reason or "", "end_turn"),
                          usage=_usage(final.usage), model=self.model_id)


def system_blocks(request: BrainRequest) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "text", "text": request.system, "cache_control": _CACHE}]
    if request.context:
        blocks.append({"type": "text", "text": request.context})
    return blocks


def tool_params(request: BrainRequest) -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = [
        {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in request.tools
    ]
    # One breakpoint on the last tool caches the whole (stable) tool list.
    tools[-1] = {**tools[-1], "cache_control": _CACHE}
    return tools


def wire_message(message: Message) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            if part.text:
                blocks.append({"type": "text", "text": part.text})
        elif isinstance(part, ToolCall):
            blocks.append({"type": "tool_use", "id": part.id, "name": part.name, "input": part.arguments})
        else:
            blocks.append({"type": "tool_result", "tool_use_id": part.call_id, "content": part.content, "is_error": part.is_error})
    if not blocks:
        blocks.append({"type": "text", "text": "(empty)"})
    return {"role": message.role, "content": blocks}


def _parts(content: list[Any]) -> list[Part]:
    parts: list[Part] = []
    for block in content:
        if block.type == "text":
            parts.append(TextPart(block.text))
        elif block.type == "tool_use":
            args = block.input if isinstance(block.input, dict) else {"value": block.input}
            parts.append(ToolCall(block.id, block.name, args))
    return parts


def _usage(usage: Any) -> Usage:
    return Usage(
        input_tokens=usage.input_tokens or 0,
        output_tokens=usage.output_tokens or 0,
        cache_read_tokens=getattr(usage, "cache_read_input_tokens", None) or 0,
        cache_write_tokens=getattr(usage, "cache_creation_input_tokens", None) or 0,
    )


def _error_text(exc: anthropic.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            return f"{err.get('type', 'error')}: {err.get('message', '')}"
        return json.dumps(body)[:300]
    return str(exc.message)[:300]


def build(provider: str, model: str, *, api_key: str | None, base_url: str | None, max_retries: int,
          timeout: float, window: int) -> AnthropicBrain:
    client = anthropic.AsyncAnthropic(api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout)
    return AnthropicBrain(client=client, model=model, provider=provider, window=window)
