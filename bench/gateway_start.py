"""Gateway start-up benchmark: cold start to `/readyz` 200, idle RSS, and `openclaw --help` time.

Each run uses a fresh state dir (so it includes first-boot token generation) and a free loopback
port. Medians of RUNS runs go into the "Gateway start" section of docs/BENCHMARKS.md.

    .venv/bin/python bench/gateway_start.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from report import write_section  # bench/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Gateway start"
OPENCLAW = str(Path(sys.executable).with_name("openclaw"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def one_start(idle_s: float) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
        env["OPENCLAW_STATE_DIR"] = str(Path(tmp) / "state")
        port = free_port()
        t0 = time.perf_counter()
        proc = subprocess.Popen([OPENCLAW, "gateway", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not ready(port):
                if proc.poll() is not None:
                    raise RuntimeError(f"gateway exited {proc.returncode}")
                if time.perf_counter() - t0 > 30:
                    raise RuntimeError("gateway not ready after 30 s")
                time.sleep(0.005)
            elapsed = time.perf_counter() - t0
            time.sleep(idle_s)
            return elapsed, rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)


def help_time() -> float:
    t0 = time.perf_counter()
    subprocess.run([OPENCLAW, "--help"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--idle", type=float, default=2.0, help="seconds idle before reading RSS")
    args = parser.parse_args()
    runs = max(5, args.runs)
    help_time()  # warm the page cache once, like a second invocation
    starts, rss = zip(*(one_start(args.idle) for _ in range(runs)), strict=True)
    helps = [help_time() for _ in range(runs)]
    cpu = platform.processor() or platform.machine()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    body = f"""
Measured by `bench/gateway_start.py` ({runs} runs each, median; {time.strftime('%Y-%m-%d')},
Python {platform.python_version()}, {os.cpu_count()} CPUs {cpu}, machine shared with other work;
load average at the end {load}: on a loaded machine the start time mostly measures waiting for a CPU).
Cold start = `openclaw gateway` process spawn (fresh state dir, token generated) until `/readyz`
answers 200. Idle RSS = resident memory {args.idle:g} s after ready.

| Figure | Median | Min | Max | Target |
|---|---|---|---|---|
| Cold start to `/readyz` 200 | {statistics.median(starts):.3f} s | {min(starts):.3f} s | {max(starts):.3f} s | < 0.5 s (upstream Node gateway ~7 s) |
| Idle RSS | {statistics.median(rss):.1f} MB | {min(rss):.1f} MB | {max(rss):.1f} MB | < 80 MB (upstream ~900 MB) |
| `openclaw --help` | {statistics.median(helps):.3f} s | {min(helps):.3f} s | {max(helps):.3f} s | fast (lazy imports) |
"""
    write_section(SECTION, body)
    print(body.strip())


if __name__ == "__main__":
    main()
