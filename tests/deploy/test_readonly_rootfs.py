"""`openclaw init` and `openclaw gateway` run as in the pod: read-only root, non-root, no capabilities.

The gateway runs in its own mount namespace (`unshare --mount`, root needed: CI runs as root)
where every mount is remounted read-only, a tmpfs stands in for /home with the state dir
bind-mounted writable at /home/node/.openclaw (the PVC), and a fresh tmpfs is /tmp (the emptyDir).
It then drops to UID/GID 1000 with every capability removed and no_new_privs set (`setpriv`), as
the pod's security context does, with the image's environment (PYTHONDONTWRITEBYTECODE=1 ...).
The seed config and workspace files are the shipped ones from deploy/kustomize/; `openclaw init`
downloads its tools from a local HTTP server into a tmpfs standing in for the tools emptyDir.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

import openclaw

from deploy_support import DATA, DEPLOY, free_port, require_root_with, serve_files, values, wait_ready

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

HOOKS_TOKEN = "hooks-token-for-the-readonly-test-0123456789"
STATE_IN_POD = "/home/node/.openclaw"
FAKE_KUBECTL = b"\x7fELF kubectl stand-in\n" * 64
FAKE_KUBECONFORM = b"\x7fELF kubeconform stand-in\n" * 64

# Runs as root inside the new mount namespace; its inputs come as environment variables.
NAMESPACE_SCRIPT = r"""
set -eu
mount -t tmpfs -o mode=0755,size=16m tmpfs /home
mkdir -p /home/node/.openclaw /home/seed
cp "$SEED_SRC" /home/seed/config.json5
mkdir -p /home/seed/workspace /home/tools
cp "$WORKSPACE_SRC"/* /home/seed/workspace/
cp "$TOOLS_MANIFEST_SRC" /home/seed/tools.yaml
chown -R 1000:1000 /home/node
mount --bind "$STATE_SRC" /home/node/.openclaw
mount -t tmpfs -o mode=0755,uid=1000,gid=1000,size=64m tmpfs /home/tools
# Paths UID 1000 must read (the interpreter, the venv, the source) but cannot reach because an
# ancestor is private (e.g. /root): hide that ancestor behind a 0755 tmpfs holding just them.
printf '%s\n' "$EXPOSE" | while IFS='|' read -r blocked needed; do
  [ -n "$blocked" ] || continue
  i=0
  for p in $(echo "$needed" | tr ',' ' '); do
    mkdir -p "/home/.stage/$i"; mount --bind "$p" "/home/.stage/$i"; i=$((i+1))
  done
  mount -t tmpfs -o mode=0755,size=1m tmpfs "$blocked"
  i=0
  for p in $(echo "$needed" | tr ',' ' '); do
    mkdir -p "$p"; mount --move "/home/.stage/$i" "$p"; i=$((i+1))
  done
done
# A checkout under /tmp (CI's may be) would vanish under the fresh /tmp below: stage what the
# program runs from (the venv, the source, the interpreter) so it can be put back, read-only.
keep=""
for p in "$VENV_DIR" "$SRC_DIR" "$PY_PREFIX"; do
  case "$p" in /tmp/*) keep="$keep $p" ;; esac
done
i=0
for p in $keep; do
  mkdir -p "/home/.keep/$i"; mount --bind "$p" "/home/.keep/$i"; i=$((i+1))
done
for mp in $(awk '{print $5}' /proc/self/mountinfo | sort -u); do
  case "$mp" in
    /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|/home/node/.openclaw|/home/tools) ;;
    /) mount -o remount,bind,ro / ;;
    *) mount -o remount,bind,ro "$mp" || echo "readonly-rootfs: could not remount $mp read-only" >&2 ;;
  esac
done
mount -t tmpfs -o mode=1777,size=64m tmpfs /tmp
i=0
for p in $keep; do
  mkdir -p "$p"; mount --bind "/home/.keep/$i" "$p"; mount -o remount,bind,ro "$p"; i=$((i+1))
done
for dir in / /home/node "$VENV_DIR" "$SRC_DIR" "$PY_PREFIX"; do
  if touch "$dir/.openclaw-rw-probe" 2>/dev/null; then
    echo "READONLY-SETUP-FAILED: $dir is still writable" >&2
    exit 97
  fi
done
echo "readonly-rootfs: ready" >&2
as_node() {
  setpriv --reuid=1000 --regid=1000 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs \
    env -i PATH="$VENV_DIR/bin:/usr/local/bin:/usr/bin:/bin" HOME=/home/node \
        OPENCLAW_STATE_DIR=/home/node/.openclaw OPENCLAW_SEED_CONFIG=/home/seed/config.json5 \
        OPENCLAW_HOOKS_TOKEN="$OPENCLAW_HOOKS_TOKEN" PYTHONPATH="$CHILD_PYTHONPATH" \
        PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 XDG_CACHE_HOME=/tmp/.cache XDG_CONFIG_HOME=/tmp/.config TMPDIR=/tmp \
    "$@"
}
# the init container's job, then the gateway, through the console script the image's ENTRYPOINT runs
echo "INIT-REPORT-BEGIN"
as_node "$VENV_DIR/bin/openclaw" init --workspace-source /home/seed/workspace --tools-manifest /home/seed/tools.yaml \
  --tools-dir /home/tools --json || { echo "INIT-FAILED" >&2; exit 98; }
echo "INIT-REPORT-END"
as_node "$VENV_DIR/bin/openclaw" gateway --port "$PORT" --bind loopback
"""


@dataclass
class ReadOnlyGateway:
    base_url: str
    port: int
    state: Path
    log: Path
    proc: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def exposures() -> str:
    """`blocked|path,path` lines: dirs others cannot traverse, and what below them the gateway needs."""
    needed = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(openclaw.__file__).resolve().parents[1],
              Path(sys.executable).resolve().parent}
    needed = {p for p in needed if not any(p != q and p.is_relative_to(q) for q in needed)}
    groups: dict[Path, list[Path]] = {}
    for path in sorted(needed):
        blocked = next((a for a in reversed(path.parents) if a != Path("/") and not a.stat().st_mode & 0o001), None)
        if blocked is not None:
            groups.setdefault(blocked, []).append(path)
    return "\n".join(f"{b}|{','.join(str(p) for p in ps)}" for b, ps in groups.items())


def store_digests(state: Path) -> dict[str, str]:
    """sha256 of each SQLite file (database, WAL, journal) in the state dir."""
    import hashlib

    return {str(p.relative_to(state)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in state.rglob("*") if p.is_file() and (".db" in p.name or ".sqlite" in p.name)}


def tar_gz(members: dict[str, bytes]) -> bytes:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def gateway_ready(gw: ReadOnlyGateway) -> httpx.Response:
    return wait_ready(gw.base_url, gw.log_text, exited=gw.proc.poll)


@pytest.fixture(scope="module")
def readonly_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadOnlyGateway]:
    require_root_with(("unshare", "setpriv", "mount"), "creating a mount namespace", "util-linux")
    base = tmp_path_factory.mktemp("readonly")
    state = base / "state"
    state.mkdir(mode=0o700)
    os.chown(state, 1000, 1000)
    seed = base / "config.json5"
    shutil.copy(DEPLOY / "kustomize" / "config" / "config.json5", seed)
    seed.chmod(0o644)
    www = base / "www"
    www.mkdir()
    server_cm = serve_files(www)
    server = server_cm.__enter__()
    tools = [
        {"name": "kubectl", "url": server.url("kubectl"), "sha256": server.put("kubectl", FAKE_KUBECTL), "mode": "0755"},
        {"name": "kubeconform", "url": server.url("kubeconform-linux-amd64.tar.gz"), "archive": "tar.gz",
         "sha256": server.put("kubeconform-linux-amd64.tar.gz", tar_gz({"kubeconform": FAKE_KUBECONFORM}))},
    ]
    manifest = base / "tools.yaml"
    manifest.write_text(yaml.safe_dump({"tools": tools}))
    manifest.chmod(0o644)
    log = base / "gateway.log"
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SEED_SRC": str(seed),
        "STATE_SRC": str(state),
        "VENV_DIR": str(Path(sys.executable).parent.parent),
        "PORT": str(port),
        "OPENCLAW_HOOKS_TOKEN": HOOKS_TOKEN,
        "EXPOSE": exposures(),
        "SRC_DIR": str(Path(openclaw.__file__).resolve().parent),
        "PY_PREFIX": str(Path(sys.base_prefix).resolve()),
        "WORKSPACE_SRC": str(DEPLOY / "kustomize" / "workspace"),
        "CHILD_PYTHONPATH": os.environ.get("PYTHONPATH", ""),  # the code under test is the code this process imports
        "TOOLS_MANIFEST_SRC": str(manifest),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", NAMESPACE_SCRIPT],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    gw = ReadOnlyGateway(base_url=f"http://127.0.0.1:{port}", port=port, state=state, log=log, proc=proc)
    try:
        yield gw
    finally:
        server_cm.__exit__(None, None, None)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def test_gateway_serves_readyz_with_a_read_only_root_filesystem(readonly_gateway: ReadOnlyGateway) -> None:
    response = gateway_ready(readonly_gateway)
    body = response.json()
    assert body["ok"] is True and body["status"] == "ready"
    assert "readonly-rootfs: ready" in readonly_gateway.log_text()


def test_init_seeds_the_workspace_and_installs_tools_under_a_read_only_root(readonly_gateway: ReadOnlyGateway) -> None:
    gateway_ready(readonly_gateway)
    text = readonly_gateway.log_text()
    report = json.loads(text.split("INIT-REPORT-BEGIN", 1)[1].split("INIT-REPORT-END", 1)[0])
    assert report["ok"] is True, report
    assert [(t["name"], t["outcome"]) for t in report["tools"]["results"]] == [("kubectl", "installed"), ("kubeconform", "installed")]
    shipped = sorted(p.name for p in (DEPLOY / "kustomize" / "workspace").iterdir())
    assert sorted(report["workspace"]["copied"]) == shipped
    workspace = readonly_gateway.state / "workspace"
    assert (workspace / "AGENTS.md").read_bytes() == (DEPLOY / "kustomize" / "workspace" / "AGENTS.md").read_bytes()
    assert (workspace / "AGENTS.md").stat().st_uid == 1000
    assert (readonly_gateway.state / "init" / "workspace-seeded.json").is_file()


def test_the_state_dir_is_written_as_uid_1000(readonly_gateway: ReadOnlyGateway) -> None:
    gateway_ready(readonly_gateway)
    state_file = readonly_gateway.state / "openclaw.json"
    assert state_file.stat().st_uid == 1000 and state_file.stat().st_mode & 0o777 == 0o600
    token = json.loads(state_file.read_text())["gateway"]["auth"]["token"]  # generated on first boot
    assert len(token) >= 43


def test_the_liveness_probe_command_of_the_chart_passes(readonly_gateway: ReadOnlyGateway) -> None:
    gateway_ready(readonly_gateway)
    command = values()["controllers"]["openclaw"]["containers"]["app"]["probes"]["liveness"]["spec"]["exec"]["command"]
    script = command[3].replace("18789", str(readonly_gateway.port))
    result = subprocess.run([sys.executable, *command[1:3], script], capture_output=True, timeout=10)
    assert result.returncode == 0, result.stderr


def test_a_webhook_is_accepted_and_stored_in_the_state_dir(readonly_gateway: ReadOnlyGateway) -> None:
    gateway_ready(readonly_gateway)
    alert = json.loads((DATA / "payloads" / "holmesgpt-alert-KubePodCrashLooping.json").read_text())["raw"]
    envelope = {
        "version": "4",
        "groupKey": '{}:{alertname="KubePodCrashLooping"}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "openclaw",
        "groupLabels": {"alertname": "KubePodCrashLooping"},
        "commonLabels": alert["labels"],
        "commonAnnotations": alert["annotations"],
        "externalURL": "http://alertmanager.monitoring.svc:9093",
        "alerts": [{
            "status": "firing",
            "labels": alert["labels"],
            "annotations": alert["annotations"],
            "startsAt": "2024-11-29T08:40:57.669Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": alert["generatorURL"],
            "fingerprint": alert["fingerprint"],
        }],
    }
    before = store_digests(readonly_gateway.state)
    r = httpx.post(f"{readonly_gateway.base_url}/hooks/alertmanager", json=envelope,
                   headers={"Authorization": f"Bearer {HOOKS_TOKEN}"}, timeout=10)
    assert r.status_code == 202, r.text
    after = store_digests(readonly_gateway.state)
    assert after and after != before, "the 202 came before anything reached the SQLite store in the state dir"
    unauthorized = httpx.post(f"{readonly_gateway.base_url}/hooks/alertmanager", json=envelope, timeout=10)
    assert unauthorized.status_code == 401


def test_nothing_failed_on_a_read_only_path(readonly_gateway: ReadOnlyGateway) -> None:
    gateway_ready(readonly_gateway)
    text = readonly_gateway.log_text()
    assert "Read-only file system" not in text and "EROFS" not in text
    assert "Permission denied" not in text
