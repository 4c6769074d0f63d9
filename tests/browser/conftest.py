"""Fixtures for the Control UI browser tests: Debian chromium driven by Playwright, and real
gateway processes on loopback ports.

Host names: chromium maps `*.test` names to 127.0.0.1 (`--host-resolver-rules`), so a page can be
loaded from `http://openclaw.homelab.test:<port>` (the seed's HTTPRoute host, over plain HTTP:
not a secure context) or from `http://evil.test:<port>` (another site) while every byte stays on
loopback.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from forwarding_proxy import ForwardingProxy
from servers import Gateway, StaticSite

REPO = Path(__file__).resolve().parents[2]
# The committed screenshots are rewritten only when asked (`make screenshots`); a plain test run
# still takes every one (so the step keeps working) but leaves the working tree alone.
SCREENSHOTS = REPO / "docs" / "screenshots" if os.environ.get("OPENCLAW_SCREENSHOTS") == "1" else Path(tempfile.gettempdir()) / "openclaw-screenshots"
CHROMIUM = "/usr/bin/chromium"
# The machine is shared by parallel work; a slow second is not a failure, a missing element is.
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP *.test 127.0.0.1",
]


# Module scope, not session: Playwright's sync API keeps an event loop marked as running on this
# thread while it is open, which would break every asyncio test collected after the browser tests.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian chromium (apt-get install chromium; .ci/run does)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (its own localStorage): a new device to the gateway."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, color_scheme="light")
    ctx.set_default_timeout(15_000)
    errors: list[str] = []
    ctx.on("weberror", lambda e: errors.append(str(e.error)))
    yield ctx
    ctx.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def make_gateway(tmp_path: Path) -> Iterator[Callable[..., Gateway]]:
    """Start a gateway with config set in its state file first (`config={"dot.path": value}`) and,
    with `prepare`, whatever else the state dir should hold before it starts."""
    started: list[Gateway] = []

    def make(config: dict[str, Any] | None = None, args: tuple[str, ...] = (), prepare: Callable[[Path], None] | None = None) -> Gateway:
        from openclaw.config import store

        sdir = tmp_path / f"state{len(started)}"
        sdir.mkdir(mode=0o700)
        for path, value in (config or {}).items():
            store.set_value(sdir, path, value)
        if prepare is not None:  # history the state dir already holds when the gateway starts
            prepare(sdir)
        gw = Gateway(sdir, args)
        started.append(gw)
        gw.start()
        return gw

    yield make
    leaks = []
    for gw in started:
        token = gw.token
        gw.stop()
        if token in gw.logs():
            leaks.append(str(gw.log_path))
    assert not leaks, f"the gateway token appears in the gateway log: {leaks}"


@pytest.fixture
def make_proxy() -> Iterator[Callable[[str], ForwardingProxy]]:
    proxies: list[ForwardingProxy] = []

    def make(client_ip: str) -> ForwardingProxy:
        proxy = ForwardingProxy(client_ip)
        proxies.append(proxy)
        return proxy

    yield make
    for p in proxies:
        p.close()


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[StaticSite]:
    site = StaticSite(tmp_path / "site")
    yield site
    site.close()


def screenshot(page: Page, name: str) -> None:
    """Write <name>.png: into docs/screenshots (committed, shown in the README) with OPENCLAW_SCREENSHOTS=1."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
