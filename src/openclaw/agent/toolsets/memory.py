"""Workspace memory tools: read and append the agent's notes."""

from __future__ import annotations

from typing import Literal

from openclaw.agent.results import ToolResult
from openclaw.agent.tools import ToolContext


async def read_memory(ctx: ToolContext, file: str = "MEMORY.md") -> ToolResult:
    """Read your notes. Use at the start of an investigation to recall what earlier runs learned.

    Args:
      file: MEMORY.md for long-term notes, today, or a date YYYY-MM-DD for that day's log. Use "list" to see which days exist.
    """
    if file == "list":
        return ToolResult.ok({"files": ["MEMORY.md", *(f"memory/{d}.md" for d in ctx.workspace.memory_days())]})
    try:
        path = ctx.workspace.memory_path(file)
    except ValueError as exc:
        return ToolResult.fail(str(exc))
    if not path.is_file():
        return ToolResult("no_data", {"file": path.name, "text": ""})
    return ToolResult.ok({"file": path.name, "text": path.read_text(encoding="utf-8", errors="replace")})


async def write_memory(ctx: ToolContext, text: str, target: Literal["daily", "long_term"] = "daily") -> ToolResult:
    """Append a note. Daily notes record what happened today; long-term notes record durable facts about this cluster (quirks, decisions, recurring causes).

    Args:
      text: the note, one or a few lines of plain text.
      target: daily (memory/YYYY-MM-DD.md) or long_term (MEMORY.md).
    """
    if not text.strip():
        return ToolResult.fail("text: expected a non-empty note")
    if len(text) > 4000:
        return ToolResult.fail(f"text: {len(text)} characters; keep a note under 4000")
    path = ctx.workspace.append_memory("today" if target == "daily" else "MEMORY.md", f"- [{ctx.session_key}] {text.strip()}")
    return ToolResult.ok({"written": path.name})
