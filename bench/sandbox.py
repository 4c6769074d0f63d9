"""Sandbox cluster start time and idle CPU: figures for the "Sandbox cluster" section of docs/BENCHMARKS.md.

Start = building the seeded homelab, starting controllers and the TLS API server until it serves;
settled = until every seeded pod is Running and Ready. Idle CPU = process CPU seconds over a
window with nothing happening, as a share of one core, at simulated speed 1 and 60.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import ssl
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from openclaw.sandbox import homelab
from openclaw.sandbox.kube.cluster import SandboxCluster
from openclaw.sandbox.simclock import SimClock

from report import write_section  # bench/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Sandbox cluster"


def all_ready(cluster: SandboxCluster) -> bool:
    pods = cluster.call(cluster.store.list, "pods")
    return bool(pods) and all(any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions") or []) for p in pods)


def one_run(speed: float, idle: float) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        cluster = SandboxCluster(clock=SimClock(speed=speed), seed=homelab.seed, kubeconfig=Path(tmp) / "kubeconfig").start_in_thread()
        started = time.perf_counter() - t0
        while not all_ready(cluster):
            time.sleep(0.02)
        settled = time.perf_counter() - t0
        time.sleep(0.5)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        time.sleep(idle)
        share = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
        cluster.stop_thread()
        return started, settled, share


def api_latency(requests: int = 100) -> dict[str, list[float]]:
    """Wall seconds per request over one kept-alive TLS connection, for a single object and a full list."""

    async def run() -> dict[str, list[float]]:
        with tempfile.TemporaryDirectory() as tmp:
            cluster = SandboxCluster(clock=SimClock(speed=60), seed=homelab.seed, kubeconfig=Path(tmp) / "kubeconfig")
            await cluster.start()
            await asyncio.sleep(0.5)
            assert cluster.cert is not None
            context = ssl.create_default_context(cadata=cluster.cert.ca_pem.decode())
            pod = cluster.store.list("pods", "media")[0]["metadata"]["name"]
            out: dict[str, list[float]] = {}
            async with httpx.AsyncClient(base_url=cluster.url, verify=context, headers={"Authorization": f"Bearer {cluster.token}"}) as client:
                for label, path in (("GET one pod", f"/api/v1/namespaces/media/pods/{pod}"), ("LIST all pods", "/api/v1/pods")):
                    times = []
                    for _ in range(requests):
                        t0 = time.perf_counter()
                        (await client.get(path)).raise_for_status()
                        times.append(time.perf_counter() - t0)
                    out[label] = times
            await cluster.stop()
            return out

    return asyncio.run(run())




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU sampling per run")
    args = parser.parse_args()
    rows = []
    for speed in (1.0, 60.0):
        runs = [one_run(speed, args.idle) for _ in range(args.runs)]
        starts, settles, shares = zip(*runs, strict=True)
        rows.append((speed, starts, settles, shares))
        print(f"speed {speed}: start {statistics.median(starts):.3f}s settled {statistics.median(settles):.3f}s idle {statistics.median(shares) * 100:.2f}%")
    lines = [
        f"Measured by `bench/sandbox.py` ({args.runs} runs per speed, median; {time.strftime('%Y-%m-%d')}, Python {platform.python_version()},",
        f"{os.cpu_count()} CPUs {platform.machine()}, machine shared with other work). Seeded homelab: 4 nodes, {len(homelab.NAMESPACES)} namespaces, ~30 pods.",
        f"Start = construct, seed, start controllers and the TLS API until it serves; settled = every pod Running and Ready; idle CPU = process CPU over {args.idle:.0f} s with nothing happening, share of one core.",
        "",
        "| Simulated speed | Start | Settled | Idle CPU | Target |",
        "|---|---|---|---|---|",
    ]
    for speed, starts, settles, shares in rows:
        lines.append(f"| {speed:g}x | {statistics.median(starts):.3f} s | {statistics.median(settles):.3f} s | {statistics.median(shares) * 100:.2f} % | start < 1 s, idle < 5 % |")
    latency = api_latency()
    lines += ["", "API latency over one kept-alive TLS connection (httpx, 100 requests each, seeded homelab):", "", "| Request | p50 | p99 |", "|---|---|---|"]
    for label, times in latency.items():
        ordered = sorted(times)
        lines.append(f"| {label} | {statistics.median(ordered) * 1000:.1f} ms | {ordered[int(len(ordered) * 0.99) - 1] * 1000:.1f} ms |")
        print(f"{label}: p50 {statistics.median(ordered) * 1000:.1f} ms")
    write_section(SECTION, "\n".join(lines))


if __name__ == "__main__":
    main()
