"""Toolsets as data (`*.yaml` here): a description, the capabilities a toolset needs, and its tools
with their output budgets. A toolset whose capability is absent (no policy engine, no event store)
is reported as unavailable with the reason instead of offering tools that cannot work."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from openclaw.core.slots import Slots
from openclaw.agent.tools import Tool, ToolBox, tool_from_function


class ToolEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    name: str
    output_chars: int | None = Field(None, ge=200)
    mutating: bool = False


class ToolsetFile(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    name: str
    description: str
    module: str
    requires: list[str] = Field(default_factory=list)
    tools: list[ToolEntry]


@dataclass(frozen=True, slots=True)
class ToolsetStatus:
    name: str
    description: str
    enabled: bool
    tools: tuple[str, ...]
    reason: str | None = None


def toolset_files() -> list[ToolsetFile]:
    folder = resources.files("openclaw.agent.toolsets")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            out.append(ToolsetFile.model_validate(yaml.safe_load(entry.read_text(encoding="utf-8"))))
    return out


def build_toolbox(capabilities: Slots | frozenset[str], default_output_chars: int) -> tuple[ToolBox, list[ToolsetStatus]]:
    """The tools whose capabilities are present, and the status of every toolset."""
    box = ToolBox()
    statuses: list[ToolsetStatus] = []
    for ts in toolset_files():
        missing = [r for r in ts.requires if r not in capabilities]
        names = tuple(t.name for t in ts.tools)
        if missing:
            statuses.append(ToolsetStatus(ts.name, ts.description, False, names, f"needs {', '.join(missing)} (not running)"))
            continue
        module = importlib.import_module(ts.module)
        for entry in ts.tools:
            func = getattr(module, entry.name)
            tool: Tool = tool_from_function(func, output_chars=entry.output_chars or default_output_chars, mutating=entry.mutating)
            box.add(tool)
        statuses.append(ToolsetStatus(ts.name, ts.description, True, names))
    return box, statuses
