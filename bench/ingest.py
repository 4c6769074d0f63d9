"""Webhook ingest throughput: /hooks/alertmanager with real persistence vs a hello-world ceiling.

Runs, each in its own process on loopback:
  1. a bare hello-world ASGI app on the gateway's server stack (uvicorn with the same options),
  2. the real gateway (`python -m openclaw gateway`) with `events.journalMode` auto, then `delete`
     (the mode used on a network filesystem),
and drives each with the same load generator, a separate process speaking HTTP/1.1 keep-alive over
raw asyncio streams (cheap per request, so it measures the server rather than itself). Every
gateway request is a 10-alert AlertManager v4 body that is stored durably before its 202; the
processor correlates the stored events into incidents at the same time, on the same CPU.
Requests/s, p50/p99 latency and the ratio to the ceiling go into the "Webhook ingest" section of
docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

import msgspec  # a lightkube dependency; used only for one reference row

from report import write_section  # bench/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Webhook ingest"
TOKEN = "bench-hook-token-0123456789abcdef"


# --- the ceiling: hello world on the same server stack ---


async def answer_202(send: Any) -> None:
    body = b'{"ok":true}'
    await send({"type": "http.response.start", "status": 202, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def read_all(receive: Any) -> bytes:
    """The request body, read the way the gateway reads it (every chunk until `more_body` is false)."""
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def bare_app(step: Any = None, startup: Any = None, shutdown: Any = None) -> Any:
    """A bare ASGI app that reads the body, awaits `step(body)` if given, and answers 202."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    if startup is not None:
                        await startup()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if shutdown is not None:
                        await shutdown()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = await read_all(receive)
        if step is not None:
            await step(body)
        await answer_202(send)

    return app


def validating_app() -> Any:
    """The bare app plus one step of the gateway: validating the body into its typed (pydantic) model."""
    from openclaw.events.models.alertmanager import AlertmanagerNotification

    async def validate(body: bytes) -> None:
        AlertmanagerNotification.model_validate_json(body)

    return bare_app(validate)


def storing_app(state_parent: str | None) -> Any:
    """The bare app plus one step of the gateway: the durable store of the body, with the gateway's
    own event database (group commit, `synchronous=FULL`, the journal mode `auto` picks)."""
    from openclaw.events.db import DB_FILE_NAME, Database
    from openclaw.events.journal import choose_journal_mode
    from openclaw.events.store import EventStore

    state = Path(tempfile.mkdtemp(dir=state_parent))
    db = Database(state / DB_FILE_NAME, journal_mode=choose_journal_mode("auto", state))
    store = EventStore(db)

    async def append(body: bytes) -> None:
        await store.append("alertmanager", "firing", body.decode())

    async def close() -> None:
        await db.close()
        shutil.rmtree(state, ignore_errors=True)

    return bare_app(append, db.open, close)


def minimal_storing_app(state_parent: str | None, validate: Any = None) -> Any:
    """The bare app plus the cheapest durable store this bench knows of (a table with no index but its
    rowid, and a writer thread that commits everything queued as one multi-row INSERT: one statement,
    one transaction, one fsync), after `validate(body)` if given: the least any gateway that validates
    and stores before its 202 must do."""
    import sqlite3
    import threading

    from openclaw.events.journal import choose_journal_mode
    from openclaw.events.store import new_event_id

    state = Path(tempfile.mkdtemp(dir=state_parent))
    conn = sqlite3.connect(state / "events.db", isolation_level=None, check_same_thread=False, cached_statements=1024)
    conn.execute(f"PRAGMA journal_mode={choose_journal_mode('auto', state)}")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT, source TEXT, type TEXT, received_at REAL, payload TEXT)")
    queued: list[tuple[tuple[Any, ...], asyncio.Future[None]]] = []
    wake = threading.Condition()
    stopping = False

    def settle(futures: list[asyncio.Future[None]]) -> None:
        for future in futures:
            future.set_result(None)

    def writer(loop: asyncio.AbstractEventLoop) -> None:
        nonlocal queued
        while True:
            with wake:
                while not queued and not stopping:
                    wake.wait()
                if not queued:
                    return
                batch, queued = queued[:1024], queued[1024:]
            rows = ",".join(["(?,?,?,?,?)"] * len(batch))
            conn.execute(f"INSERT INTO events (id, source, type, received_at, payload) VALUES {rows}", [v for row, _ in batch for v in row])
            loop.call_soon_threadsafe(settle, [future for _, future in batch])

    thread: threading.Thread | None = None

    async def start() -> None:
        nonlocal thread
        thread = threading.Thread(target=writer, args=(asyncio.get_running_loop(),), daemon=True)
        thread.start()

    async def append(body: bytes) -> None:
        if validate is not None:
            validate(body)
        future = asyncio.get_running_loop().create_future()
        with wake:
            queued.append(((new_event_id(), "alertmanager", "firing", time.time(), body.decode()), future))
            wake.notify()
        await future

    async def close() -> None:
        nonlocal stopping
        with wake:
            stopping = True
            wake.notify()
        if thread is not None:
            await asyncio.to_thread(thread.join)
        conn.close()
        shutil.rmtree(state, ignore_errors=True)

    return bare_app(append, start, close)


def starlette_app() -> Any:
    """A Starlette app with one POST route that reads the body and answers 202: the framework's share."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def accept(request: Request) -> Response:
        await request.body()
        return Response(b'{"ok":true}', status_code=202, media_type="application/json")

    return Starlette(routes=[Route("/hooks/{name:path}", accept, methods=["POST"])])


class FastAlert(msgspec.Struct):
    """The AlertManager v4 body as msgspec types, for a reference row with a faster validator than pydantic."""

    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = {}
    startsAt: str = ""
    endsAt: str | None = None
    generatorURL: str = ""
    fingerprint: str | None = None


class FastNotification(msgspec.Struct):
    groupKey: str
    status: Literal["firing", "resolved"]
    alerts: list[FastAlert]
    version: str = "4"
    truncatedAlerts: int = 0
    receiver: str = ""
    groupLabels: dict[str, str] = {}
    commonLabels: dict[str, str] = {}
    commonAnnotations: dict[str, str] = {}
    externalURL: str = ""


def pydantic_validator() -> Any:
    from openclaw.events.models.alertmanager import AlertmanagerNotification

    return AlertmanagerNotification.model_validate_json


REFERENCE_APPS = {
    "asgi": lambda parent: bare_app(),
    "starlette": lambda parent: starlette_app(),
    "validate": lambda parent: validating_app(),
    "store": storing_app,
    "store-minimal": minimal_storing_app,
    "validate+store-minimal": lambda parent: minimal_storing_app(parent, pydantic_validator()),
    "msgspec+store-minimal": lambda parent: minimal_storing_app(parent, msgspec.json.Decoder(FastNotification).decode),
}


def serve_hello(port: int, kind: str = "asgi", state_parent: str | None = None) -> None:
    import uvicorn

    app = REFERENCE_APPS[kind](state_parent)
    # The options of openclaw.gateway.server.serve, minus the WebSocket size it does not use.
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on", proxy_headers=False)


# --- the load generator ---


def alert_body(i: int) -> bytes:
    alerts = []
    for j in range(10):
        n = (i * 10 + j) % 500
        labels = {"alertname": "KubePodCrashLooping", "namespace": f"ns{n % 7}", "pod": f"app{n % 50}-5c9d7b8f6d-kq2vx", "severity": "warning", "job": "kube-state-metrics"}
        alerts.append({"status": "firing", "labels": labels, "annotations": {"summary": "Pod is crash looping.", "description": f"Pod {labels['pod']} is waiting"}, "startsAt": "2026-11-24T01:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus:9090/graph", "fingerprint": f"{n:016x}"})
    body = {"receiver": "openclaw", "status": "firing", "alerts": alerts, "groupLabels": {"namespace": "ns"}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://alertmanager:9093", "version": "4", "groupKey": f"{{}}:{{namespace=\"ns{i % 7}\"}}", "truncatedAlerts": 0}
    return json.dumps(body).encode()


def requests_for(port: int, path: str) -> list[bytes]:
    out = []
    for i in range(64):
        body = alert_body(i)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        out.append(head + body)
    return out


async def one_connection(port: int, requests: list[bytes], start_at: float, stop_at: float, latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    try:
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                break
            writer.write(requests[i % len(requests)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]  # servers here always send it
            await reader.readexactly(length)
            t1 = time.perf_counter()
            if t0 >= start_at:  # after warm-up
                latencies.append(t1 - t0)
                if status != 202:
                    errors.append(status)
    finally:
        writer.close()


async def generate_load(port: int, path: str, connections: int, warmup: float, duration: float) -> dict[str, Any]:
    requests = requests_for(port, path)
    latencies: list[float] = []
    errors: list[int] = []
    now = time.perf_counter()
    start_at, stop_at = now + warmup, now + warmup + duration
    await asyncio.gather(*(one_connection(port, requests, start_at, stop_at, latencies, errors) for _ in range(connections)))
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / duration,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": len(errors),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(port: int, path: str, args: argparse.Namespace, server_pid: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--load", str(port), "--path", path, "--connections", str(args.connections), "--warmup", str(args.warmup), "--duration", str(args.duration)]
    cpu0 = cpu_seconds(server_pid)
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    cpu = cpu_seconds(server_pid) - cpu0
    result: dict[str, Any] = json.loads(done.stdout)
    # The server's CPU per answered request over warm-up + run (warm-up requests are not counted,
    # so scale by the share of time they took): how much work one request is, load aside.
    served = result["requests"] * (args.warmup + args.duration) / args.duration
    result["cpu_us"] = 1e6 * cpu / served if served else 0.0
    return result


# --- orchestration ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], deadline_s: float = 30) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def measure_hello(args: argparse.Namespace, kind: str = "asgi") -> dict[str, Any]:
    port = free_port()
    cmd = [sys.executable, __file__, "--serve-hello", str(port), "--hello-kind", kind]
    if args.state_parent:
        cmd += ["--state-parent", args.state_parent]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, proc)
        return run_load(port, "/hooks/alertmanager", args, proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


def warm_up(port: int) -> None:
    """Send each distinct body once and wait until the gateway has processed them: the run then
    measures steady state (AlertManager re-sending known alerts), not first-sighting work."""
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}) as client:
        for i in range(64):
            client.post("/hooks/alertmanager", content=alert_body(i)).raise_for_status()
        end = time.monotonic() + 60
        while time.monotonic() < end:
            metrics = client.get("/metrics").text
            match = re.search(r"^openclaw_events_pending (\S+)$", metrics, re.M)
            if match and float(match.group(1)) == 0:
                return
            time.sleep(0.1)
    raise SystemExit("warm-up events were not processed within 60 s")


def metric(port: int, name: str) -> float:
    import httpx

    match = re.search(rf"^{name} (\S+)$", httpx.get(f"http://127.0.0.1:{port}/metrics").text, re.M)
    if match is None:
        raise SystemExit(f"/metrics has no {name}")
    return float(match.group(1))


def drain_time(port: int) -> float:
    """Seconds until the processing backlog left by the run is gone."""
    import httpx

    t0 = time.monotonic()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        while time.monotonic() - t0 < 120:
            match = re.search(r"^openclaw_events_pending (\S+)$", client.get("/metrics").text, re.M)
            if match and float(match.group(1)) == 0:
                return time.monotonic() - t0
            time.sleep(0.05)
    raise SystemExit("the processing backlog did not drain within 120 s")


def measure_gateway(args: argparse.Namespace, journal_mode: str) -> dict[str, Any]:
    port = free_port()
    with tempfile.TemporaryDirectory(dir=args.state_parent) as tmp:
        state = Path(tmp) / "state"
        state.mkdir(mode=0o700)
        (state / "openclaw.json").write_text(json.dumps({"hooks": {"token": TOKEN}, "events": {"journalMode": journal_mode}, "logging": {"level": "warning"}}))
        env = {**os.environ, "OPENCLAW_STATE_DIR": str(state)}
        env.pop("OPENCLAW_GATEWAY_TOKEN", None)
        proc = subprocess.Popen([sys.executable, "-m", "openclaw", "gateway", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_port(port, proc)
            warm_up(port)
            processed0, commits0 = metric(port, "openclaw_events_processed"), metric(port, "openclaw_events_commits")
            result = run_load(port, "/hooks/alertmanager", args, proc.pid)
            processed1, cpu1 = metric(port, "openclaw_events_processed"), cpu_seconds(proc.pid)
            commits = metric(port, "openclaw_events_commits") - commits0
            result["backlog_s"] = drain_time(port)
            processed2, cpu2 = metric(port, "openclaw_events_processed"), cpu_seconds(proc.pid)
            # Correlation's CPU per event, from the drain (nothing else runs then), and how much of
            # it ran during the load, per answered request.
            per_event = 1e6 * (cpu2 - cpu1) / max(processed2 - processed1, 1)
            served = result["requests"] * (args.warmup + args.duration) / args.duration
            result["process_us"] = per_event
            result["processed_share"] = (processed1 - processed0) / served if served else 0.0
            result["per_commit"] = served / commits if commits else 0.0
        finally:
            proc.terminate()
            proc.wait(20)
        import sqlite3

        conn = sqlite3.connect(state / "events.db")
        stored, journal = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0], conn.execute("PRAGMA journal_mode").fetchone()[0]
        conn.close()
        result["stored"] = stored
        result["journal"] = journal
        return result


def component_costs() -> dict[str, float]:
    """Microseconds of the fixed steps of one ingest, measured alone in this process: parsing the
    body, validating it into the typed model (parse included), and a durable insert in a group
    commit of 32 (one multi-row INSERT, as the gateway writes a batch, and the commit's CPU share;
    its disk wait overlaps)."""
    import timeit

    from openclaw.events.models.alertmanager import AlertmanagerNotification

    body = alert_body(3)
    n = 2000
    costs = {
        "json_us": 1e6 * min(timeit.repeat(lambda: json.loads(body), number=n, repeat=5)) / n,
        "validate_us": 1e6 * min(timeit.repeat(lambda: AlertmanagerNotification.model_validate_json(body), number=n, repeat=5)) / n,
    }
    text = body.decode()
    with tempfile.TemporaryDirectory() as tmp:
        from openclaw.events.db import connect, insert_statement
        from openclaw.events.store import EVENT_COLUMNS, SCHEMA, new_event_id

        conn = connect(Path(tmp) / "events.db", "WAL")
        conn.executescript(SCHEMA)
        batches, size = 100, 32
        insert_s = commit_s = 0.0
        for _ in range(batches):
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            rows = [(new_event_id(), "alertmanager", "firing", time.time(), text) for _ in range(size)]
            conn.execute(*insert_statement("events", EVENT_COLUMNS, rows))  # as the gateway writes a batch
            t1 = time.perf_counter()
            c1 = time.thread_time()
            conn.execute("COMMIT")
            insert_s += t1 - t0
            commit_s += time.thread_time() - c1  # CPU: the fsync wait overlaps other requests' work
        conn.close()
    costs["insert_us"] = 1e6 * insert_s / (batches * size)
    costs["commit_us"] = 1e6 * commit_s / (batches * size)
    return costs




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--state-parent", default=None, help="where the gateway's temporary state dir goes (default: the system temp dir)")
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/BENCHMARKS.md alone")
    parser.add_argument("--serve-hello", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--hello-kind", default="asgi", help=argparse.SUPPRESS)
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", default="/hooks/alertmanager", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_hello:
        serve_hello(args.serve_hello, args.hello_kind, args.state_parent)
        return
    if args.load:
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        print(json.dumps(asyncio.run(generate_load(args.load, args.path, args.connections, args.warmup, args.duration))))
        return

    # Alternate the servers for a few rounds and keep each one's best round: the machine is
    # shared, and the best round is the one least disturbed by other work.
    load_before = os.getloadavg()
    kinds = ("hello", "starlette", "validate", "store", "store-minimal", "validate+store-minimal", "msgspec+store-minimal", "auto", "delete")
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    for _ in range(args.rounds):
        runs["hello"].append(measure_hello(args))
        runs["starlette"].append(measure_hello(args, "starlette"))
        runs["validate"].append(measure_hello(args, "validate"))
        runs["store"].append(measure_hello(args, "store"))
        runs["store-minimal"].append(measure_hello(args, "store-minimal"))
        runs["validate+store-minimal"].append(measure_hello(args, "validate+store-minimal"))
        runs["msgspec+store-minimal"].append(measure_hello(args, "msgspec+store-minimal"))
        runs["auto"].append(measure_gateway(args, "auto"))
        runs["delete"].append(measure_gateway(args, "delete"))
    load_after = os.getloadavg()
    best = {k: max(runs[k], key=lambda r: r["rps"]) for k in kinds}
    hello, auto, delete = best["hello"], best["auto"], best["delete"]
    names = {
        "hello": "hello-world ASGI app (ceiling)",
        "starlette": "reference: Starlette route reading the body, no work",
        "validate": "reference: the bare app + validating the body into its typed model, nothing stored",
        "store": "reference: the bare app + the durable store of the body (the gateway's event database), not validated",
        "store-minimal": "reference: the bare app + a minimal durable store (no index, one INSERT per commit, writer thread), not validated",
        "validate+store-minimal": "reference: the bare app + validating into the typed model + the minimal durable store",
        "msgspec+store-minimal": "reference: as above, validating with msgspec instead of pydantic",
        "auto": f"gateway, journal auto ({auto['journal'].upper()})",
        "delete": f"gateway, journal delete ({delete['journal'].upper()}, NFS-safe)",
    }
    share = {k: 100 * best[k]["rps"] / hello["rps"] for k in kinds}
    rows = [
        f"| {names[k]} | {r['rps']:.0f} | {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | {share[k]:.0f} % | {r['cpu_us']:.0f} µs | {r['errors']} |"
        for k, r in best.items()
    ]
    for r in (auto, delete):
        if r["stored"] < r["requests"]:
            raise SystemExit(f"stored {r['stored']} events for {r['requests']} answered requests: something was lost")
    costs = component_costs()
    cpu = platform.processor() or platform.machine()
    correlation = auto["process_us"] * auto["processed_share"]
    bound = share["validate+store-minimal"]
    verdict = (
        f"**Target {'met' if share['auto'] >= 50 else 'not met'}**: the gateway reaches {share['auto']:.0f} % of the ceiling "
        f"({share['delete']:.0f} % with the NFS-safe journal). The reference rows, each the bare app plus some of the "
        "gateway's steps on the same stack in the same run, show where the limit is: validating the body into its typed "
        f"model alone reaches {share['validate']:.0f} %; storing it durably alone reaches {share['store']:.0f} % with the "
        f"gateway's event database and {share['store-minimal']:.0f} % with a minimal one. Doing both, the least any gateway "
        f"that validates and commits before its 202 does, reaches {bound:.0f} % even with the minimal store "
        f"({share['msgspec+store-minimal']:.0f} % with msgspec, a faster validator than pydantic): on this machine the target "
        f"is out of reach of this design, and the gateway reaches {100 * share['auto'] / bound:.0f} % of that bound. "
        "What the gateway adds to it: its event database keeps the indexes that processing, queries and retention use (each "
        "insert updates four), the request path checks the token and the rate limiter, and correlation runs "
        f"during the load ({correlation:.0f} µs per request: {100 * auto['processed_share']:.0f} % of the events were "
        f"correlated while it lasted, at {auto['process_us']:.0f} µs each, measured while the backlog drained). In server "
        f"CPU per request, measured alone outside the server: validation {costs['validate_us']:.0f} µs (parsing the JSON "
        f"alone {costs['json_us']:.0f} µs), the insert {costs['insert_us']:.0f} µs, the CPU share of a 32-row durable "
        f"commit {costs['commit_us']:.0f} µs, against {hello['cpu_us']:.0f} µs for the whole bare server; "
        f"{auto['per_commit']:.0f} requests shared each gateway commit on average."
    )
    load = lambda xs: ", ".join(f"{x:.1f}" for x in xs)  # noqa: E731
    body = f"""
Measured by `bench/ingest.py` ({time.strftime('%Y-%m-%d')}, Python {platform.python_version()},
{os.cpu_count()} CPUs {cpu}, machine shared with other work; load average {load(load_before)} before and
{load(load_after)} after; server and load generator share the CPUs).
`POST /hooks/alertmanager` with 10-alert AlertManager v4 bodies, {args.connections} keep-alive
connections from a separate load-generator process, {args.duration:.0f} s after {args.warmup:.1f} s warm-up;
{args.rounds} alternating rounds, each server's best round shown.
Each gateway 202 means the event is committed to SQLite (`synchronous=FULL`, group commit) in the
state dir; correlation into incidents runs in the same process meanwhile. The ceiling is a bare
ASGI app on the same uvicorn stack that reads the body and answers 202. Target: >= 50 % of the ceiling.
The reference rows are that bare app plus some of the gateway's steps, so they show what each step
costs on this stack.
Server CPU = the server process's CPU time (all threads) per answered request.

| Server | Requests/s | p50 | p99 | of ceiling | server CPU / request | non-202 |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Every answered request was found stored afterwards ({auto['stored']} and {delete['stored']} events, warm-up
included). Processing yields to ingest, so a backlog can remain when the load stops: it drained in
{auto['backlog_s']:.1f} s (auto) and {delete['backlog_s']:.1f} s (delete). Before each gateway run, each of the 64
distinct bodies is sent once and processed, so the run measures AlertManager re-sending known alerts.

{verdict}
"""
    print(body)
    if not args.no_write:
        write_section(SECTION, body)


if __name__ == "__main__":
    main()
