"""Memory and time of one large AlertManager notification (an alert storm) through the webhook path.

For groups of 300, 3,000 and 7,000 kube-prometheus alerts (AlertManager sends a group in one
body), the gateway's own code path (`read_body`, `body_text`, `accept` from gateway/hooks.py)
runs on a Starlette request whose body arrives in 64 KiB chunks, as uvicorn delivers it, under
tracemalloc: the peak is everything the path allocates, the typed model included, over the body
size. A reference row does what the path did before (a list of chunks joined, then decoded, the
model validated from the bytes). The end-to-end row posts the same bodies to a gateway process
and reports the time to the 202 and until the incident holds every alert, and the growth of the
process's peak RSS. Figures go into the "Large webhook bodies" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx

from report import write_section  # bench/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from gateway_process import free_port, memory_kib, start_gateway, wait_ready  # noqa: E402

from openclaw.config import store as config_store  # noqa: E402
from openclaw.config.schema import Settings  # noqa: E402
from openclaw.events.models.alertmanager import AlertmanagerNotification  # noqa: E402
from openclaw.gateway import hooks  # noqa: E402

SECTION = "## Large webhook bodies"
TOKEN = "bench-hook-token-0123456789abcdef"
SIZES = (300, 3000, 7000)
CHUNK = 65536


def storm(n: int) -> bytes:
    alerts = []
    for i in range(n):
        pod = f"sonarr-7d9f8c6b5-{i:05d}"
        alerts.append({
            "status": "firing",
            "labels": {"alertname": "KubePodCrashLooping", "namespace": "media", "pod": pod, "container": "sonarr", "job": "kube-state-metrics",
                       "severity": "warning", "prometheus": "monitoring/kube-prometheus-stack-prometheus", "endpoint": "http",
                       "instance": "10.42.0.17:8080", "service": "kube-prometheus-stack-kube-state-metrics", "uid": f"6f1d2c3b-4a5e-4f60-9b7a-{i:012d}"},
            "annotations": {"summary": "Pod is crash looping.", "description": f'Pod media/{pod} (sonarr) is in waiting state (reason: "CrashLoopBackOff").',
                            "runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping"},
            "startsAt": "2026-12-02T17:00:00.000Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": f"{n:04x}{i:012x}",
            "generatorURL": "http://prometheus.monitoring:9090/graph?g0.expr=kube_pod_container_status_waiting_reason&g0.tab=1",
        })
    body = {"receiver": "openclaw", "status": "firing", "alerts": alerts, "groupLabels": {"alertname": "KubePodCrashLooping", "namespace": "media"},
            "commonLabels": {"alertname": "KubePodCrashLooping"}, "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
            "version": "4", "groupKey": '{}:{alertname="KubePodCrashLooping", namespace="media"}', "truncatedAlerts": 0}
    return json.dumps(body).encode()


class FakeServices:
    def __init__(self) -> None:
        self.config = type("Config", (), {"settings": Settings()})()


def request_for(body: bytes) -> Any:
    from starlette.requests import Request

    chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    scope = {"type": "http", "method": "POST", "path": "/hooks/alertmanager", "headers": [(b"content-length", str(len(body)).encode())], "query_string": b""}
    return Request(scope, receive), chunks


async def gateway_path(body: bytes) -> float:
    request, chunks = request_for(body)
    del body  # only the chunks "on the wire" stay, and they are handed over as they are read
    limit = hooks.body_limit(Settings(), "alertmanager")
    tracemalloc.start()
    outcome = hooks.accept(request, "alertmanager", hooks.body_text(await hooks.read_body(request, limit)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert outcome is not None
    return peak


async def joined_path(body: bytes) -> float:
    """The reference: every chunk kept in a list, joined, decoded, validated from the bytes."""
    request, _ = request_for(body)
    del body
    tracemalloc.start()
    parts = [chunk async for chunk in request.stream()]
    raw = b"".join(parts)
    model = AlertmanagerNotification.model_validate_json(raw)
    text = raw.decode()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert model and text
    return peak


async def end_to_end(bodies: dict[int, bytes]) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        config_store.set_value(state, "hooks.token", TOKEN)
        config_store.set_value(state, "ops.runbooksEnabled", False)
        port = free_port()
        proc = start_gateway(state, port, Path(tmp) / "gateway.log")
        url = f"http://127.0.0.1:{port}"
        try:
            await wait_ready(url, proc)
            async with httpx.AsyncClient(base_url=url, timeout=120) as client:
                for n, body in bodies.items():
                    before = memory_kib(proc.pid)["VmHWM"]
                    start = time.perf_counter()
                    r = await client.post("/hooks/alertmanager", content=body.replace(b"KubePodCrashLooping", f"Storm{n}".encode()),
                                          headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
                    assert r.status_code == 202, r.text
                    accepted = time.perf_counter() - start
                    while True:
                        conn = sqlite3.connect(f"file:{state / 'events.db'}?mode=ro", uri=True)
                        row = conn.execute("SELECT COUNT(*) FROM incident_alerts WHERE alertname = ?", (f"Storm{n}",)).fetchone()
                        conn.close()
                        if row and row[0] == n:
                            break
                        if time.perf_counter() - start > 300:
                            raise AssertionError(f"the {n}-alert storm did not reach its incident after 300 s ({row})")
                        await asyncio.sleep(0.05)
                    out[n] = {"accepted": accepted, "incident": time.perf_counter() - start, "hwm": (memory_kib(proc.pid)["VmHWM"] - before) / 1024}
        finally:
            proc.terminate()
            proc.wait(30)
    return out


async def main() -> None:
    bodies = {n: storm(n) for n in SIZES}
    rows = []
    e2e = await end_to_end(bodies)
    for n, body in bodies.items():
        ours = await gateway_path(body)
        joined = await joined_path(body)
        size = len(body)
        rows.append(f"| {n} | {size / 1048576:.2f} MiB | {ours / size:.2f}x ({ours / 1048576:.0f} MiB) | {joined / size:.2f}x | "
                    f"{e2e[n]['accepted']:.2f} s | {e2e[n]['incident']:.2f} s | {e2e[n]['hwm']:.0f} MiB |")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = f"""Measured by `bench/large_body.py` ({time.strftime('%Y-%m-%d')}, Python {platform.python_version()},
{os.cpu_count()} CPUs {platform.machine()}, machine shared with other work; load average {load}).
One AlertManager notification of N kube-prometheus alerts (about 1.2 KB each), arriving in 64 KiB chunks.
Peak = what the webhook path allocates (tracemalloc), the typed model included, over the body size;
the reference holds the chunks in a list, joins them, validates the bytes and decodes them.
202 and incident: the same body posted to a gateway process (time to its 202, and until the incident
holds every alert); peak RSS growth = the process's VmHWM after minus before. Default limit
`hooks.maxBodyBytesByHook.alertmanager` 8 MiB (about 7,000 alerts).

| Alerts | Body | Peak, gateway path | Peak, reference | 202 | Incident | Peak RSS growth |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + "\n"
    print(text)
    write_section(SECTION, text)


if __name__ == "__main__":
    asyncio.run(main())
