"""`AgentRuntime`: one agent turn from a message to a persisted answer.

Reads the workspace and skills, opens the session, compacts when the context nears the window,
runs the bounded loop, then writes the transcript, usage and cost. Used by chat, incidents,
heartbeat, cron and `openclaw agent`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openclaw.agent.brains import Brain, is_offline
from openclaw.agent.budgets import UsageLedger, cost_of, price_for
from openclaw.agent.compaction import Compactor, estimate_tokens, estimate_tokens_text
from openclaw.agent.loop import Loop, RunOutcome, ToolSink, close_open_calls
from openclaw.agent.messages import Message, TextSink, Usage
from openclaw.agent.prompt import build_context, build_system
from openclaw.agent.skills import SkillCatalog, load_skills
from openclaw.agent.tools import ToolBox, ToolContext
from openclaw.agent.toolsets import ToolsetStatus, build_toolbox
from openclaw.agent.transcripts import SessionStore
from openclaw.agent.workspace import Workspace
from openclaw.config.schema import Settings
from openclaw.core.slots import Slots
from openclaw.events.journal import choose_journal_mode

log = logging.getLogger(__name__)

AGENT_ID = "main"


def agent_dir(state_dir: Path) -> Path:
    return state_dir / "agents" / AGENT_ID


def workspace_for(state_dir: Path, settings: Settings) -> Workspace:
    d = settings.agents.defaults
    root = Path(d.workspace).expanduser() if d.workspace else state_dir / "workspace"
    return Workspace(root, max_chars=d.bootstrap_max_chars, total_max_chars=d.bootstrap_total_max_chars)


MEMORY_FLUSH_PROMPT = ("Pre-compaction memory flush: this session is near its context limit and the older turns are about to be "
                       "summarized. Save anything durable now (findings, decisions, follow-ups, cluster quirks) with write_memory. "
                       "Reply NO_REPLY when done.")


@dataclass
class RunRequest:
    session_key: str
    message: Message
    run_id: str | None = None
    kind: str = "chat"
    incident: dict[str, Any] | None = None
    incident_id: str | None = None


def ctx_for(req: RunRequest, workspace: Workspace, skills: SkillCatalog, capabilities: Slots | None = None) -> ToolContext:
    return ToolContext(session_key=req.session_key, workspace=workspace, skills=skills, capabilities=capabilities or Slots(),
                       incident_id=req.incident_id)


@dataclass
class AgentRuntime:
    state_dir: Path
    settings: Callable[[], Settings]
    brain: Brain
    env: Mapping[str, str] = field(default_factory=dict)
    capabilities: Slots = field(default_factory=Slots)

    def __post_init__(self) -> None:
        # WAL on a local disk, DELETE on a network filesystem: as the event database chooses.
        journal = choose_journal_mode(self.settings().events.journal_mode, self.state_dir)
        self.sessions = SessionStore(agent_dir(self.state_dir) / "sessions", journal)
        self.ledger = UsageLedger(agent_dir(self.state_dir) / "usage.json")
        # One turn at a time per session: two would interleave one transcript.
        self._locks: dict[str, asyncio.Lock] = {}
        self._toolbox: tuple[tuple[frozenset[str], int], tuple[ToolBox, list[ToolsetStatus]]] | None = None

    def workspace(self) -> Workspace:
        return workspace_for(self.state_dir, self.settings())

    def skills(self) -> SkillCatalog:
        ws = self.workspace()
        return load_skills(ws.root, self.settings().skills.load.dirs, self.env)

    def toolbox(self) -> tuple[ToolBox, list[ToolsetStatus]]:
        """The tools for a run; rebuilt only when the running capabilities or the output budget change."""
        key = (self.capabilities.names(), self.settings().agents.defaults.limits.tool_output_chars)
        if self._toolbox is None or self._toolbox[0] != key:
            self._toolbox = (key, build_toolbox(self.capabilities, key[1]))
        return self._toolbox[1]

    def lock(self, session_key: str) -> asyncio.Lock:
        return self._locks.setdefault(session_key, asyncio.Lock())

    async def run(self, req: RunRequest, *, outcome: RunOutcome | None = None, on_text: TextSink | None = None,
                  on_tool: ToolSink | None = None, on_compaction: Callable[[int], None] | None = None) -> RunOutcome:
        """Run one turn. On cancellation (an abort) what was said so far is still saved."""
        out = outcome if outcome is not None else RunOutcome(stop="done")
        async with self.lock(req.session_key):
            settings = self.settings()
            defaults = settings.agents.defaults
            system = context = ""
            history: list[Message] = []
            run_usage = Usage()
            compacted = bootstrapping = appended = False
            workspace: Workspace | None = None
            try:
                # Files (workspace, skills, index, transcript) are read and written in a worker
                # thread: a turn never holds the event loop on the disk.
                ws, bootstrapping, skills, system, history = await asyncio.to_thread(self._prepare, settings, req)
                workspace = ws
                toolbox, _ = self.toolbox()
                context = build_context(req.session_key, incident=req.incident, kind=req.kind)
                compactor = Compactor(self.sessions, defaults.compaction)
                tokens_before = compactor.needed(self.brain, system + context, [*history, req.message])
                if tokens_before is not None:
                    await self._memory_flush(settings, req, toolbox, ctx_for(req, ws, skills, self.capabilities), system, context,
                                             history, out)
                    usage = await compactor.compact(req.session_key, self.brain, tokens_before)
                    compacted = True
                    if on_compaction is not None:
                        on_compaction(tokens_before)
                    if usage is not None:
                        await self._charge(settings, req, usage, out)
                    history = (await asyncio.to_thread(self.sessions.read, req.session_key)).context()
                await asyncio.to_thread(self.sessions.append_messages, req.session_key, [req.message], run_id=req.run_id)
                appended = True
                ctx = ctx_for(req, ws, skills, self.capabilities)
                loop = Loop(self.brain, toolbox, defaults.limits, self.ledger, defaults.max_tokens)

                async def on_usage(usage: Usage) -> None:
                    run_usage.add(usage)
                    if usage.total:
                        cost = cost_of(usage, price_for(settings, self.brain.model_id))
                        await asyncio.to_thread(self.ledger.charge, req.incident_id, tokens=usage.total, cost=cost)

                await loop.run(ctx, system, context, [*history, req.message], outcome=out, on_text=on_text, on_tool=on_tool,
                               on_usage=on_usage)
            except asyncio.CancelledError:
                out.stop, out.error = "aborted", "the run was aborted"
                raise
            finally:
                # Runs on success, error and cancellation alike (also one that came before the turn
                # started, while its files were read): the transcript must stay valid.
                messages = close_open_calls(out.messages, "not run: the run was aborted")
                if not messages or messages[-1].role == "user":
                    # Turns alternate: a run that ended without a reply (error, abort, budget)
                    # leaves a note, so the next user message does not follow a user message.
                    messages = [*messages, Message.assistant(f"[no reply: {out.stop}{': ' + out.error if out.error else ''}]")]
                if not appended:
                    messages = [req.message, *messages]
                context_tokens = estimate_tokens_text(system + context) + estimate_tokens([*history, req.message, *messages])
                cost = cost_of(run_usage, price_for(settings, self.brain.model_id))
                # One thread call: a second cancel arriving meanwhile cannot split the transcript
                # write from the usage it records (the thread finishes either way).
                await asyncio.to_thread(self._finish, req, messages, run_usage, cost, out.tool_calls, context_tokens, compacted,
                                        workspace if workspace is not None and bootstrapping and out.stop == "done" else None)
        return out

    def _prepare(self, settings: Settings, req: RunRequest) -> tuple[Workspace, bool, SkillCatalog, str, list[Message]]:
        """The blocking start of a turn: workspace, skills, system prompt, the session and its history."""
        workspace = workspace_for(self.state_dir, settings)
        workspace.ensure()
        bootstrapping = workspace.bootstrap_pending()
        skills = load_skills(workspace.root, settings.skills.load.dirs, self.env)
        system = build_system(skills.eligible(), workspace.prompt_files())
        self.sessions.open(req.session_key, incident_id=req.incident_id, model=self.brain.model_id)
        history = self.sessions.read(req.session_key).context()
        return workspace, bootstrapping, skills, system, history

    def _finish(self, req: RunRequest, messages: list[Message], usage: Usage, cost: float, tool_calls: int, context_tokens: int,
                compacted: bool, bootstrapped: Workspace | None) -> None:
        self.sessions.append_messages(req.session_key, messages, run_id=req.run_id)
        self.sessions.record_usage(req.session_key, usage, cost, tool_calls, context_tokens=context_tokens,
                                   model=self.brain.model_id, compacted=compacted)
        if bootstrapped is not None:
            bootstrapped.finish_bootstrap()

    async def _memory_flush(self, settings: Settings, req: RunRequest, toolbox: ToolBox, ctx: ToolContext, system: str,
                            context: str, history: list[Message], out: RunOutcome) -> None:
        """Before older turns are summarized, a silent turn lets the model save what matters with the
        memory tools (upstream's pre-compaction memory flush). Nothing of it enters the transcript."""
        if is_offline(self.brain) or "write_memory" not in toolbox.tools:
            return
        memory_only = ToolBox({n: t for n, t in toolbox.tools.items() if n in ("read_memory", "write_memory")})
        limits = settings.agents.defaults.limits.model_copy(update={"max_steps": 3, "max_tool_calls": 4})
        flush = Loop(self.brain, memory_only, limits, self.ledger, settings.agents.defaults.max_tokens)
        silent = await flush.run(ctx, system, context, [*history, Message.user(MEMORY_FLUSH_PROMPT)])
        if silent.usage.total:
            await self._charge(settings, req, silent.usage, out)
        log.info("agent.memory_flush", extra={"session": req.session_key, "toolCalls": silent.tool_calls})

    async def _charge(self, settings: Settings, req: RunRequest, usage: Usage, out: RunOutcome) -> None:
        cost = cost_of(usage, price_for(settings, self.brain.model_id))

        def charge() -> None:
            self.ledger.charge(req.incident_id, tokens=usage.total, cost=cost)
            self.sessions.record_usage(req.session_key, usage, cost, 0)

        await asyncio.to_thread(charge)
