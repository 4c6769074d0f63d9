"""Scripted model turns for the agent's unit tests: replies built as the model would send them."""

from __future__ import annotations

import itertools
from typing import Any

from openclaw.agent.brains.scripted import Script
from openclaw.agent.messages import BrainReply, BrainRequest, TextPart, ToolCall, Usage

_ids = itertools.count(1)


def text_reply(text: str, *, stop: str = "end_turn", tokens: tuple[int, int] = (100, 20)) -> BrainReply:
    return BrainReply((TextPart(text),), stop, Usage(tokens[0], tokens[1]), "scripted/function")  # type: ignore[arg-type]  # literal from tests


def tool_reply(name: str, args: dict[str, Any], *, text: str = "", tokens: tuple[int, int] = (100, 20)) -> BrainReply:
    parts: tuple[Any, ...] = ((TextPart(text),) if text else ()) + (ToolCall(f"call_{next(_ids)}", name, args),)
    return BrainReply(parts, "tool_use", Usage(tokens[0], tokens[1]), "scripted/function")


def play(*replies: BrainReply) -> Script:
    """A script that answers with `replies` in order."""
    queue = list(replies)

    def script(request: BrainRequest) -> BrainReply:
        if not queue:
            raise AssertionError("the scripted brain was called more often than the test expected")
        return queue.pop(0)

    return script
