"""The agent's workspace: the operator's instruction files and the agent's memory.

`<state>/workspace/` (or `agents.defaults.workspace`) holds AGENTS.md, SOUL.md, TOOLS.md, USER.md,
IDENTITY.md, HEARTBEAT.md (copied from the ConfigMap by `openclaw init`), BOOTSTRAP.md (a one-time
first-run ritual), MEMORY.md (long-term notes) and memory/YYYY-MM-DD.md (daily notes).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from openclaw.config import store

PROMPT_FILES = ("AGENTS.md", "SOUL.md", "TOOLS.md", "IDENTITY.md", "USER.md", "HEARTBEAT.md")
BOOTSTRAP = "BOOTSTRAP.md"
MEMORY = "MEMORY.md"
# Written once the bootstrap ritual has run, so a re-seeded BOOTSTRAP.md does not run it again.
BOOTSTRAP_DONE = ".bootstrap-done"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class PromptFile:
    name: str
    text: str
    truncated: bool
    missing: bool = False


@dataclass
class Workspace:
    root: Path
    max_chars: int = 20_000
    total_max_chars: int = 60_000

    def ensure(self) -> None:
        (self.root / "memory").mkdir(parents=True, exist_ok=True)

    def bootstrap_pending(self) -> bool:
        """BOOTSTRAP.md is present and its ritual has not run yet."""
        return (self.root / BOOTSTRAP).is_file() and not (self.root / BOOTSTRAP_DONE).exists()

    def finish_bootstrap(self) -> None:
        """Remove BOOTSTRAP.md after the first run that saw it, and remember that it ran."""
        self.ensure()
        (self.root / BOOTSTRAP_DONE).write_text(dt.datetime.now(dt.UTC).isoformat() + "\n", encoding="utf-8")
        (self.root / BOOTSTRAP).unlink(missing_ok=True)

    def prompt_files(self) -> list[PromptFile]:
        """The files injected into the system prompt, each capped, all together capped."""
        names = list(PROMPT_FILES)
        if self.bootstrap_pending():
            names.append(BOOTSTRAP)
        elif (self.root / BOOTSTRAP).exists():
            # Re-seeded after the ritual already ran: it must not run twice.
            (self.root / BOOTSTRAP).unlink(missing_ok=True)
        names.append(MEMORY)
        out: list[PromptFile] = []
        left = self.total_max_chars
        for name in names:
            path = self.root / name
            if not path.is_file():
                if name in ("AGENTS.md", "SOUL.md"):
                    out.append(PromptFile(name, "", False, missing=True))
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            cap = min(self.max_chars, left)
            truncated = len(text) > cap
            if truncated:
                text = text[:cap] + f"\n[TRUNCATED: {name} is {path.stat().st_size} bytes; the prompt keeps {cap} characters]"
            left -= min(len(text), cap)
            out.append(PromptFile(name, text, truncated))
            if left <= 0:
                break
        return out

    def read_text(self, name: str) -> str | None:
        path = self.root / name
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None

    def memory_path(self, which: str) -> Path:
        """`MEMORY.md`, `today`, or a day `YYYY-MM-DD`; anything else is refused (no path escapes)."""
        if which in ("MEMORY.md", "long_term", "memory"):
            return self.root / MEMORY
        if which == "today":
            which = dt.datetime.now(dt.UTC).date().isoformat()
        if _DAY.match(which):
            return self.root / "memory" / f"{which}.md"
        raise ValueError(f"memory file {which!r}: expected MEMORY.md, today or a date YYYY-MM-DD")

    def append_memory(self, which: str, text: str) -> Path:
        path = self.memory_path(which)
        path.parent.mkdir(parents=True, exist_ok=True)
        with store.lock_for(path):
            with path.open("a", encoding="utf-8") as fh:
                fh.write(text.rstrip("\n") + "\n")
        return path

    def memory_days(self) -> list[str]:
        folder = self.root / "memory"
        return sorted((p.stem for p in folder.glob("*.md") if _DAY.match(p.stem)), reverse=True) if folder.is_dir() else []
