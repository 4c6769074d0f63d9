"""The Control UI under `gateway.controlUi.basePath`, against a real gateway on a loopback port:
page, assets and WebSocket under the prefix; probes, metrics and webhooks still at the root; the
root no longer the UI; a base path change waits for a restart; `openclaw dashboard` prints it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from openclaw.cli.main import app as cli_app
from openclaw.config import store
from openclaw.gateway.embedded import EmbeddedGateway, run_embedded

pytestmark = pytest.mark.e2e

BASE = "/openclaw"


def assert_json_404(res: httpx.Response) -> None:
    assert res.status_code == 404, res.request.url
    assert res.headers["content-type"].startswith("application/json")
    assert res.json()["error"]["code"] == "NOT_FOUND"


async def hello_at(gw: EmbeddedGateway, path: str) -> str:
    """Connect and authenticate over the WebSocket at `path`; the connection id hello-ok gave."""
    client = gw.client()
    client.url = f"ws://{gw.host}:{gw.port}{path}"
    async with client as c:
        return str(c.hello["server"]["connId"])


async def test_page_assets_and_websocket_are_served_under_the_base_path(state_dir: Path) -> None:
    store.set_value(state_dir, "gateway.controlUi.basePath", BASE + "/")
    async with run_embedded(state_dir) as gw, httpx.AsyncClient(base_url=gw.http_url) as http:
        page = await http.get(f"{BASE}/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert '<script type="module" src="ui/app.js">' in page.text  # relative: resolves to /openclaw/ui/app.js
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert (await http.head(f"{BASE}/")).status_code == 200
        app_js = await http.get(f"{BASE}/ui/app.js")
        assert app_js.status_code == 200 and "javascript" in app_js.headers["content-type"]
        assert app_js.headers["x-frame-options"] == "DENY"
        assert (await http.get(f"{BASE}/ui/styles.css")).headers["content-type"].startswith("text/css")

        bare = await http.get(BASE, params={"lang": "en"})
        assert bare.status_code == 307 and bare.headers["location"] == f"{BASE}/?lang=en"

        for path in ("/", "/ui/app.js", f"{BASE}/nope", f"{BASE}/ui/nope.js", f"{BASE}/healthz", f"{BASE}/hooks/alertmanager", "/openclawx/"):
            assert_json_404(await http.get(path))

        assert (await http.get("/healthz")).json() == {"ok": True, "status": "live"}
        assert (await http.get("/readyz")).status_code == 200
        assert "openclaw" in (await http.get("/metrics")).text
        hook = await http.get("/hooks/alertmanager")
        assert hook.status_code == 405 and hook.headers["allow"] == "POST"

        conn_ids = {await hello_at(gw, path) for path in (f"{BASE}/", BASE, "/", "/ws")}
        assert len(conn_ids) == 4


async def test_disabled_control_ui_is_a_json_404_under_the_base_path_too(state_dir: Path) -> None:
    store.set_value(state_dir, "gateway.controlUi.basePath", BASE)
    store.set_value(state_dir, "gateway.controlUi.enabled", False)
    async with run_embedded(state_dir) as gw, httpx.AsyncClient(base_url=gw.http_url) as http:
        for path in (BASE, f"{BASE}/", f"{BASE}/ui/app.js", "/"):
            assert_json_404(await http.get(path))


async def test_a_base_path_change_waits_for_a_restart(state_dir: Path) -> None:
    store.set_value(state_dir, "gateway.controlUi.basePath", BASE)
    async with run_embedded(state_dir) as gw, httpx.AsyncClient(base_url=gw.http_url) as http:
        async with gw.client() as c:
            got = await c.call("config.get")
            done = await c.call("config.set", {"path": "gateway.controlUi.basePath", "value": "/ops", "baseHash": got["hash"]})
            assert done["restartRequired"] == ["gateway.controlUi.basePath"]
            status = await c.call("status")
        assert "gateway.controlUi.basePath" in str(status)
        # Until the restart the page stays where it was, and the new path is not half-served.
        assert (await http.get(f"{BASE}/")).status_code == 200
        assert_json_404(await http.get("/ops/"))
    async with run_embedded(state_dir) as gw, httpx.AsyncClient(base_url=gw.http_url) as http:
        assert (await http.get("/ops/")).status_code == 200
        assert_json_404(await http.get(f"{BASE}/"))


async def test_an_invalid_base_path_over_the_websocket_names_the_field_and_changes_nothing(state_dir: Path) -> None:
    async with run_embedded(state_dir) as gw:
        before = (state_dir / "openclaw.json").read_text()
        async with gw.client() as c:
            got = await c.call("config.get")
            with pytest.raises(Exception) as info:
                await c.call("config.set", {"path": "gateway.controlUi.basePath", "value": "/healthz", "baseHash": got["hash"]})
    problems = info.value.details["problems"]  # type: ignore[attr-defined]
    assert any("gateway.controlUi.basePath" in p and "/healthz" in p and "expected" in p for p in problems)
    assert (state_dir / "openclaw.json").read_text() == before


async def test_dashboard_prints_the_url_the_gateway_serves_the_page_at(state_dir: Path) -> None:
    store.set_value(state_dir, "gateway.controlUi.basePath", "/apps/openclaw/")
    async with run_embedded(state_dir) as gw, httpx.AsyncClient(base_url=gw.http_url) as http:
        result = CliRunner().invoke(cli_app, ["dashboard", "--state-dir", str(state_dir)])
        assert result.exit_code == 0, result.output
        url = urlsplit(result.output.strip())
        assert url.path == "/apps/openclaw/" and url.fragment.startswith("token=")
        assert (await http.get(url.path)).status_code == 200
