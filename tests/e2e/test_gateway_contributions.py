"""What a capability contributes to a running gateway: HTTP routes beside the gateway's own, and
notices that reach in-process subscribers in full and WebSocket clients by scope."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from openclaw.core.notices import Notice
from openclaw.core.topics import Topic
from openclaw.core.services import Services
from openclaw.gateway.embedded import run_embedded

pytestmark = pytest.mark.e2e


def install_echo(services: Services) -> None:
    async def interactive(request: Request) -> JSONResponse:
        return JSONResponse({"got": (await request.body()).decode()})

    services.routes.append(Route("/echo/interactive", interactive, methods=["POST"]))


async def test_a_capability_route_is_served_and_the_gateway_routes_still_answer(state_dir: Path) -> None:
    async with run_embedded(state_dir, install=[install_echo]) as gw, httpx.AsyncClient(base_url=gw.http_url) as http:
        res = await http.post("/echo/interactive", content=b"payload=1")
        assert res.status_code == 200 and res.json() == {"got": "payload=1"}
        assert (await http.get("/echo/interactive")).status_code == 405
        assert (await http.get("/healthz")).status_code == 200


async def test_a_notice_reaches_in_process_subscribers_and_the_websocket_client(state_dir: Path) -> None:
    async with run_embedded(state_dir) as gw:
        seen: list[Notice] = []
        gw.services.notices.subscribe(seen.append, topics=(Topic.APPROVAL_REQUESTED,))
        async with gw.client() as c:
            await gw.services.notices.publish(Notice(Topic.APPROVAL_REQUESTED, {"id": "act_1"}))
            frame = await c.next_event("approval.requested")
        assert frame["payload"] == {"id": "act_1"}
        assert [n.payload for n in seen] == [{"id": "act_1"}]
