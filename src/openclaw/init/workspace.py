"""Seed `<state>/workspace/` from a mounted source dir (the workspace ConfigMap) without clobbering.

The init container runs this on every pod start. A file is copied when the workspace does not have
it yet, updated when the ConfigMap changed and the agent has not touched the copy, and otherwise
left alone: what the agent wrote wins. What was seeded is remembered by checksum in
`<state>/init/workspace-seeded.json`, so "the agent edited it" and "the ConfigMap changed" can be
told apart, and a file the agent deleted on purpose (BOOTSTRAP.md after the first-run ritual) is
not brought back.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from openclaw.config import store
from openclaw.errors import StateError

MANIFEST_VERSION = 1


class Outcome(StrEnum):
    COPIED = "copied"  # new in the workspace
    UPDATED = "updated"  # the source changed and the workspace copy was still as seeded
    UNCHANGED = "unchanged"  # the workspace copy already equals the source
    SKIPPED = "skipped"  # kept as it is: edited or removed since it was seeded


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    outcome: Outcome
    reason: str = ""


@dataclass(slots=True)
class WorkspaceReport:
    source: Path
    workspace: Path
    files: list[FileResult] = field(default_factory=list)

    def paths(self, outcome: Outcome) -> list[str]:
        return [f.path for f in self.files if f.outcome is outcome]

    def as_dict(self) -> dict[str, object]:
        return {
            "source": str(self.source),
            "workspace": str(self.workspace),
            **{o.value: self.paths(o) for o in Outcome},
            "reasons": {f.path: f.reason for f in self.files if f.reason},
        }


def manifest_path(state_dir: Path) -> Path:
    return state_dir / "init" / "workspace-seeded.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_files(source: Path) -> dict[str, Path]:
    """Relative path -> file for every regular file under `source`.

    A mounted ConfigMap holds `..data` and `..<timestamp>` entries (the atomic-update machinery of
    the kubelet) next to symlinks named after the keys; names starting with `..` are skipped and the
    key symlinks are followed.
    """
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(source, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".."))
        for name in sorted(filenames):
            if name.startswith(".."):
                continue
            path = Path(dirpath) / name
            if path.is_file():
                found[path.relative_to(source).as_posix()] = path
    return found


def read_manifest(path: Path) -> dict[str, str]:
    """Relative path -> sha256 of what was last seeded; empty when nothing was seeded yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise StateError(f"seed manifest {path} is unreadable ({exc}); remove it to re-seed from scratch") from exc
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise StateError(f"seed manifest {path}: expected {{\"files\": {{path: sha256}}}}; remove it to re-seed from scratch")
    return dict(files)


def copy_atomic(src: Path, dest: Path) -> None:
    """Copy through a temp file in the destination dir, so a crash never leaves half a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
            for chunk in iter(lambda: inp.read(1 << 16), b""):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def seed_workspace(source: Path, workspace: Path, manifest: Path) -> WorkspaceReport:
    """Copy `source` into `workspace` as described in the module docstring; returns what happened.

    Raises StateError when the source is not a directory or the manifest is unreadable.
    """
    if not source.is_dir():
        raise StateError(f"workspace source {source} is not a directory (mount the workspace ConfigMap there or pass --workspace-source)")
    seeded = read_manifest(manifest)
    report = WorkspaceReport(source=source, workspace=workspace)
    after: dict[str, str] = {}
    for rel, src in source_files(source).items():
        dest = workspace / rel
        new_sum = sha256_of(src)
        old_sum = seeded.get(rel)
        if not dest.exists():
            if old_sum is None:
                copy_atomic(src, dest)
                report.files.append(FileResult(rel, Outcome.COPIED))
                after[rel] = new_sum
            else:
                report.files.append(FileResult(rel, Outcome.SKIPPED, "removed from the workspace since it was seeded"))
                after[rel] = old_sum
            continue
        current = sha256_of(dest)
        if current == new_sum:
            report.files.append(FileResult(rel, Outcome.UNCHANGED))
            after[rel] = new_sum
        elif old_sum is not None and current == old_sum:
            copy_atomic(src, dest)
            report.files.append(FileResult(rel, Outcome.UPDATED))
            after[rel] = new_sum
        else:
            why = "edited in the workspace since it was seeded" if old_sum is not None else "already in the workspace and not seeded by init"
            report.files.append(FileResult(rel, Outcome.SKIPPED, why))
            if old_sum is not None:
                after[rel] = old_sum
    # Entries of files no longer in the source are kept: should the key come back, an edited copy
    # must still be recognised as edited.
    for rel, digest in seeded.items():
        after.setdefault(rel, digest)
    if after != seeded:
        store.write_json_atomic(manifest, {"version": MANIFEST_VERSION, "files": dict(sorted(after.items()))})
    return report
