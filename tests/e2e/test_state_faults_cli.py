"""State and config faults through the real CLI: `openclaw gateway`, `openclaw config set` and
`openclaw doctor` on an openclaw.json with invalid UTF-8, one nested 5,000 levels, a state dir on
a read-only mount (a bind mount remounted read-only inside a user+mount namespace), and a state dir
the user may not write (the CLI run as uid 1000 on a root-owned dir). Each exits 1 with one line
naming the path (and for the state dir, the uid/gid and the setting that fixes it), no traceback,
and the files are as they were."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CONFIG = b'{"gateway": {"port": 18977}, "hooks": {"token": "a-hook-token-0123456789abcdef0123456789"}}\n'
SET = ("config", "set", "gateway.port", "18978")


def env(state: Path) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
    out.update(OPENCLAW_STATE_DIR=str(state), HOME=str(state.parent), NO_COLOR="1", COLUMNS="400")
    return out


def run(state: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    # `gateway --port 0` would serve forever if the fault went unnoticed: the timeout makes that a failure.
    return subprocess.run([*prefix, sys.executable, "-m", "openclaw", *args], capture_output=True, text=True, env=env(state), timeout=60)


def snapshot(state: Path) -> dict[str, bytes]:
    """Every file and its bytes (the empty lock file `config set` takes is not state)."""
    return {str(p.relative_to(state)): p.read_bytes() for p in sorted(state.rglob("*")) if p.is_file() and p.suffix != ".lock"}


def assert_one_line(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def doctor_fail(done: subprocess.CompletedProcess[str], check: str, *needles: str) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith(f"FAIL  {check}:")]
    assert lines, done.stdout
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.fixture
def state(tmp_path: Path) -> Path:
    path = tmp_path / "state"
    path.mkdir(mode=0o700)
    return path


# ---- content faults ----------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "says"), [
    (b'{"gateway": {"port": 18977, "bind": "lan\xff"}}\n', "is not UTF-8: byte 0xff at line 1, column 41"),
    (b'{"a":' * 5000 + b"1" + b"}" * 5000, "nested"),
    (b"[" * 5000 + b"]" * 5000, "nested"),
], ids=["invalid-utf8", "nested-objects", "nested-arrays"])
def test_an_unparseable_config_file_is_one_line_for_each_command(state: Path, content: bytes, says: str) -> None:
    config = state / "openclaw.json"
    config.write_bytes(content)
    config.chmod(0o600)
    before = snapshot(state)
    assert_one_line(run(state, "gateway", "--port", "0"), str(config), says)
    assert_one_line(run(state, *SET), "Not written", str(config), says)
    doctor_fail(run(state, "doctor"), "config", str(config), says)
    assert snapshot(state) == before


# ---- a read-only mount -------------------------------------------------------------------------


def ro_prefix(target: Path) -> tuple[str, ...]:
    """Run a command with `target` bind-mounted read-only over itself, in a user+mount namespace."""
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"'
    return ("unshare", "-rm", "sh", "-c", script, str(target))


@pytest.fixture
def read_only() -> None:
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) for a read-only bind mount in a user namespace")
    with tempfile.TemporaryDirectory() as tmp:
        probe = subprocess.run([*ro_prefix(Path(tmp)), "touch", f"{tmp}/x"], capture_output=True, text=True)
        if "Read-only file system" not in probe.stderr:
            pytest.skip(f"user+mount namespaces are unavailable here (unshare -rm: {probe.stderr.strip()[:200]})")


@pytest.mark.usefixtures("read_only")
@pytest.mark.parametrize("with_config", [True, False], ids=["with-openclaw.json", "without-openclaw.json"])
def test_a_read_only_state_dir_is_one_line_naming_the_mount_setting(state: Path, with_config: bool) -> None:
    if with_config:
        (state / "openclaw.json").write_bytes(CONFIG)
        (state / "openclaw.json").chmod(0o600)
    before = snapshot(state)
    ro = ro_prefix(state)
    who = f"uid {os.getuid()} gid {os.getgid()}"
    line = assert_one_line(run(state, "gateway", "--port", "0", prefix=ro), str(state), "read-only filesystem (EROFS)", who, "readOnly")
    assert line.startswith("Cannot start — state dir not writable: ")
    assert_one_line(run(state, *SET, prefix=ro), "Not written", str(state), "EROFS", who, "readOnly")
    doctor_fail(run(state, "doctor", prefix=ro), "state dir writable", str(state), "EROFS", who, "readOnly")
    assert snapshot(state) == before


# ---- a state dir the user may not write --------------------------------------------------------


@pytest.fixture
def foreign_dir() -> Iterator[tuple[Path, tuple[str, ...]]]:
    """A state dir the CLI's user cannot write, and the prefix that runs the CLI as that user:
    as root, the CLI runs as uid/gid 1000 (as in the pod) on a root-owned dir; otherwise mode 555."""
    base = Path(tempfile.mkdtemp(prefix="openclaw-eacces-"))
    try:
        base.chmod(0o755)
        state = base / "state"
        state.mkdir()
        if os.getuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("as root this needs setpriv(1) to run the CLI as uid 1000")
            state.chmod(0o755)
            yield state, ("setpriv", "--reuid", "1000", "--regid", "1000", "--clear-groups")
        else:
            state.chmod(0o555)
            yield state, ()
    finally:
        for path in (base, *base.rglob("*")):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(base)


@pytest.mark.parametrize("with_config", [True, False], ids=["with-openclaw.json", "without-openclaw.json"])
def test_a_state_dir_the_user_cannot_write_is_one_line_naming_fsgroup(foreign_dir: tuple[Path, tuple[str, ...]], with_config: bool) -> None:
    state, prefix = foreign_dir
    if with_config:
        mode = state.stat().st_mode
        state.chmod(0o755)
        (state / "openclaw.json").write_bytes(CONFIG)
        (state / "openclaw.json").chmod(0o600 if prefix else 0o644)
        state.chmod(mode)
    before = snapshot(state)
    uid, gid = (1000, 1000) if prefix else (os.getuid(), os.getgid())
    who = f"uid {uid} gid {gid}"
    fix = f"`fsGroup: {gid}`" if gid else "`fsGroup: 1000`"
    line = assert_one_line(run(state, "gateway", "--port", "0", prefix=prefix), str(state), "permission denied (EACCES)", who, fix)
    assert line.startswith("Cannot start — state dir not writable: ")
    assert_one_line(run(state, *SET, prefix=prefix), "Not written", str(state), "EACCES", who, fix)
    doctor_fail(run(state, "doctor", prefix=prefix), "state dir writable", str(state), "EACCES", who, fix)
    assert snapshot(state) == before
