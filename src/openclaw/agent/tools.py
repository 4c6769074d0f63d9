"""Typed tools: a function's signature and docstring become the schema the model sees.

A tool is an `async def name(ctx: ToolContext, param: T = default, ...) -> ToolResult`. The
parameters after `ctx` become a pydantic model (so validation and the JSON schema come from one
place); the docstring's first paragraph is the description and its `Args:` lines describe the
fields. Bad arguments come back to the model as an error result naming the field.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from openclaw.agent.messages import ToolCall, ToolOutcome, ToolSpec
from openclaw.core.slots import Slots
from openclaw.agent.results import ToolResult, render

if TYPE_CHECKING:
    from openclaw.agent.skills import SkillCatalog
    from openclaw.agent.workspace import Workspace

ToolFunction = Callable[..., Awaitable[ToolResult]]


@dataclass
class ToolContext:
    """What a tool may use: the run's identity and the gateway's capability objects."""

    session_key: str
    workspace: Workspace
    skills: SkillCatalog
    capabilities: Slots = field(default_factory=Slots)
    incident_id: str | None = None


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    params: type[BaseModel]
    func: ToolFunction
    output_chars: int
    mutating: bool = False

    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, _clean_schema(self.params.model_json_schema()))

    async def call(self, ctx: ToolContext, arguments: Mapping[str, Any]) -> ToolResult:
        if "__unparsed__" in arguments:
            return ToolResult.fail(f"arguments were not valid JSON: {str(arguments['__unparsed__'])[:200]}")
        try:
            params = self.params.model_validate(dict(arguments))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(arguments)'}: {e['msg']}" for e in exc.errors())
            return ToolResult.fail(f"invalid arguments for {self.name}: {problems}")
        return await self.func(ctx, **{name: getattr(params, name) for name in type(params).model_fields})


def tool_from_function(func: ToolFunction, *, output_chars: int = 8000, mutating: bool = False, name: str | None = None) -> Tool:
    """Build a `Tool` from a typed async function whose first parameter is the `ToolContext`."""
    sig = inspect.signature(func)
    hints = get_type_hints(func)
    summary, arg_docs = _parse_docstring(inspect.getdoc(func) or "")
    if not summary:
        raise ValueError(f"tool {func.__name__} has no docstring: the model needs a description")
    fields: dict[str, Any] = {}
    for pname, param in list(sig.parameters.items())[1:]:
        annotation = hints.get(pname, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[pname] = (annotation, Field(default, description=arg_docs.get(pname)))
    tool_name = name or func.__name__
    model = create_model(f"{tool_name}_params", __base__=_Params, **fields)
    return Tool(tool_name, summary, model, func, output_chars, mutating)


_ARG_LINE = re.compile(r"^\s{2,}(\w+)(?:\s*\([^)]*\))?:\s*(.+)$")


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    parts = doc.split("\nArgs:\n", 1)
    summary = " ".join(parts[0].split())
    args: dict[str, str] = {}
    if len(parts) == 2:
        current = None
        for line in parts[1].splitlines():
            m = _ARG_LINE.match(line)
            if m:
                current = m.group(1)
                args[current] = m.group(2).strip()
            elif current and line.strip():
                args[current] += " " + line.strip()
    return summary, args


def _clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's `title` keys: tokens the model does not need."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items() if not (k == "title" and isinstance(v, str))}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out = walk(schema)
    out.setdefault("properties", {})
    return out  # type: ignore[no-any-return]  # walk keeps a dict a dict


@dataclass
class ToolBox:
    """The tools of one run, by name."""

    tools: dict[str, Tool] = field(default_factory=dict)
    _specs: tuple[ToolSpec, ...] | None = field(default=None, repr=False, compare=False)

    def add(self, tool: Tool) -> None:
        if tool.name in self.tools:
            raise ValueError(f"tool {tool.name} defined twice")
        self.tools[tool.name] = tool
        self._specs = None

    def specs(self) -> tuple[ToolSpec, ...]:
        """The schemas the model is sent; generating them costs milliseconds, so once per toolbox."""
        if self._specs is None or len(self._specs) != len(self.tools):
            self._specs = tuple(t.spec() for t in self.tools.values())
        return self._specs

    async def run(self, ctx: ToolContext, call: ToolCall) -> tuple[ToolOutcome, ToolResult]:
        """Run one call; unknown tools and crashes become error results, never exceptions."""
        tool = self.tools.get(call.name)
        if tool is None:
            result = ToolResult.fail(f"unknown tool {call.name!r}; available: {', '.join(sorted(self.tools))}")
            budget = 2000
        else:
            budget = tool.output_chars
            try:
                if tool.mutating:
                    # An abort must not cut a change off half-way: the policy layer finishes and
                    # audits the action even if the run is cancelled while it is in flight.
                    result = await asyncio.shield(tool.call(ctx, call.arguments))
                else:
                    result = await tool.call(ctx, call.arguments)
            except Exception as exc:  # a tool bug must not end the run; the model sees what failed
                result = ToolResult.fail(f"{call.name} failed: {type(exc).__name__}: {exc}")
        text, recorded = render(result, budget)
        return ToolOutcome(call.id, call.name, text, is_error=recorded.status in ("error", "refused")), recorded


def call_key(call: ToolCall) -> str:
    """Identity of a call for the repeated-call guard: name plus canonical arguments."""
    return call.name + json.dumps(call.arguments, sort_keys=True, default=str)
