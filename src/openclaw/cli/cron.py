"""`openclaw cron list|add|rm|run`: scheduled agent turns in `<state>/cron/jobs.json`.

The gateway's scheduler re-reads the file, so jobs added here run without a restart. `run` asks
the running gateway to run a job now (or runs it in this process when no gateway is up); with
`--url`, the gateway there runs one of its own jobs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import typer

from openclaw.cli.gateway_access import TimeoutOpt, TokenOpt, UrlOpt

app = typer.Typer(help="Scheduled agent turns (cron jobs).", no_args_is_help=True)

StateDirOpt = typer.Option(None, "--state-dir", help="State dir (default: OPENCLAW_STATE_DIR or ~/.openclaw).")


def _when(ms: Any) -> str:
    if not isinstance(ms, int):
        return ""
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _schedule_text(schedule: dict[str, Any]) -> str:
    kind = schedule.get("kind")
    if kind == "cron":
        return f"cron {schedule['expr']}" + (f" ({schedule['tz']})" if schedule.get("tz") else "")
    if kind == "every":
        return f"every {schedule['everyMs'] // 1000}s"
    return f"at {_when(schedule.get('atMs'))}"


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON."), state_dir: Optional[str] = StateDirOpt) -> None:
    """Every job with its schedule, next run and last result."""
    from openclaw.agent.cron import CronStore
    from openclaw.cli.output import fail, print_json, print_table
    from openclaw.config import paths
    from openclaw.errors import StateError

    try:
        jobs = [j.model_dump(by_alias=True, exclude_none=True) for j in CronStore(paths.state_dir(state_dir)).read().jobs]
    except StateError as exc:
        fail(str(exc))
    if as_json:
        print_json({"jobs": jobs})
        return
    if not jobs:
        typer.echo("No cron jobs. Add one: openclaw cron add --name NAME --cron '0 7 * * *' --message TEXT")
        return
    print_table("Cron jobs", ["id", "name", "schedule", "session", "enabled", "next run", "last", "message"],
                [[j["id"], j["name"], _schedule_text(j["schedule"]), j["sessionTarget"], j["enabled"],
                  _when(j["state"].get("nextRunAtMs")), j["state"].get("lastStatus", ""), j["payload"]["message"]] for j in jobs])


def _parse_every(text: str) -> int:
    from openclaw.agent.heartbeat import parse_every

    return int(parse_every(text) * 1000)


def _parse_at(text: str) -> int:
    """`20m` (from now) or an ISO time."""
    try:
        return int((dt.datetime.now(dt.UTC).timestamp() + _parse_every(text) / 1000) * 1000)
    except ValueError:
        pass
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


@app.command("add")
def add(
    name: str = typer.Option(..., "--name", help="A name for the job."),
    message: str = typer.Option(..., "--message", help="What the agent is asked on each run."),
    cron: Optional[str] = typer.Option(None, "--cron", help="Cron expression, e.g. '0 7 * * *'."),
    tz: Optional[str] = typer.Option(None, "--tz", help="Time zone for --cron (default UTC), e.g. Europe/Berlin."),
    every: Optional[str] = typer.Option(None, "--every", help="Interval, e.g. 30m, 6h."),
    at: Optional[str] = typer.Option(None, "--at", help="Once: in 20m, or at an ISO time."),
    session: str = typer.Option("isolated", "--session", help="isolated (own session cron:<id>) or main."),
    delete_after_run: bool = typer.Option(False, "--delete-after-run", help="Remove the job after it ran (for --at)."),
    as_json: bool = typer.Option(False, "--json", help="Print the job as JSON."),
    state_dir: Optional[str] = StateDirOpt,
) -> None:
    """Add a job; exactly one of --cron, --every, --at."""
    from pydantic import ValidationError

    from openclaw.agent.cron import CronJob, CronStore
    from openclaw.cli.output import fail, print_json
    from openclaw.config import paths
    from openclaw.errors import StateError

    given = [opt for opt, value in (("--cron", cron), ("--every", every), ("--at", at)) if value]
    if len(given) != 1:
        fail("give exactly one of --cron, --every, --at" + (f" (got {', '.join(given)})" if given else ""))
    try:
        if cron:
            schedule: dict[str, Any] = {"kind": "cron", "expr": cron, **({"tz": tz} if tz else {})}
        elif every:
            schedule = {"kind": "every", "everyMs": _parse_every(every)}
        else:
            schedule = {"kind": "at", "atMs": _parse_at(str(at))}
        job = CronJob.model_validate({"name": name, "schedule": schedule, "payload": {"message": message},
                                      "sessionTarget": session, "deleteAfterRun": delete_after_run})
    except ValueError as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else None
        if errors:
            fail("; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors))
        fail(str(exc))
    try:
        added = CronStore(paths.state_dir(state_dir)).add(job)
    except StateError as exc:
        fail(str(exc))
    if as_json:
        print_json({"job": added.model_dump(by_alias=True, exclude_none=True)})
    else:
        typer.echo(f"added cron job {added.id} ({_schedule_text(added.model_dump(by_alias=True)['schedule'])}); next run {_when(added.state.next_run_at_ms)}")


@app.command("rm")
def rm(job_id: str = typer.Argument(..., help="The job id (see openclaw cron list)."), state_dir: Optional[str] = StateDirOpt) -> None:
    """Remove a job."""
    from openclaw.agent.cron import CronStore
    from openclaw.cli.output import fail
    from openclaw.config import paths

    if not CronStore(paths.state_dir(state_dir)).remove(job_id):
        fail(f"no cron job {job_id} (see openclaw cron list)")
    typer.echo(f"removed cron job {job_id}")


@app.command("run")
def run(
    job_id: str = typer.Argument(..., help="The job id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    state_dir: Optional[str] = StateDirOpt,
    url: Optional[str] = UrlOpt,
    token: Optional[str] = TokenOpt,
    timeout: Optional[float] = TimeoutOpt,
) -> None:
    """Run a job now and print its result (with --url: a job of that gateway, run there)."""
    import asyncio

    from openclaw.agent.cron import CronStore, run_job
    from openclaw.cli.gateway_access import call_gateway, gateway_target
    from openclaw.cli.output import fail
    from openclaw.config import paths

    target = gateway_target(url, token, timeout)
    sdir = paths.state_dir(state_dir)
    if target.remote:  # the job lives in that gateway's store, which says if there is none
        _, data = call_gateway(sdir, "cron.run", {"id": job_id}, timeout=600, target=target)
        _print_run(data, as_json)
        return
    store = CronStore(sdir)
    job = store.get(job_id)
    if job is None:
        fail(f"no cron job {job_id} (see openclaw cron list)")
    ok, data = call_gateway(sdir, "cron.run", {"id": job_id}, timeout=600, target=target)
    if not ok:
        typer.echo("(no gateway running: the job runs here, without cluster tools)", err=True)
        from openclaw.cli.agent import _in_process

        async def runner(j: Any) -> tuple[str, str | None, str]:
            result = await _in_process(sdir, j.session_key, f"[cron:{j.id} {j.name}] {j.payload.message}", stream=False)
            failed = result.get("state") != "final"
            return ("error" if failed else "ok"), result.get("errorMessage") if failed else None, result.get("text", "")

        status, error, summary = asyncio.run(run_job(store, job, runner))
        data = {"status": status, "error": error, "summary": summary}
    _print_run(data, as_json)


def _print_run(data: dict[str, Any], as_json: bool) -> None:
    from openclaw.cli.output import fail, print_json

    if as_json:
        print_json(data)
    else:
        typer.echo(data.get("summary") or "")
    if data.get("status") != "ok":
        fail(f"job failed: {data.get('error')}")
