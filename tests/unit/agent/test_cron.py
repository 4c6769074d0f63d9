"""Cron jobs: the store, schedules (cron expression, every, at), and the scheduler running due
jobs in their own sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from agent_scripts import text_reply
from pydantic import ValidationError

from openclaw.agent.chat import ChatService
from openclaw.agent.cron import CronJob, CronStore, next_run_ms, scheduler
from openclaw.agent.runtime import AgentRuntime


def job(**kw: object) -> CronJob:
    data: dict[str, object] = {"name": "nightly sweep", "schedule": {"kind": "cron", "expr": "0 3 * * *"},
                               "payload": {"message": "check failed jobs"}}
    data.update(kw)
    return CronJob.model_validate(data)


def ms(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp() * 1000)


def test_next_run_follows_the_cron_expression_every_and_at() -> None:
    assert next_run_ms(job(), ms("2026-01-01T02:59:00")) == ms("2026-01-01T03:00:00")
    every = job(schedule={"kind": "every", "everyMs": 60_000, "anchorMs": ms("2026-01-01T00:00:00")})
    assert next_run_ms(every, ms("2026-01-01T00:05:30")) == ms("2026-01-01T00:06:00")
    once = job(schedule={"kind": "at", "atMs": ms("2026-02-01T08:00:00")})
    assert next_run_ms(once, ms("2026-01-01T00:00:00")) == ms("2026-02-01T08:00:00")
    tz = job(schedule={"kind": "cron", "expr": "0 7 * * *", "tz": "Europe/Berlin"})
    assert next_run_ms(tz, ms("2026-01-01T00:00:00")) == ms("2026-01-01T06:00:00")


def test_a_bad_cron_expression_names_the_field() -> None:
    with pytest.raises(ValidationError, match="not a cron expression"):
        job(schedule={"kind": "cron", "expr": "every day at 3"})


def test_the_store_adds_lists_and_removes_in_upstream_layout(state_dir: Path) -> None:
    store = CronStore(state_dir)
    added = store.add(job())
    import json

    raw = json.loads((state_dir / "cron" / "jobs.json").read_text())
    assert raw["version"] == 1 and raw["jobs"][0]["id"] == added.id
    assert raw["jobs"][0]["sessionTarget"] == "isolated" and raw["jobs"][0]["payload"]["kind"] == "agentTurn"
    assert raw["jobs"][0]["state"]["nextRunAtMs"] > 0
    assert [j.name for j in store.read().jobs] == ["nightly sweep"]
    assert store.remove(added.id) is True and store.remove(added.id) is False
    assert store.read().jobs == []


async def test_the_scheduler_runs_a_due_job_in_its_own_session(make_runtime: Callable[..., AgentRuntime], state_dir: Path) -> None:
    rt = make_runtime(lambda r: text_reply("2 failed jobs cleaned"))
    chat = ChatService(rt, lambda e, p: None)
    store = CronStore(state_dir)
    due = store.add(job(schedule={"kind": "at", "atMs": ms("2026-01-01T00:00:00")}, deleteAfterRun=False))

    async def runner(j: CronJob) -> tuple[str, str | None, str]:
        result = chat.send(j.session_key, f"[cron:{j.id} {j.name}] {j.payload.message}", kind="cron")
        out = await chat.wait(result["runId"])
        assert out is not None
        return "ok", None, out.text

    async def stop_after_one(seconds: float) -> None:
        raise RuntimeError("one pass")

    with pytest.raises(RuntimeError, match="one pass"):
        await scheduler(store, runner, clock=lambda: ms("2026-01-02T00:00:00") / 1000, sleep=stop_after_one)
    after = store.get(due.id)
    assert after is not None and after.state.last_status == "ok" and after.state.next_run_at_ms is None
    history = rt.sessions.read(f"cron:{due.id}").context()
    assert history[0].text == f"[cron:{due.id} nightly sweep] check failed jobs"
    assert history[-1].text == "2 failed jobs cleaned"
    runs = (state_dir / "cron" / "runs" / f"{due.id}.jsonl").read_text().splitlines()
    assert len(runs) == 1 and "2 failed jobs cleaned" in runs[0]
