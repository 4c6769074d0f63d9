"""Install pinned CLI tools (kubectl, kubeconform) into the tools dir, verified by sha256.

The tools manifest (YAML or JSON) lists each tool's download URL and the sha256 of that download;
an archive names the member to extract. Installing is idempotent: a tool already present with the
expected content is left alone. Every write goes through a temp file in the tools dir that is
renamed into place only after the checksum matched, so a mismatch or a broken download leaves no
file behind. A record of what was installed (`.openclaw-tools.json` in the tools dir) lets a
re-run recognise a binary that came out of an archive, whose own hash the manifest does not give.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from openclaw.errors import OpenClawError

RECORD_NAME = ".openclaw-tools.json"
MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class ToolInstallError(OpenClawError):
    """A tool could not be downloaded, verified or installed."""


class ToolSpec(BaseModel):
    """One pinned tool of the manifest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(description="file name in the tools dir, e.g. kubectl")]
    url: Annotated[str, Field(description="http(s) URL of the download")]
    sha256: Annotated[str, Field(description="sha256 of the download (the archive, for archives)")]
    mode: Annotated[str, Field(description="file mode of the installed tool, octal")] = "0755"
    archive: Literal["none", "tar.gz"] = "none"
    member: Annotated[str | None, Field(description="path of the binary inside the archive; default: name")] = None

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("expected a plain file name (letters, digits, '.', '_', '-'), no path")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("expected an http:// or https:// URL")
        return value

    @field_validator("sha256")
    @classmethod
    def _hex_digest(cls, value: str) -> str:
        value = value.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValueError("expected 64 hex characters (the sha256 of the download)")
        return value

    @field_validator("mode", mode="before")
    @classmethod
    def _octal_mode(cls, value: object) -> str:
        # YAML reads an unquoted 0755 as the integer 493; both spellings mean the same mode.
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValueError("expected an octal file mode such as \"0755\"")
        text = value if isinstance(value, str) else oct(value)[2:]
        if not re.fullmatch(r"0?[0-7]{3}", text):
            raise ValueError("expected an octal file mode such as \"0755\"")
        return text.rjust(4, "0")

    @property
    def file_mode(self) -> int:
        return int(self.mode, 8)


class ToolsManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tools: list[ToolSpec] = Field(default_factory=list)


def load_manifest(path: Path) -> ToolsManifest:
    """Read and validate the tools manifest. Raises ToolInstallError naming the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ToolInstallError(f"tools manifest {path}: cannot read it ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ToolInstallError(f"tools manifest {path}: not valid YAML/JSON ({exc})") from exc
    try:
        manifest = ToolsManifest.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '<top>'}: {e['msg']}" for e in exc.errors())
        raise ToolInstallError(f"tools manifest {path}: {problems}") from None
    names = [t.name for t in manifest.tools]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ToolInstallError(f"tools manifest {path}: tool names must be unique, repeated: {', '.join(dupes)}")
    return manifest


class ToolOutcome(StrEnum):
    INSTALLED = "installed"
    PRESENT = "present"  # already installed with the expected content
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ToolResult:
    name: str
    outcome: ToolOutcome
    path: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "outcome": self.outcome.value, "path": self.path, "detail": self.detail}


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_record(tools_dir: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((tools_dir / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no record (or a damaged one): every tool is checked and reinstalled as needed
    return data if isinstance(data, dict) else {}


def _write_record(tools_dir: Path, record: dict[str, dict[str, str]]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{RECORD_NAME}.", suffix=".tmp", dir=tools_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, tools_dir / RECORD_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_present(spec: ToolSpec, tools_dir: Path, record: dict[str, dict[str, str]]) -> bool:
    """True when the installed file is what this spec would install."""
    target = tools_dir / spec.name
    if not target.is_file():
        return False
    actual = _sha256_file(target)
    if spec.archive == "none":
        expected = spec.sha256
    else:
        entry = record.get(spec.name)
        if not isinstance(entry, dict) or entry.get("url") != spec.url or entry.get("sha256") != spec.sha256:
            return False
        expected = entry.get("installedSha256", "")
    return actual == expected and (target.stat().st_mode & 0o7777) == spec.file_mode


def _download(client: httpx.Client, spec: ToolSpec, tools_dir: Path) -> Path:
    """Stream the URL into a temp file, checking the sha256; the temp file is removed on any failure."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".download", dir=tools_dir)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out, client.stream("GET", spec.url) as response:
            if response.status_code != 200:
                raise ToolInstallError(f"{spec.name}: GET {spec.url} answered HTTP {response.status_code}")
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise ToolInstallError(f"{spec.name}: {spec.url} is larger than {MAX_DOWNLOAD_BYTES} bytes")
                digest.update(chunk)
                out.write(chunk)
        got = digest.hexdigest()
        if got != spec.sha256:
            raise ToolInstallError(
                f"{spec.name}: sha256 mismatch for {spec.url}: expected {spec.sha256}, got {got}; "
                "nothing was installed (check the pinned sha256 in the tools manifest)"
            )
        return tmp
    except httpx.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        raise ToolInstallError(f"{spec.name}: download of {spec.url} failed: {type(exc).__name__}: {exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _extract(spec: ToolSpec, archive: Path, tools_dir: Path) -> Path:
    """The archive member as a temp file in the tools dir. Only a regular file member is accepted."""
    member_name = spec.member or spec.name
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".extract", dir=tools_dir)
    tmp = Path(tmp_name)
    try:
        with tarfile.open(archive, "r:gz") as tar, os.fdopen(fd, "wb") as out:
            try:
                member = tar.getmember(member_name)
            except KeyError:
                raise ToolInstallError(f"{spec.name}: {spec.url} has no member {member_name!r} (set member: in the tools manifest)") from None
            if not member.isfile():
                raise ToolInstallError(f"{spec.name}: archive member {member_name!r} is not a regular file")
            src = tar.extractfile(member)
            if src is None:
                raise ToolInstallError(f"{spec.name}: archive member {member_name!r} cannot be read")
            with src:
                for chunk in iter(lambda: src.read(1 << 16), b""):
                    out.write(chunk)
        return tmp
    except (tarfile.TarError, OSError, EOFError) as exc:
        tmp.unlink(missing_ok=True)
        raise ToolInstallError(f"{spec.name}: {spec.url} is not a readable tar.gz: {exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def install_tool(client: httpx.Client, spec: ToolSpec, tools_dir: Path, record: dict[str, dict[str, str]]) -> ToolResult:
    target = tools_dir / spec.name
    if is_present(spec, tools_dir, record):
        return ToolResult(spec.name, ToolOutcome.PRESENT, str(target))
    download = _download(client, spec, tools_dir)
    try:
        staged = download if spec.archive == "none" else _extract(spec, download, tools_dir)
    finally:
        if spec.archive != "none":
            download.unlink(missing_ok=True)
    try:
        os.chmod(staged, spec.file_mode)
        os.replace(staged, target)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    record[spec.name] = {"url": spec.url, "sha256": spec.sha256, "installedSha256": _sha256_file(target)}
    return ToolResult(spec.name, ToolOutcome.INSTALLED, str(target), spec.url)


def install_tools(manifest: ToolsManifest, tools_dir: Path, *, timeout_s: float = 120.0) -> list[ToolResult]:
    """Install every tool of the manifest; a failure is reported per tool and does not stop the others."""
    try:
        tools_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ToolInstallError(f"tools dir {tools_dir} cannot be created ({exc.strerror})") from exc
    record = _read_record(tools_dir)
    results: list[ToolResult] = []
    with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout_s, connect=15.0)) as client:
        for spec in manifest.tools:
            try:
                results.append(install_tool(client, spec, tools_dir, record))
            except ToolInstallError as exc:
                results.append(ToolResult(spec.name, ToolOutcome.FAILED, str(tools_dir / spec.name), str(exc)))
    _write_record(tools_dir, {k: v for k, v in record.items() if k in {t.name for t in manifest.tools}})
    return results
