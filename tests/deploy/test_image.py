"""The real image: built by `deploy/image/build.sh` (`make image`) with podman on a debootstrap
bookworm base, then run as the pod runs it: read-only root, UID 1000, no capabilities, the state dir
and /tmp the only writable mounts, the shipped seed config mounted read-only.

It checks what the seed's first day needs: /readyz, a webhook stored, the Control UI's pairing
approved with `openclaw devices list|approve` through `podman exec` (the `kubectl exec` flow of
docs/deploy.md), and the token read with the documented `grep -A1 '"token"'`.

Podman keeps its images in a storage of this test's own (removed afterwards). The runtime flags
(runc, cgroupfs, explicit ulimits) let it run in a CI sandbox without CAP_SYS_RESOURCE or a pure
cgroup v2 hierarchy; on any host they change nothing the test looks at.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from deploy_support import DEPLOY, REPO, free_port, require_root_with
from deploy_support import wait_ready as ready
from ingest_bodies import ALERT_FIXTURES, fixture_envelope
from openclaw.gateway.client import GatewayClient, GatewayError
from openclaw.gateway.device_identity import DeviceIdentity

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1200)]

HOOKS_TOKEN = "hooks-token-for-the-image-test-0123456789abc"
IMAGE = "localhost/openclaw-image-test:latest"
RUN_FLAGS = ["--ulimit", "nofile=16384:16384", "--ulimit", "nproc=8192:8192"]


@dataclass
class Container:
    podman: list[str]
    name: str
    port: int
    state: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.podman, "exec", self.name, *command], capture_output=True, text=True, timeout=60)

    def logs(self) -> str:
        out = subprocess.run([*self.podman, "logs", self.name], capture_output=True, text=True, timeout=30)
        return out.stdout + out.stderr


def wait_ready(container: Container) -> httpx.Response:
    return ready(container.base_url, container.logs, deadline_s=120.0)


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    require_root_with(("podman", "debootstrap", "runc"), "building and running the image", "Debian packages; .ci/run installs them")
    base = tmp_path_factory.mktemp("image")
    podman = ["podman", "--root", str(base / "storage"), "--runroot", str(base / "run"),
              "--runtime", "runc", "--cgroup-manager", "cgroupfs"]
    env = {**os.environ, "PODMAN": " ".join(podman), "IMAGE": IMAGE}
    state = base / "state"
    tmp = base / "tmp"
    for path in (state, tmp):
        path.mkdir(mode=0o700)
        os.chown(path, 1000, 1000)
    port = free_port()
    name = f"openclaw-image-test-{os.getpid()}"
    try:
        build = subprocess.run([str(DEPLOY / "image" / "build.sh")], env=env, capture_output=True, text=True, timeout=1500, cwd=REPO)
        assert build.returncode == 0, (build.stdout + build.stderr)[-6000:]
        run = subprocess.run([
            *podman, "run", "--detach", "--name", name, *RUN_FLAGS,
            "--read-only", "--read-only-tmpfs=false", "--user", "1000:1000", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges", "--network", "host",
            "--volume", f"{state}:/home/node/.openclaw:rw", "--volume", f"{tmp}:/tmp:rw",
            "--volume", f"{DEPLOY / 'kustomize' / 'config' / 'config.json5'}:/config/config.json5:ro",
            "--env", "OPENCLAW_SEED_CONFIG=/config/config.json5", "--env", f"OPENCLAW_HOOKS_TOKEN={HOOKS_TOKEN}",
            # The image's CMD is `gateway`; host networking, so an ephemeral loopback port, never 18789.
            IMAGE, "gateway", "--port", str(port), "--bind", "loopback",
        ], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        yield Container(podman=podman, name=name, port=port, state=state)
    finally:
        subprocess.run([*podman, "rm", "--force", "--time", "10", name], capture_output=True, timeout=60)
        # Not `podman system reset`: that also drops networks, which are host-wide, not per storage.
        subprocess.run([*podman, "rmi", "--all", "--force"], capture_output=True, timeout=300)
        shutil.rmtree(base / "storage", ignore_errors=True)


def test_the_image_runs_read_only_as_uid_1000_and_serves_readyz(container: Container) -> None:
    body = wait_ready(container).json()
    assert body["ok"] is True and body["status"] == "ready"
    whoami = container.exec("python", "-c", "import os; print(os.getuid(), os.getgid())")
    assert whoami.stdout.split() == ["1000", "1000"], whoami.stderr
    for path in ("/opt/venv/x", "/home/node/x", "/etc/x"):
        denied = container.exec("touch", path)
        assert denied.returncode != 0 and "Read-only file system" in denied.stderr, (path, denied.stderr)
    written = json.loads((container.state / "openclaw.json").read_text())
    assert (container.state / "openclaw.json").stat().st_uid == 1000 and written["gateway"]["auth"]["token"]


def test_a_webhook_is_accepted_into_the_state_dir(container: Container) -> None:
    wait_ready(container)
    url = f"{container.base_url}/hooks/alertmanager"
    r = httpx.post(url, json=fixture_envelope(ALERT_FIXTURES[0]), headers={"Authorization": f"Bearer {HOOKS_TOKEN}"}, timeout=10)
    assert r.status_code == 202, r.text
    assert (container.state / "events.db").stat().st_size > 0
    assert httpx.post(url, json=fixture_envelope(ALERT_FIXTURES[0]), timeout=10).status_code == 401


def test_the_control_ui_pairs_through_podman_exec_and_the_documented_grep(container: Container) -> None:
    wait_ready(container)
    grep = container.exec("grep", "-A1", '"token"', "/home/node/.openclaw/openclaw.json")
    assert grep.returncode == 0, grep.stderr
    token = json.loads((container.state / "openclaw.json").read_text())["gateway"]["auth"]["token"]
    assert token in grep.stdout  # what the operator pastes into the Control UI
    identity = DeviceIdentity.generate()

    def browser() -> GatewayClient:
        # The Control UI as the seed serves it: its origin is the allowed one from the seed config.
        return GatewayClient(f"ws://127.0.0.1:{container.port}/", token=token, identity=identity,
                             client_id="openclaw-control-ui", client_mode="ui", origin="https://openclaw.homelab.local")

    with pytest.raises(GatewayError) as refused:
        asyncio.run(browser().connect())  # connect() closes the socket when it is refused
    assert refused.value.code == "NOT_PAIRED", refused.value
    request_id = refused.value.details["requestId"]
    listed = container.exec("openclaw", "devices", "list")
    assert listed.returncode == 0 and request_id in listed.stdout, listed.stdout + listed.stderr
    approved = container.exec("openclaw", "devices", "approve", request_id)
    assert approved.returncode == 0, approved.stdout + approved.stderr

    async def second_connect() -> dict[str, object]:
        async with browser() as client:
            return client.hello

    assert asyncio.run(second_connect())["type"] == "hello-ok"


def test_nothing_in_the_container_failed_on_a_read_only_path(container: Container) -> None:
    wait_ready(container)
    logs = container.logs()
    assert "Read-only file system" not in logs and "EROFS" not in logs and "Permission denied" not in logs, logs[-4000:]
