"""Simulated SABnzbd: `/api?mode=...&output=json&apikey=...` for version, queue, history, retry, delete, pause.

As SABnzbd does (sabnzbd/interface.py, api.py): a missing or wrong key is a 403 with the plain-text
reason ("API Key Required" / "API Key Incorrect"), `mode=version` and `mode=auth` need no key, a
failed call is a 200 `{"status": false, "error": "..."}`, and a job keeps its nzo id from the queue
into the history until a retry re-queues it under a new one.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openclaw.sandbox.media.pipeline import MediaError, MediaPipeline
from openclaw.sandbox.media.recorder import RecordingMiddleware
from openclaw.sandbox.media.state import NzbJob

VERSION = "4.5.1"
MEBI = 1024 * 1024
CATEGORIES = ("*", "movies", "music", "tv")
PUBLIC_MODES = ("version", "auth")


def units(value: float, postfix: str = "") -> str:
    """SABnzbd's `to_units`: 1024-based, one decimal from mega on: "700 B", "512 KB", "1.3 GB"."""
    n = 0
    while value > 1023 and n < 4:
        value /= 1024
        n += 1
    return f"{value:.{1 if n > 1 else 0}f} {('', 'K', 'M', 'G', 'T')[n]}{postfix}"


def timeleft(seconds: float) -> str:
    secs = max(int(seconds), 0)
    return f"{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def queue_slot(job: NzbJob, index: int, bps: float, ahead: float, paused_all: bool) -> dict[str, Any]:
    mb, mbleft = job.size / MEBI, job.size * (1 - job.progress) / MEBI
    running = not (paused_all or job.paused)
    return {
        "index": index, "nzo_id": job.nzo_id, "unpackopts": "3", "priority": "Normal", "script": "None",
        "filename": job.name, "labels": [], "password": job.password, "cat": job.category,
        "mbleft": f"{mbleft:.2f}", "mb": f"{mb:.2f}", "size": units(job.size, "B"), "sizeleft": units(job.size * (1 - job.progress), "B"),
        "percentage": str(int(job.progress * 100)), "mbmissing": "0.00", "direct_unpack": None,
        # SABnzbd calls every job it is not told to hold "Downloading" (it fetches them in order);
        # while the whole queue is paused it shows each job's own status.
        "status": "Paused" if job.paused else job.status if paused_all else "Downloading",
        "timeleft": timeleft((ahead + job.size * (1 - job.progress)) / bps) if running and bps else "0:00:00",
        "avg_age": "3d", "time_added": int(job.added.timestamp()),
    }


def history_slot(job: NzbJob, row: int, now: datetime) -> dict[str, Any]:
    done = job.status in ("Completed", "Failed")
    stages: list[dict[str, Any]] = [{"name": "Source", "actions": [f"{job.name}.nzb"]},
                                    {"name": "Download", "actions": [f"Downloaded in {job.download_time} seconds"]}]
    if job.status == "Failed":
        stages.append({"name": "Repair" if job.fail_message.startswith("Repair") else "Unpack", "actions": [job.fail_message]})
    elif job.status == "Completed":
        stages += [{"name": "Repair", "actions": [f"[{job.name}] Quick Check OK"]},
                   {"name": "Unpack", "actions": [f"[{job.name}] Unpacked 1 files/folders in 4 seconds"]}]
    return {
        "id": row, "completed": int((job.completed or now).timestamp()), "name": job.name, "nzb_name": f"{job.name}.nzb",
        "category": job.category, "pp": "D", "script": "None", "report": "", "url": "", "status": job.status,
        "nzo_id": job.nzo_id, "storage": job.storage, "path": f"/downloads/incomplete/{job.name}", "script_line": "",
        "download_time": job.download_time, "postproc_time": 12 if done else 0, "stage_log": stages if done else [],
        "downloaded": job.size, "completeness": None, "fail_message": job.fail_message, "url_info": "", "bytes": job.size,
        "size": units(job.size, "B"), "meta": None, "series": "", "duplicate_key": "", "md5sum": "", "password": job.password,
        "action_line": "" if done else f"{job.status}...", "loaded": not done,
        # SABnzbd offers Retry for a failed job whose folder is still there.
        "retry": 1 if job.status == "Failed" else 0, "archive": False, "time_added": int(job.added.timestamp()),
    }


def int_conv(value: str | None) -> int:
    """SABnzbd reads numbers leniently: anything that is not an integer counts as 0."""
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_app(p: MediaPipeline, api_key: str) -> Starlette:
    def report(error: str | None = None, **data: Any) -> Response:
        if error is not None:
            return JSONResponse({"status": False, "error": error})
        return JSONResponse(data or {"status": True})

    def header() -> dict[str, Any]:
        return {"version": VERSION, "paused": p.state.sab_paused, "pause_int": "0", "paused_all": p.state.sab_paused,
                "diskspace1": "812.40", "diskspace2": "812.40", "diskspace1_norm": "812.4 G", "diskspace2_norm": "812.4 G",
                "diskspacetotal1": "1862.00", "diskspacetotal2": "1862.00", "speedlimit": "100", "speedlimit_abs": "",
                "have_warnings": "0", "finishaction": None, "quota": "0 B", "have_quota": False, "left_quota": "0 B",
                "cache_art": "0", "cache_size": "0 B"}

    def queue(q: dict[str, str]) -> Response:
        jobs = [j for j in p.state.nzbs.values() if not j.in_history]
        wanted = set(_ids(q.get("nzo_ids", "")))
        cats = set(_ids(q.get("cat", q.get("category", ""))))
        matched = [j for j in jobs if (not wanted or j.nzo_id in wanted) and (not cats or j.category in cats)]
        start, limit = int_conv(q.get("start")), int_conv(q.get("limit"))
        page = matched[start: start + limit] if limit else matched[start:]
        bps = 0.0 if p.state.sab_paused or "sabnzbd" in p.down else p.timings.download_bytes_per_s
        downloading = any(j.status == "Downloading" for j in jobs)
        slots, ahead = [], 0.0
        for n, job in enumerate(page, start=start):
            slots.append(queue_slot(job, n, bps, ahead, p.state.sab_paused))
            ahead += job.size * (1 - job.progress)
        left = sum(j.size * (1 - j.progress) for j in jobs)
        total = sum(j.size for j in jobs)
        body = {**header(), "kbpersec": f"{bps / 1024 if downloading else 0:.2f}", "speed": units(bps if downloading else 0),
                "mbleft": f"{left / MEBI:.2f}", "mb": f"{total / MEBI:.2f}", "sizeleft": units(left, "B"), "size": units(total, "B"),
                "noofslots_total": len(jobs), "noofslots": len(matched), "start": start, "limit": limit, "finish": start + limit,
                "status": "Paused" if p.state.sab_paused else "Downloading" if downloading else "Idle",
                "timeleft": timeleft(left / bps) if bps and left else "0:00:00", "slots": slots}
        return report(queue=body)

    def history(q: dict[str, str]) -> Response:
        if q.get("last_history_update") and int_conv(q["last_history_update"]) == p.state.sab_history_update:
            return report(history=False)
        jobs = [j for j in p.state.nzbs.values() if j.in_history]
        statuses = {"Failed"} if q.get("failed_only") in ("1", "true", "True") else set(_ids(q.get("status", "")))
        wanted, cats = set(_ids(q.get("nzo_ids", ""))), set(_ids(q.get("cat", q.get("category", ""))))
        # Jobs still in post-processing first, then the finished ones, newest first (SABnzbd's order).
        ordered = [j for j in reversed(jobs) if not j.completed] + sorted((j for j in jobs if j.completed), key=lambda j: j.completed or j.added, reverse=True)
        matched = [j for j in ordered if (not statuses or j.status in statuses) and (not wanted or j.nzo_id in wanted)
                   and (not cats or j.category in cats)]
        start, limit = int_conv(q.get("start")), int_conv(q.get("limit"))
        page = matched[start: start + limit] if limit else matched[start:]
        now = p.clock.now()
        rows = {job.nzo_id: n for n, job in enumerate(jobs, start=1)}
        done_bytes = sum(j.size for j in jobs if j.status == "Completed")
        body = {"total_size": units(done_bytes, "B"), "month_size": units(done_bytes, "B"), "week_size": units(done_bytes, "B"),
                "day_size": units(done_bytes, "B"), "slots": [history_slot(j, rows[j.nzo_id], now) for j in page],
                "ppslots": sum(1 for j in matched if not j.completed), "noofslots": len(matched),
                "last_history_update": p.state.sab_history_update, "version": VERSION}
        return report(history=body)

    def queue_mode(q: dict[str, str]) -> Response:
        name, value = q.get("name", ""), q.get("value", "")
        if not name:
            return queue(q)
        if name == "delete":
            if value.lower() == "all":
                ids = [j.nzo_id for j in p.state.nzbs.values() if not j.in_history]
            elif not (ids := _ids(value)):
                return report("expects one parameter")
            removed = p.delete_nzbs(ids, history=False)
            return report(status=bool(removed), nzo_ids=removed)
        if name in ("pause", "resume"):
            handled = p.pause_nzbs(_ids(value), name == "pause")
            return report(status=bool(handled), nzo_ids=handled)
        return report("not implemented")

    def history_mode(q: dict[str, str]) -> Response:
        name, value = q.get("name", ""), q.get("value", "")
        if not name:
            return history(q)
        if name == "delete":
            special = value.lower()
            finished = [j for j in p.state.nzbs.values() if j.status in ("Completed", "Failed")]
            if special in ("all", "failed", "completed"):
                ids = [j.nzo_id for j in finished if special == "all" or j.status.lower() == special]
            elif not (ids := _ids(value)):
                return report("expects one parameter")
            p.delete_nzbs(ids, history=True)
            return report()
        return report("not implemented")

    def retry(q: dict[str, str]) -> Response:
        try:
            return report(status=True, nzo_id=p.retry_nzb(q.get("value", ""), q.get("password", "")))
        except MediaError as exc:
            return report(str(exc))

    def retry_all(q: dict[str, str]) -> Response:
        failed = [j.nzo_id for j in p.state.nzbs.values() if j.status == "Failed"]
        return report(status=[p.retry_nzb(nzo_id) for nzo_id in failed])

    def pause_all(paused: bool) -> Callable[[dict[str, str]], Response]:
        def handler(q: dict[str, str]) -> Response:
            p.state.sab_paused = paused
            return report()
        return handler

    modes: dict[str, Callable[[dict[str, str]], Response]] = {
        "version": lambda q: report(version=VERSION), "auth": lambda q: report(auth="apikey"),
        "queue": queue_mode, "history": history_mode, "retry": retry, "retry_all": retry_all,
        "pause": pause_all(True), "resume": pause_all(False), "get_cats": lambda q: report(categories=list(CATEGORIES)),
    }

    async def api(request: Request) -> Response:
        q = dict(request.query_params)
        if request.method == "POST":
            q.update({k: str(v) for k, v in (await request.form()).items()})
        mode = q.get("mode", "")
        if mode not in PUBLIC_MODES:
            presented = q.get("apikey") or request.headers.get("x-api-key", "")
            if not presented:
                return Response("API Key Required", status_code=403, media_type="text/html")
            if not hmac.compare_digest(presented.encode(), api_key.encode()):
                return Response("API Key Incorrect", status_code=403, media_type="text/html")
        if q.get("output") == "xml":
            return report("Format not supported")
        handler = modes.get(mode)
        if handler is None:
            return report("not implemented")
        return handler(q)

    app = Starlette(routes=[Route("/api", api, methods=["GET", "POST"]), Route("/sabnzbd/api", api, methods=["GET", "POST"])])
    app.add_middleware(RecordingMiddleware, recorder=p.received, name="sabnzbd")
    return app
