"""Writing benchmark figures into docs/BENCHMARKS.md, where each bench script owns one section."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"
HEADER = "# Benchmarks\n\nFigures written by the scripts in `bench/`; each script owns one section.\n"


def write_section(section: str, body: str, doc: Path = DOC) -> None:
    """Replace the `section` heading's block (up to the next `## `) with `body`, or append it."""
    text = doc.read_text() if doc.exists() else HEADER
    block = f"{section}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^{re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: block + "\n", text, count=1) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block
    doc.write_text(text.rstrip("\n") + "\n")
