"""The gateway serves the Control UI page and its assets with strict headers, and unknown
paths under /ui/ get the gateway's JSON 404, not the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from openclaw.config import store
from openclaw.gateway import server
from openclaw.gateway.app import build_app
from openclaw.ui import STATIC_DIR


@pytest.fixture
def client(state_dir: Path) -> Iterator[TestClient]:
    plan = server.prepare(state_dir)
    with TestClient(build_app(plan.services)) as c:
        yield c


def test_root_serves_the_control_ui_page_with_security_headers(client: TestClient) -> None:
    res = client.get("/")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="ui/app.js">' in res.text
    csp = res.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert res.headers["x-frame-options"] == "DENY"
    assert res.headers["referrer-policy"] == "no-referrer"


def test_every_asset_the_page_loads_is_served_as_javascript_or_css(client: TestClient) -> None:
    js = sorted(p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*.js"))
    assert "app.js" in js and "vendor/noble-ed25519/index.js" in js
    for rel in js:
        res = client.get(f"/ui/{rel}")
        assert res.status_code == 200, rel
        assert "javascript" in res.headers["content-type"], rel
    css = client.get("/ui/styles.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_unknown_asset_is_a_json_404_not_the_page(client: TestClient) -> None:
    res = client.get("/ui/nope.js")
    assert res.status_code == 404
    assert res.json()["error"]["code"] == "NOT_FOUND"


def test_disabled_control_ui_answers_404_for_page_and_assets(state_dir: Path) -> None:
    store.set_value(state_dir, "gateway.controlUi.enabled", False)
    plan = server.prepare(state_dir)
    with TestClient(build_app(plan.services)) as c:
        assert c.get("/").status_code == 404
        assert c.get("/ui/app.js").status_code == 404
