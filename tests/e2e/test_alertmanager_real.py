"""A real AlertManager (Debian's prometheus-alertmanager) sends to an embedded gateway: a storm of
300 alerts in one group, posted to its v2 API, is one notification of over 256 KiB that becomes one
incident, and resolving them resolves it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway_process import free_port
from openclaw.config import store as config_store
from openclaw.events import events_of
from openclaw.gateway.embedded import EmbeddedGateway, run_embedded
from openclaw.incidents import incidents_of

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
TOKEN = "am-hook-token-0123456789abcdef"
STORM = 300
# Short timers: a group is sent a second after its first alert, changes a second after that.
CONFIG = """
route:
  receiver: openclaw
  group_by: [alertname, namespace]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: openclaw
    webhook_configs:
      - url: {url}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {token}
"""


def storm_alert(i: int, ends_at: str | None = None) -> dict[str, Any]:
    """One kube-prometheus KubePodCrashLooping alert, labels and annotations as the rules make them."""
    pod = f"sonarr-7d9f8c6b5-{i:05d}"
    alert: dict[str, Any] = {
        "labels": {
            "alertname": "KubePodCrashLooping", "namespace": "media", "pod": pod, "container": "sonarr",
            "job": "kube-state-metrics", "severity": "warning", "prometheus": "monitoring/kube-prometheus-stack-prometheus",
            "endpoint": "http", "instance": "10.42.0.17:8080", "service": "kube-prometheus-stack-kube-state-metrics",
            "uid": f"6f1d2c3b-4a5e-4f60-9b7a-{i:012d}", "reason": "CrashLoopBackOff",
        },
        "annotations": {
            "summary": "Pod is crash looping.",
            "description": f'Pod media/{pod} (sonarr) is in waiting state (reason: "CrashLoopBackOff").',
            "runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping",
        },
        "generatorURL": "http://prometheus.monitoring:9090/graph?g0.expr=max_over_time%28kube_pod_container_status_waiting_reason%7Breason%3D%22CrashLoopBackOff%22%2C+job%3D%22kube-state-metrics%22%7D%5B5m%5D%29+%3E%3D+1&g0.tab=1",
    }
    if ends_at is not None:
        alert["endsAt"] = ends_at
    return alert


@pytest.fixture
async def gateway(state_dir: Path) -> AsyncIterator[EmbeddedGateway]:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    config_store.set_value(state_dir, "ops.runbooksEnabled", False)
    async with run_embedded(state_dir) as handle:
        yield handle


@pytest.fixture
async def alertmanager(gateway: EmbeddedGateway, tmp_path: Path) -> AsyncIterator[str]:
    if BINARY is None:
        pytest.fail("prometheus-alertmanager is not installed (Debian package prometheus-alertmanager; .ci/run installs it)")
    config = tmp_path / "alertmanager.yml"
    config.write_text(CONFIG.format(url=f"{gateway.http_url}/hooks/alertmanager", token=TOKEN))
    port = free_port()
    log = (tmp_path / "alertmanager.log").open("wb")
    proc = subprocess.Popen(
        [BINARY, f"--config.file={config}", f"--storage.path={tmp_path / 'am-data'}", f"--web.listen-address=127.0.0.1:{port}",
         "--cluster.listen-address=", "--log.level=debug"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                if proc.poll() is not None:
                    raise AssertionError(f"alertmanager exited {proc.returncode}: {(tmp_path / 'alertmanager.log').read_text()}")
                try:
                    if (await client.get(f"{url}/-/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("alertmanager did not become ready")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


async def wait_incident(gateway: EmbeddedGateway, status: str, firing: int, timeout_s: float = 30) -> Any:
    incidents = incidents_of(gateway.services)
    for _ in range(int(timeout_s * 10)):
        found = await incidents.list(status=status)
        if found and found[0].firing_count == firing and found[0].alert_count == STORM:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {status} incident with {STORM} alerts ({firing} firing): {await incidents.list()}")


async def test_a_storm_from_a_real_alertmanager_opens_one_incident_and_resolving_closes_it(gateway: EmbeddedGateway, alertmanager: str) -> None:
    async with httpx.AsyncClient(base_url=alertmanager, timeout=10) as am:
        posted = await am.post("/api/v2/alerts", json=[storm_alert(i) for i in range(STORM)])
        assert posted.status_code == 200, posted.text
        opened = await wait_incident(gateway, "firing", STORM)
        assert len(opened) == 1 and opened[0].title.startswith("KubePodCrashLooping")
        stored = await events_of(gateway.services).recent(source="alertmanager", type="firing")
        assert len(stored[-1].payload) > 262_144, "the storm should have been one notification over the old 256 KiB limit"

        past = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
        resolved = await am.post("/api/v2/alerts", json=[storm_alert(i, ends_at=past) for i in range(STORM)])
        assert resolved.status_code == 200, resolved.text
        closed = await wait_incident(gateway, "resolved", 0)
        assert closed[0].id == opened[0].id


async def test_a_storm_over_the_limit_is_logged_and_doctor_names_the_setting_and_max_alerts(
    gateway: EmbeddedGateway, alertmanager: str, state_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config_store.set_value(state_dir, "hooks.maxBodyBytesByHook.alertmanager", 65_536)
    gateway.services.config.refresh()  # what the file watcher does within half a second
    async with httpx.AsyncClient(base_url=alertmanager, timeout=10) as am:
        assert (await am.post("/api/v2/alerts", json=[storm_alert(i) for i in range(STORM)])).status_code == 200
    for _ in range(300):
        if any(r.msg == "webhook.too_large" for r in caplog.records):
            break
        await asyncio.sleep(0.1)
    record = next(r for r in caplog.records if r.msg == "webhook.too_large")
    assert record.setting == "hooks.maxBodyBytesByHook.alertmanager" and "max_alerts" in record.hint  # type: ignore[attr-defined]
    assert await incidents_of(gateway.services).list() == []

    env = {**os.environ, "OPENCLAW_STATE_DIR": str(state_dir)}
    doctor = subprocess.run([sys.executable, "-m", "openclaw", "doctor", "--json"], env=env, capture_output=True, text=True, timeout=60)
    checks = [c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "webhook body limits"]
    assert len(checks) == 1 and checks[0]["status"] == "warn", checks
    raise_to = re.search(r"openclaw config set hooks\.maxBodyBytesByHook\.alertmanager (\d+)", checks[0]["detail"])
    last = re.search(r"last (\d+) bytes", checks[0]["detail"])
    assert raise_to and last and int(raise_to[1]) > int(last[1]) > 65_536, checks[0]["detail"]
    assert "max_alerts: 54" in checks[0]["detail"]  # 64 KiB at about 1.2 KB per alert
