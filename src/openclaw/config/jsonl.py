"""JSON lines that no character of a value can split: the format of transcripts, run logs and audit logs.

A record is one line ending in `\\n`. JSON allows U+2028, U+2029 and U+0085 raw inside a string,
but `str.splitlines` (and other line readers) break lines on them and on a few C0 controls, so a
record is written with every character such a reader would break on escaped as `\\uXXXX`, and read
back by splitting the bytes on `\\n` alone. Lone surrogates (which UTF-8 cannot encode) become
U+FFFD. A record that does not parse costs that record: it is logged and skipped, never the file.

Files written before this format could hold raw separators; `read` parses them (the split is on
`\\n` only) and rejoins fragments of one record that an earlier rewrite broke apart, and `load`
rewrites such a file in the escaped form.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Every code point that str.splitlines() breaks on, other than "\n" itself (the tests derive the
# set from splitlines); json.dumps already escapes the C0 ones, U+0085, U+2028 and U+2029 it leaves raw.
LINE_BREAKS = frozenset("\x0b\x0c\r\x1c\x1d\x1e\x85\u2028\u2029")
_RAW_BREAK = re.compile("[\x0b\x0c\r\x1c\x1d\x1e\x85\u2028\u2029]")
_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in LINE_BREAKS}
_SURROGATE = re.compile("[\ud800-\udfff]")
# A fragment rejoined with the lines after it: how far to look before giving the record up.
MAX_FRAGMENTS = 64


def dumps(record: Any, *, sort_keys: bool = False) -> str:
    """One record as a line (with its `\\n`), safe for any line splitter."""
    text = json.dumps(record, ensure_ascii=False, default=str, sort_keys=sort_keys)
    # Only inside strings can these occur, where a \\u escape means the same character.
    text = _SURROGATE.sub("\ufffd", text).translate(_ESCAPES)
    return text + "\n"


def encode(record: Any, *, sort_keys: bool = False) -> bytes:
    return dumps(record, sort_keys=sort_keys).encode("utf-8")


@dataclass
class Loaded:
    """What a file held: its records, how many lines were skipped, and whether it needs rewriting."""

    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0
    stale: bool = False  # raw separators or rejoined fragments: rewrite in the escaped form


def parse(data: bytes, *, source: str = "") -> Loaded:
    """The records in `data`: split on `\\n` only; a line that parses to no JSON object is skipped."""
    out = Loaded()
    lines = data.split(b"\n")
    i = 0
    while i < len(lines):
        raw = lines[i]
        i += 1
        if not raw.strip():
            continue
        text = raw.decode("utf-8", errors="replace")
        record = _object(text)
        if record is None:
            record, used = _rejoin(text, lines, i)
            if record is not None:
                i += used
                out.stale = True
        if record is None:
            out.skipped += 1
            log.warning("jsonl.bad_record", extra={"file": source, "line": i, "start": text[:80]})
            continue
        if _RAW_BREAK.search(text.rstrip("\r")):
            out.stale = True
        out.records.append(record)
    return out


def _object(text: str, *, strict: bool = True) -> dict[str, Any] | None:
    try:
        value = json.loads(text, strict=strict)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _rejoin(first: str, lines: list[bytes], start: int) -> tuple[dict[str, Any] | None, int]:
    """A record an earlier reader split at a separator and wrote back as several lines: the
    fragments joined with `\\n` parse as one object when the control characters inside strings
    are tolerated. Returns the record and how many following lines it took."""
    text = first
    for used, raw in enumerate(lines[start:start + MAX_FRAGMENTS], start=1):
        text += "\n" + raw.decode("utf-8", errors="replace")
        record = _object(text, strict=False)
        if record is not None:
            return record, used
    return None, 0


def read(path: Path) -> Loaded:
    """The records of `path` (none when it is absent)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Loaded()
    return parse(data, source=str(path))


def load(path: Path) -> list[dict[str, Any]]:
    """The records of `path`, rewriting the file in the escaped form when it held raw separators
    or split records. Call under the file's lock when others may append meanwhile."""
    loaded = read(path)
    if loaded.stale:
        rewrite(path, loaded.records)
        log.info("jsonl.repaired", extra={"file": str(path), "records": len(loaded.records), "skipped": loaded.skipped})
    return loaded.records


def rewrite(path: Path, records: list[dict[str, Any]]) -> None:
    """Replace `path` atomically with `records`, keeping its mode."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(b"".join(encode(r) for r in records))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append(path: Path, records: list[Any], *, sort_keys: bool = False, fsync: bool = False, mode: int = 0o600) -> None:
    """Append records; a last line left without its `\\n` (a write cut short) is closed first, so it
    costs only itself and not the record after it."""
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, mode)
    with os.fdopen(fd, "r+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        prefix = b""
        if size:
            fh.seek(size - 1)
            if fh.read(1) != b"\n":
                prefix = b"\n"
        fh.write(prefix + b"".join(encode(r, sort_keys=sort_keys) for r in records))
        fh.flush()
        if fsync:
            os.fsync(fh.fileno())


def last(path: Path) -> dict[str, Any] | None:
    """The last record that parses, reading only the file's tail when it can."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    with path.open("rb") as fh:
        chunk = 1 << 16
        while True:
            start = max(0, size - chunk)
            fh.seek(start)
            data = fh.read(size - start)
            lines = data.split(b"\n")
            if start:
                lines = lines[1:]  # the first is probably cut
            for raw in reversed(lines):
                if raw.strip():
                    record = _object(raw.decode("utf-8", errors="replace"))
                    if record is not None:
                        return record
            if not start:
                return None
            chunk *= 4
