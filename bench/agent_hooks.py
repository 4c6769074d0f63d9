"""Agent hooks under load: figures for the "Agent hooks under load" section of docs/BENCHMARKS.md.

1. A real `openclaw gateway` process with no model configured (the offline brain answers each turn
   at once, so what is measured is the gateway's own work per turn: event, session, transcript,
   index). `--events` agent hooks are posted by `--clients` clients, each waiting for its ack before
   the next post, each with its own session. Meanwhile a separate process polls `/healthz` on a
   kept-alive connection; its latency, from the first post until the last turn has ended, shows
   whether the event loop is held. Also: acks per second, and the gateway's CPU share.
   `--compare-src DIR` runs the same load against the gateway of another source tree (e.g. an
   export of the commit before the change), in the same run.
2. The session index's update cost (one turn's usage recorded) at 100, 1,000 and 10,000 sessions:
   the JSON file rewritten per update as before (read, update one entry, write atomically with
   fsync, under the file lock), against the SQLite table now used.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from openclaw.agent.messages import Usage
from openclaw.agent.transcripts import SessionEntry, SessionStore, now_iso
from openclaw.config import store as config_store

from report import write_section  # bench/ is on sys.path when a script runs

SECTION = "## Agent hooks under load"
TOKEN = "bench-hook-token-0123456789abcdef0123"
SRC = Path(__file__).resolve().parent.parent / "src"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def probe(port: int, ready: Any, stop: Any, out: Any) -> None:
    """In its own process: GET /healthz every 5 ms on one kept-alive connection until `stop` is set."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples: list[tuple[float, float]] = []  # (wall clock at the request, latency)
    while not stop.is_set():
        if len(samples) == 20:
            ready.set()
        wall, t0 = time.time(), time.perf_counter()
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        resp.read()
        samples.append((wall, time.perf_counter() - t0))
        time.sleep(0.005)
    conn.close()
    out.put(samples)


async def runs_ended(http: httpx.AsyncClient) -> int:
    text = (await http.get("/metrics")).text
    return int(sum(float(v) for v in re.findall(r'^openclaw_agent_runs_total\{[^}]*\} ([0-9.e+]+)$', text, re.M)))


async def client(http: httpx.AsyncClient, n: int, count: int, codes: list[int]) -> None:
    for i in range(count):
        body = {"message": f"disk usage on nas-{n} is at 9{i % 10} %", "name": "uptime-kuma", "sessionKey": f"hook:bench-{n}-{i}"}
        resp = await http.post("/hooks/agent", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        codes.append(resp.status_code)


async def load(port: int, events: int, clients: int, pid: int) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    prober = ctx.Process(target=probe, args=(port, ready, stop, out))
    prober.start()
    base = f"http://127.0.0.1:{port}"
    codes: list[int] = []
    try:
        if not await asyncio.to_thread(ready.wait, 60):  # the prober is polling before the load starts
            raise RuntimeError("the /healthz prober did not start")
        first_post = time.time()
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        https = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(clients)]
        try:
            per = events // clients
            await asyncio.gather(*(client(h, n, per, codes) for n, h in enumerate(https)))
            acked = time.perf_counter() - t0
            accepted = codes.count(202)
            while await runs_ended(https[0]) < accepted:
                if time.perf_counter() - t0 > 600:
                    raise RuntimeError("turns did not end within 600 s")
                await asyncio.sleep(0.05)
            drained = time.perf_counter() - t0
            cpu = cpu_seconds(pid) - cpu0
        finally:
            for h in https:
                await h.aclose()
    finally:
        stop.set()
        timed: list[tuple[float, float]] = out.get(timeout=60)
        prober.join(10)
    samples = sorted(latency for wall, latency in timed if wall >= first_post)
    return {
        "accepted": codes.count(202), "refused": len(codes) - codes.count(202), "acks_per_s": len(codes) / acked,
        "drained_s": drained, "cpu_share": cpu / drained, "probes": len(samples),
        "p50_ms": statistics.median(samples) * 1000, "p99_ms": samples[int(len(samples) * 0.99) - 1] * 1000, "max_ms": samples[-1] * 1000,
    }


def gateway_under_load(src: Path, events: int, clients: int, per_sender: int | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        state.mkdir()
        hooks: dict[str, Any] = {"token": TOKEN}
        if per_sender is not None:
            hooks["agentTurnsPerSender"] = per_sender
        (state / "openclaw.json").write_text(json.dumps({"hooks": hooks}))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "ANTHROPIC_", "OPENAI_"))}
        env.update(OPENCLAW_STATE_DIR=str(state), PYTHONPATH=str(src))
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "openclaw", "gateway", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gateway from {src} did not start")
                time.sleep(0.05)
            return asyncio.run(load(port, events, clients, proc.pid))
        finally:
            proc.terminate()
            proc.wait(20)


# ---- the index -----------------------------------------------------------------------------------


def entry_json(n: int) -> dict[str, Any]:
    return SessionEntry(session_id=uuid.uuid4().hex, created_at=now_iso(), updated_at=now_iso(), model="offline",
                        input_tokens=n, output_tokens=n, total_tokens=2 * n).to_json()


def json_index_update(path: Path, key: str) -> None:
    """One usage update the way the JSON index did it: the whole file read and rewritten."""
    with config_store.lock_for(path):
        index = json.loads(path.read_text(encoding="utf-8"))
        entry = SessionEntry.model_validate(index[key])
        entry.input_tokens += 100
        entry.updated_at = now_iso()
        index[key] = entry.to_json()
        config_store.write_json_atomic(path, index)


def index_costs(sizes: list[int], updates: int) -> list[tuple[int, int, float, float]]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "sessions"
            root.mkdir()
            entries = {f"hook:s{n}": entry_json(n) for n in range(size)}
            legacy = root / "legacy.json"
            legacy.write_text(json.dumps(entries, indent=2))
            old = []
            for i in range(updates):
                t0 = time.perf_counter()
                json_index_update(legacy, f"hook:s{(i * 7919) % size}")
                old.append(time.perf_counter() - t0)
            sessions = SessionStore(root)
            sessions.open("warm")
            with sessions.index._conn() as conn:
                conn.execute("BEGIN")
                conn.executemany("INSERT INTO sessions (key, session_id, updated_at, entry) VALUES (?, ?, ?, ?)",
                                 [(k, v["sessionId"], v["updatedAt"], json.dumps(v)) for k, v in entries.items()])
                conn.execute("COMMIT")
            new = []
            for i in range(updates):
                t0 = time.perf_counter()
                sessions.record_usage(f"hook:s{(i * 7919) % size}", Usage(100, 0), 0.0, 0)
                new.append(time.perf_counter() - t0)
            rows.append((size, legacy.stat().st_size, statistics.median(old) * 1000, statistics.median(new) * 1000))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--per-sender", type=int, default=1000,
                        help="hooks.agentTurnsPerSender for the load (all clients share 127.0.0.1; the default 16 would refuse most)")
    parser.add_argument("--compare-src", type=Path, help="also load the gateway of this source tree (its src/ folder)")
    parser.add_argument("--compare-label", default="before", help="the name of that gateway's row")
    parser.add_argument("--updates", type=int, default=50)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    runs: list[tuple[str, dict[str, float]]] = []
    if args.compare_src:
        runs.append((args.compare_label, gateway_under_load(args.compare_src, args.events, args.clients, None)))
    runs.append(("this tree", gateway_under_load(SRC, args.events, args.clients, args.per_sender)))
    default = gateway_under_load(SRC, args.events, args.clients, None)
    for name, r in [*runs, ("this tree, default bound", default)]:
        print(name, json.dumps({k: round(v, 2) for k, v in r.items()}))
    costs = index_costs([int(s) for s in args.sizes.split(",")], args.updates)
    for size, nbytes, old, new in costs:
        print(f"{size} sessions ({nbytes} B of JSON): json rewrite {old:.2f} ms, table row {new:.2f} ms")
    if args.no_write:
        return
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"Measured by `bench/agent_hooks.py` ({time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs {platform.machine()}, machine shared with other work; load average at the end {load_avg}).",
        f"{args.events} `POST /hooks/agent` events from {args.clients} clients (each posts when its previous post is acked; one",
        "session per event) to an `openclaw gateway` process with no model configured: the offline brain answers at once, so each",
        "turn is the gateway's own work (event stored, session opened, transcript and index written). A separate process polls",
        "`/healthz` every 5 ms on a kept-alive connection from the first post until the last turn has ended.",
        f"`hooks.agentTurnsPerSender` is {args.per_sender} for the load (every client is 127.0.0.1); with the default 16 most posts",
        "are refused with 429, as the last row shows. Target: `/healthz` p99 < 50 ms under agent hooks.",
        "",
        "| Gateway | Acks/s | Accepted | 429 | All turns ended | Gateway CPU | `/healthz` p50 | p99 | max |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in [*runs, ("this tree, default `agentTurnsPerSender` 16", default)]:
        lines.append(f"| {name} | {r['acks_per_s']:.1f} | {r['accepted']:.0f} | {r['refused']:.0f} | {r['drained_s']:.2f} s | "
                     f"{r['cpu_share']:.2f} core | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms | {r['max_ms']:.1f} ms |")
    lines += [
        "",
        f"Session index update (one turn's usage recorded), median of {args.updates}: the JSON index as it was (whole file read",
        "and rewritten with fsync under the file lock) against the SQLite table (one row updated). Target: independent of the",
        "number of sessions.",
        "",
        "| Sessions | JSON index size | JSON rewrite | SQLite row |",
        "|---|---|---|---|",
    ]
    for size, nbytes, old, new in costs:
        lines.append(f"| {size:,} | {nbytes / 1024:,.0f} KB | {old:.2f} ms | {new:.2f} ms |")
    write_section(SECTION, "\n".join(lines))


if __name__ == "__main__":
    main()
