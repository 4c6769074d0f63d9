"""The whole sandbox homelab (cluster + six media apps + alert source): start time and idle CPU.

Writes the "Sandbox homelab (cluster, media apps, alert source)" section of docs/BENCHMARKS.md.
Start = `Sandbox.start()` until the API server and every media app serve; idle CPU = process CPU
seconds over a window after the homelab settled, as a share of one core, at speed 1 and 60.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from openclaw.sandbox.runtime import Sandbox, SandboxOptions
from openclaw.sandbox.scenario import settle

from report import write_section  # bench/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Sandbox homelab (cluster, media apps, alert source)"
PROBES = {"sonarr": "/api/v3/system/status", "radarr": "/api/v3/system/status", "prowlarr": "/api/v1/system/status",
          "qbittorrent": "/api/v2/app/version", "jellyseerr": "/api/v1/status", "jellyfin": "/System/Info/Public"}


async def one_run(speed: float, idle: float) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        box = Sandbox(SandboxOptions(speed=speed, kubeconfig=Path(tmp) / "kubeconfig"))
        await box.start()
        started = time.perf_counter() - t0
        async with httpx.AsyncClient(timeout=5) as client:
            for app, url in box.media.urls.items():
                key = box.media.credentials.keys.get(app, "")
                response = await client.get(url + PROBES[app], headers={"X-Api-Key": key})
                if response.status_code not in (200, 403):  # qBittorrent answers 403 before a login
                    raise RuntimeError(f"{app} answered {response.status_code}")
        await settle(box, timeout=30)
        settled = time.perf_counter() - t0
        await asyncio.sleep(0.5)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(idle)
        share = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
        await box.stop()
        return started, settled, share




def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU sampling per run")
    args = parser.parse_args()
    rows = []
    for speed in (1.0, 60.0):
        runs = [asyncio.run(one_run(speed, args.idle)) for _ in range(args.runs)]
        starts, settles, shares = zip(*runs, strict=True)
        rows.append((speed, starts, settles, shares))
        print(f"speed {speed}: start {statistics.median(starts):.3f}s settled {statistics.median(settles):.3f}s idle {statistics.median(shares) * 100:.2f}%")
    lines = [
        f"Measured by `bench/sandbox_homelab.py` ({args.runs} runs per speed, median; {time.strftime('%Y-%m-%d')}, Python {platform.python_version()},",
        f"{os.cpu_count()} CPUs {platform.machine()}, machine shared with other work). Everything `openclaw sandbox` and `make run` start:",
        "the cluster (API server, controllers, seeded homelab), Sonarr, Radarr, Prowlarr, qBittorrent, Jellyseerr and Jellyfin on",
        "their own loopback ports, the media pipeline and the alert source (rules evaluated every 30 simulated seconds).",
        f"Start = `Sandbox.start()` until all seven servers answer; settled = every Deployment available; idle CPU = process CPU over {args.idle:.0f} s, share of one core.",
        "",
        "| Simulated speed | Start | Settled | Idle CPU | Target |",
        "|---|---|---|---|---|",
    ]
    for speed, starts, settles, shares in rows:
        lines.append(f"| {speed:g}x | {statistics.median(starts):.3f} s | {statistics.median(settles):.3f} s | {statistics.median(shares) * 100:.2f} % | start < 1 s, idle < 5 % |")
    write_section(SECTION, "\n".join(lines))


if __name__ == "__main__":
    main()
