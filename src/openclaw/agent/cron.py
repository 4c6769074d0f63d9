"""Cron jobs: `<state>/cron/jobs.json` `{version: 1, jobs: [...]}` (upstream's layout), run by the
gateway's scheduler and edited by `openclaw cron` under a file lock. A job is a schedule
(`cron` expression via croniter, `every` N ms, or once `at` a time) and a message for the agent,
run in its own session `cron:<id>` (isolated) or in the main session. Run history goes to
`cron/runs/<id>.jsonl`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from openclaw.config import jsonl, store
from openclaw.errors import StateError

log = logging.getLogger(__name__)


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class CronSchedule(_Model):
    kind: Literal["cron"] = "cron"
    expr: str
    tz: str | None = None

    @field_validator("expr")
    @classmethod
    def _valid(cls, value: str) -> str:
        from croniter import croniter  # here: it loads dateutil, which the gateway needs only once a cron job exists

        if not croniter.is_valid(value):
            raise ValueError(f"not a cron expression: {value!r} (five fields, e.g. '0 7 * * *')")
        return value


class EverySchedule(_Model):
    kind: Literal["every"] = "every"
    every_ms: int = Field(ge=1000)
    anchor_ms: int | None = None


class AtSchedule(_Model):
    kind: Literal["at"] = "at"
    at_ms: int = Field(ge=0)


Schedule = Annotated[CronSchedule | EverySchedule | AtSchedule, Field(discriminator="kind")]


class CronPayload(_Model):
    kind: Literal["agentTurn", "systemEvent"] = "agentTurn"
    message: str = Field(min_length=1)


class CronState(_Model):
    next_run_at_ms: int | None = None
    running_at_ms: int | None = None
    last_run_at_ms: int | None = None
    last_status: Literal["ok", "error", "skipped"] | None = None
    last_error: str | None = None
    last_duration_ms: int | None = None


class CronJob(_Model):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    name: str = Field(min_length=1)
    description: str | None = None
    enabled: bool = True
    delete_after_run: bool = False
    created_at_ms: int = Field(default_factory=lambda: int(time.time() * 1000))
    updated_at_ms: int = Field(default_factory=lambda: int(time.time() * 1000))
    schedule: Schedule
    session_target: Literal["main", "isolated"] = "isolated"
    payload: CronPayload
    state: CronState = Field(default_factory=CronState)

    @property
    def session_key(self) -> str:
        return "agent:main:main" if self.session_target == "main" else f"cron:{self.id}"


class CronFile(_Model):
    version: Literal[1] = 1
    jobs: list[CronJob] = Field(default_factory=list)


def next_run_ms(job: CronJob, after_ms: int) -> int | None:
    """When `job` runs next after `after_ms`; None when it never will again."""
    sched = job.schedule
    if isinstance(sched, AtSchedule):
        return sched.at_ms if job.state.last_run_at_ms is None else None
    if isinstance(sched, EverySchedule):
        anchor = sched.anchor_ms if sched.anchor_ms is not None else job.created_at_ms
        if after_ms < anchor:
            return anchor
        periods = (after_ms - anchor) // sched.every_ms + 1
        return anchor + periods * sched.every_ms
    tz = dt.UTC
    if sched.tz:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(sched.tz)  # type: ignore[assignment]  # any tzinfo does
    base = dt.datetime.fromtimestamp(after_ms / 1000, tz)
    from croniter import croniter

    return int(croniter(sched.expr, base).get_next(dt.datetime).timestamp() * 1000)


class CronStore:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "cron" / "jobs.json"
        self.runs_dir = state_dir / "cron" / "runs"

    def read(self) -> CronFile:
        if not self.path.exists():
            return CronFile()
        try:
            return CronFile.model_validate(json.loads(self.path.read_text(encoding="utf-8") or "{}"))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise StateError(f"{self.path}: not a valid cron store: {exc}") from None

    def _update(self, change: Callable[[CronFile], Any]) -> Any:
        with store.lock_for(self.path):
            data = self.read()
            result = change(data)
            store.write_json_atomic(self.path, data.model_dump(by_alias=True, exclude_none=True))
            return result

    def add(self, job: CronJob) -> CronJob:
        job.state.next_run_at_ms = next_run_ms(job, int(time.time() * 1000))

        def change(data: CronFile) -> CronJob:
            if any(j.id == job.id for j in data.jobs):
                raise StateError(f"cron job {job.id} already exists")
            data.jobs.append(job)
            return job

        return self._update(change)  # type: ignore[no-any-return]  # change returns the job

    def remove(self, job_id: str) -> bool:
        def change(data: CronFile) -> bool:
            before = len(data.jobs)
            data.jobs = [j for j in data.jobs if j.id != job_id]
            return len(data.jobs) < before

        return self._update(change)  # type: ignore[no-any-return]  # change returns a bool

    def get(self, job_id: str) -> CronJob | None:
        return next((j for j in self.read().jobs if j.id == job_id), None)

    def record_run(self, job_id: str, *, started_ms: int, status: str, error: str | None, summary: str) -> None:
        now = int(time.time() * 1000)

        def change(data: CronFile) -> None:
            for job in data.jobs:
                if job.id == job_id:
                    job.state.last_run_at_ms = started_ms
                    job.state.last_status = status  # type: ignore[assignment]  # one of the literals
                    job.state.last_error = error
                    job.state.last_duration_ms = now - started_ms
                    job.state.running_at_ms = None
                    job.state.next_run_at_ms = next_run_ms(job, now)
                    job.updated_at_ms = now
            data.jobs = [j for j in data.jobs if not (j.id == job_id and j.delete_after_run)]

        self._update(change)
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        jsonl.append(self.runs_dir / f"{job_id}.jsonl", [{"ts": now, "startedAtMs": started_ms, "status": status, "error": error,
                                                          "summary": summary[:2000]}])

    def due(self, now_ms: int) -> list[CronJob]:
        jobs = []
        for job in self.read().jobs:
            nxt = job.state.next_run_at_ms
            if nxt is None and job.state.last_run_at_ms is None:
                nxt = next_run_ms(job, job.created_at_ms - 1)
            if job.enabled and nxt is not None and nxt <= now_ms:
                jobs.append(job)
        return jobs


# Runs one job's turn and returns (status, error, summary).
JobRunner = Callable[[CronJob], Awaitable[tuple[str, str | None, str]]]


async def run_job(cron: CronStore, job: CronJob, runner: JobRunner) -> tuple[str, str | None, str]:
    started = int(time.time() * 1000)
    try:
        status, error, summary = await runner(job)
    except Exception as exc:  # one failing job must not stop the scheduler
        log.exception("cron.job_failed", extra={"job": job.id})
        status, error, summary = "error", f"{type(exc).__name__}: {exc}", ""
    cron.record_run(job.id, started_ms=started, status=status, error=error, summary=summary)
    return status, error, summary


async def scheduler(cron: CronStore, runner: JobRunner, *, clock: Callable[[], float] = time.time,
                    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep, poll_s: float = 15.0) -> None:
    """Run due jobs one at a time (upstream's maxConcurrentRuns 1); re-reads the store every poll so
    `openclaw cron add` from another process is picked up."""
    while True:
        try:
            for job in cron.due(int(clock() * 1000)):
                await run_job(cron, job, runner)
        except StateError as exc:
            log.error("cron.store_invalid", extra={"error": str(exc)})
        await sleep(poll_s)
