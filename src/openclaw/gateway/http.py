"""Plain HTTP endpoints: probes, metrics, and the JSON 404 for unknown API paths."""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from openclaw.core.services import Services


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def healthz(request: Request) -> Response:
    """Liveness: the process serves HTTP."""
    return JSONResponse({"ok": True, "status": "live"})


async def readyz(request: Request) -> Response:
    """Readiness: 200 once started and every registered check passes, else 503 naming the failures."""
    services = services_of(request)
    failing: dict[str, str] = {}
    if not services.ready:
        failing["startup"] = "gateway is starting"
    for name, check in services.readiness.items():
        try:
            problem = await check()
        except Exception as exc:  # a broken check is a failing check, not a crash
            problem = f"check raised {type(exc).__name__}"
        if problem:
            failing[name] = problem
    body = {
        "ok": not failing,
        "status": "ready" if not failing else "not-ready",
        "checks": {name: ("ok" if name not in failing else failing[name]) for name in ["startup", *services.readiness]},
        "uptimeMs": int((time.time() - services.started_at) * 1000),
    }
    return JSONResponse(body, status_code=200 if not failing else 503)


async def metrics(request: Request) -> Response:
    return Response(generate_latest(services_of(request).metrics), media_type=CONTENT_TYPE_LATEST)


def not_found_body(path: str) -> dict[str, object]:
    return {"ok": False, "error": {"code": "NOT_FOUND", "message": f"no such endpoint: {path}"}}


async def not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse(not_found_body(request.url.path), status_code=404)
