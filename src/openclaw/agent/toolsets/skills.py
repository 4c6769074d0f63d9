"""The skills tool: read one skill's instructions on demand."""

from __future__ import annotations

from openclaw.agent.results import ToolResult
from openclaw.agent.tools import ToolContext


async def read_skill(ctx: ToolContext, name: str) -> ToolResult:
    """Read a skill's full instructions (its SKILL.md). Do this when a skill listed in the prompt applies, then follow it.

    Args:
      name: the skill's name as listed in available_skills.
    """
    skill = ctx.skills.get(name)
    if skill is None:
        known = ", ".join(sorted(ctx.skills.skills)) or "none"
        return ToolResult.fail(f"no skill named {name!r}; available: {known}")
    if not skill.eligible:
        return ToolResult.fail(f"skill {name} is not usable here: missing {', '.join(skill.missing)}")
    return ToolResult.ok({"name": skill.name, "path": str(skill.path), "instructions": skill.body()})
