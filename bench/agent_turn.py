"""Agent turn overhead: figures for the "Agent turn overhead" section of docs/BENCHMARKS.md.

What openclaw itself adds to a model call, with a scripted brain that answers at once: reading the
workspace and skills, building the prompt, opening and appending the session transcript, charging
the usage ledger, and (for a tool turn) running a memory tool. Model latency is not included.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from openclaw.agent.brains.scripted import ScriptedBrain
from openclaw.agent.messages import BrainReply, BrainRequest, Message, TextPart, ToolCall, Usage
from openclaw.agent.runtime import AgentRuntime, RunRequest
from openclaw.agent.toolsets import build_toolbox
from openclaw.config.schema import Settings

from report import write_section  # bench/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Agent turn overhead"


def text_turn(request: BrainRequest) -> BrainReply:
    return BrainReply((TextPart("All pods are Ready. " * 20),), "end_turn", Usage(2000, 80))


def tool_turn(request: BrainRequest) -> BrainReply:
    if request.messages[-1].tool_outcomes:
        return text_turn(request)
    return BrainReply((ToolCall(f"c{len(request.messages)}", "read_memory", {"file": "MEMORY.md"}),), "tool_use", Usage(2000, 30))


def seed_workspace(state: Path) -> None:
    ws = state / "workspace"
    ws.mkdir(parents=True)
    for name, size in (("AGENTS.md", 6000), ("SOUL.md", 1500), ("TOOLS.md", 2500), ("USER.md", 800), ("IDENTITY.md", 300),
                       ("HEARTBEAT.md", 600), ("MEMORY.md", 4000)):
        (ws / name).write_text(("- a line of operator notes\n" * (size // 26 + 1))[:size])


async def turns(script: object, count: int, history: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        seed_workspace(state)
        settings = Settings()
        rt = AgentRuntime(state, lambda: settings, ScriptedBrain(script))  # type: ignore[arg-type]  # a script function
        for i in range(history):
            await rt.run(RunRequest("s", Message.user(f"warm-up {i}")))
        out = []
        for i in range(count):
            start = time.perf_counter()
            await rt.run(RunRequest("s", Message.user(f"question {i}")))
            out.append(time.perf_counter() - start)
        return out


def toolbox_build(count: int) -> list[float]:
    caps = {"policy": object(), "events": object(), "incidents": object()}
    out = []
    for _ in range(count):
        start = time.perf_counter()
        build_toolbox(caps, 8000)[0].specs()
        out.append(time.perf_counter() - start)
    return out




def ms(values: list[float]) -> tuple[str, str, str]:
    return tuple(f"{v * 1000:.1f} ms" for v in (statistics.median(values), min(values), max(values)))  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=50)
    args = parser.parse_args()
    rows = [
        ("Text turn, new session", asyncio.run(turns(text_turn, args.turns, 0)), "< 20 ms"),
        ("Text turn, session of 200 turns", asyncio.run(turns(text_turn, args.turns, 200)), "< 50 ms"),
        ("Tool turn (1 tool call, 2 model calls)", asyncio.run(turns(tool_turn, args.turns, 0)), "< 40 ms"),
        ("Tool schemas for 22 tools (build + specs)", toolbox_build(args.turns), "< 20 ms"),
    ]
    for name, values, _ in rows:
        print(f"{name}: median {statistics.median(values) * 1000:.1f} ms")
    lines = [
        f"Measured by `bench/agent_turn.py` ({args.turns} turns each, median; {time.strftime('%Y-%m-%d')}, Python {platform.python_version()},",
        f"{os.cpu_count()} CPUs {platform.machine()}, machine shared with other work; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}).",
        "What openclaw adds to each model call with a brain that answers at once: workspace files (7 files, ~16 KB) and",
        "bundled skills read, prompt built, transcript opened and appended, usage charged; model latency excluded.",
        "",
        "| Figure | Median | Min | Max | Target |",
        "|---|---|---|---|---|",
    ]
    for name, values, target in rows:
        med, lo, hi = ms(values)
        lines.append(f"| {name} | {med} | {lo} | {hi} | {target} |")
    write_section(SECTION, "\n".join(lines))


if __name__ == "__main__":
    main()
