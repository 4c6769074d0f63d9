"""Every hook kind, mapped ones included, fuzzed with mutated bodies over real HTTP against a
gateway process: each answer is a 202, 400 or 413, never a 5xx, and the gateway stays up with its
memory bounded."""

from __future__ import annotations

import asyncio
import collections
import json
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway_process import free_port, memory_kib, start_gateway, wait_ready
from ingest_bodies import ALERT_FIXTURES, fixture_envelope, media_bodies
from openclaw.config import store as config_store
from webhook_mutations import Mutant, mutate

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TOKEN = "fuzz-hook-token-0123456789abcdef"
BODIES = 10_000
SEED = 20261202
LIMIT = 262_144
# AlertManager's own limit is 8 MiB by default; 1 MiB here keeps the run short (a huge-string
# mutation is sent at the limit) while still far above the other hooks'.
ALERTMANAGER_LIMIT = 1024 * 1024
# Growth allowed from the warmed-up gateway to the end of the run, and its peak, in MiB.
RSS_GROWTH_MIB = 150
PEAK_MIB = 1024


def seed_bodies() -> dict[str, list[dict[str, Any]]]:
    """Real bodies per hook: captured alerts, the *arr and Seerr bodies, the gateway's own hooks, mappings."""
    seeds: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    seeds["alertmanager"] = [fixture_envelope(path) for path in ALERT_FIXTURES]
    for source, _, path in media_bodies():
        seeds[source].append(json.loads(path.read_text()))
    seeds["wake"] = [{"text": "check the media queue", "mode": "next-heartbeat"}]
    seeds["agent"] = [{"message": "summarize last night's alerts", "name": "cron", "timeoutSeconds": 30}]
    seeds["gitea"] = [{"ref": "refs/heads/main", "repository": {"full_name": "homelab/flux"}, "pusher": {"name": "ops"}, "commits": [{"id": "abc", "message": "bump"}]}]
    seeds["uptime"] = [{"source": "kuma", "monitor": {"name": "jellyfin"}, "heartbeat": {"status": 0, "msg": "timeout"}}]
    return dict(seeds)


async def post(client: httpx.AsyncClient, mutant: Mutant) -> int:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    if mutant.chunks is None:
        return (await client.post(f"/hooks/{mutant.kind}", content=mutant.body, headers=headers)).status_code

    async def stream() -> AsyncIterator[bytes]:
        for chunk in mutant.chunks or ():
            yield chunk

    return (await client.post(f"/hooks/{mutant.kind}", content=stream(), headers=headers)).status_code


@pytest.mark.timeout(600)  # about 45 s alone on 2 cores; several times that on a shared machine
async def test_ten_thousand_mutated_bodies_get_no_5xx_and_leave_the_gateway_up(state_dir: Path, tmp_path: Path) -> None:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    config_store.set_value(state_dir, "hooks.maxBodyBytes", LIMIT)
    config_store.set_value(state_dir, "hooks.maxBodyBytesByHook.alertmanager", ALERTMANAGER_LIMIT)
    config_store.set_value(state_dir, "ops.runbooksEnabled", False)
    # Every mutant comes from one address; the per-sender bound on agent turns would answer 429
    # to the agent and gitea mutants this run means to push through their receivers.
    config_store.set_value(state_dir, "hooks.agentTurnsPerSender", 100_000)
    config_store.set_value(
        state_dir,
        "hooks.mappings",
        [
            {"id": "gitea", "match": {"path": "gitea"}, "name": "Gitea", "messageTemplate": "push to {{repository.full_name}} by {{pusher.name}}: {{commits}}"},
            {"id": "uptime", "match": {"path": "uptime", "source": "kuma"}, "action": "wake", "textTemplate": "{{monitor.name}} is down: {{heartbeat.msg}}"},
        ],
    )
    seeds = seed_bodies()
    kinds = sorted(seeds)
    assert {"alertmanager", "sonarr", "radarr", "lidarr", "readarr", "prowlarr", "seerr", "wake", "agent", "gitea", "uptime"} <= set(kinds)
    rng = random.Random(SEED)
    mutants = []
    for i in range(BODIES):
        kind = kinds[i % len(kinds)]
        mutants.append(mutate(rng, kind, rng.choice(seeds[kind]), ALERTMANAGER_LIMIT if kind == "alertmanager" else LIMIT))

    port = free_port()
    proc = start_gateway(state_dir, port, tmp_path / "gateway.log")
    url = f"http://127.0.0.1:{port}"
    statuses: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    server_errors: list[tuple[int, str, int, bytes]] = []
    try:
        await wait_ready(url, proc)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(len(mutants)):
            queue.put_nowait(index)
        warm: dict[str, int] = {}

        async def worker() -> None:
            async with httpx.AsyncClient(base_url=url, timeout=60) as client:
                while not queue.empty():
                    index = queue.get_nowait()
                    mutant = mutants[index]
                    status = await post(client, mutant)
                    statuses[mutant.kind][status] += 1
                    if status >= 500:
                        server_errors.append((index, mutant.kind, status, mutant.body[:200]))
                    if index == 1000:
                        warm.update(memory_kib(proc.pid))

        await asyncio.gather(*(worker() for _ in range(8)))
        assert proc.poll() is None, "the gateway died during the run"
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/healthz")).status_code == 200
            good = await client.post("/hooks/wake", json={"text": "still here"}, headers={"Authorization": f"Bearer {TOKEN}"})
            assert good.status_code == 202
        end = memory_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)
    log = (tmp_path / "gateway.log").read_text(errors="replace")
    assert not server_errors, f"{len(server_errors)} 5xx answers, first (index, hook, status, body): {server_errors[:5]}"
    assert sum(sum(c.values()) for c in statuses.values()) == BODIES
    for kind, counts in statuses.items():  # 404 only where the mapping matches on the body's source
        assert set(counts) <= {202, 400, 413} | ({404} if kind == "uptime" else set()), (kind, counts)
    for kind in kinds:  # every kind met both kinds of answer: the mutations reached its receiver
        assert statuses[kind][400] > 0 and statuses[kind][202] + statuses[kind][413] > 0, (kind, statuses[kind])
    assert "webhook.failed" not in log
    growth_mib = (end["VmRSS"] - warm["VmRSS"]) / 1024
    assert growth_mib < RSS_GROWTH_MIB, f"RSS grew {growth_mib:.0f} MiB after warm-up ({warm} -> {end})"
    assert end["VmHWM"] / 1024 < PEAK_MIB, f"peak RSS {end['VmHWM'] / 1024:.0f} MiB"
    print(f"fuzz: {dict((k, dict(v)) for k, v in statuses.items())}; RSS {warm['VmRSS'] // 1024} -> {end['VmRSS'] // 1024} MiB, peak {end['VmHWM'] // 1024} MiB")
