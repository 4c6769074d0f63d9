"""The Media screen in a real browser against a gateway running the sandbox homelab: the stalled
download scenario plays (fixes off, so the item stays stuck until asked), the screen shows the
count per stage and the stuck item with its reason, an item expands to its timeline, and a fix
asked for from the CLI shows up live (the item moves on, the fixes are listed) with no reload."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import screenshot
from servers import Gateway
from test_control_ui import pair_local_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
DUNE = "movie:tmdb:438631"


def wait_stuck(gw: Gateway, item_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(i["id"] == item_id for i in gw.call("media.list", {"stuck": True})["items"]):
            return
        time.sleep(0.3)
    raise AssertionError(f"{item_id} never stuck: {gw.call('media.list', {})}")


def test_media_screen_shows_counts_stuck_reason_timeline_and_updates_live(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({"media.fixesEnabled": False},
                      args=("--sandbox", "--speed", "300", "--scenario", str(REPO / "scenarios" / "07-stalled-download.yaml")))
    pair_local_browser(page, gw)
    wait_stuck(gw, DUNE)
    page.get_by_role("link", name="Media").click()
    expect(page.get_by_role("heading", name="Media", exact=True)).to_be_visible()

    # Counts: each stage's tile shows what media.list counts (the stuck item holds still).
    dune = gw.call("media.get", {"id": DUNE})
    counts = gw.call("media.list", {})["counts"]
    assert counts.get(dune["stage"], 0) >= 1
    for stage, n in counts.items():
        expect(page.get_by_test_id(f"count-{stage.replace(' ', '-')}")).to_have_text(str(n))
    expect(page.get_by_test_id("count-available")).to_have_text(str(counts.get("available", 0)))

    # Which item is stuck, and why (qBittorrent's own state, with the checks it struck on).
    stuck = page.locator(".media-stuck li", has_text="Dune")
    expect(stuck).to_contain_text("stuck: stalled")
    expect(stuck).to_contain_text("stalledDL")
    expect(page.get_by_role("heading", name="Fixes done")).to_be_visible()
    expect(page.get_by_text("No media fixes yet.")).to_be_visible()

    # An item expands to its timeline: the webhooks that moved it, oldest first.
    item = page.locator(f"details.media-item[data-id='{DUNE}']")
    item.locator("summary").click()
    timeline = item.get_by_test_id("media-timeline")
    expect(timeline).to_contain_text("MEDIA_AUTO_APPROVED")
    expect(timeline).to_contain_text("Grab")
    screenshot(page, "media")

    # Live: a fix asked for elsewhere (the CLI) moves the item on; the screen follows with no reload.
    fixed = gw.cli("media", "fix", DUNE)
    assert "done: media.queue.remove" in fixed.stdout, fixed.stdout
    expect(page.locator(".media-done")).to_contain_text("media.queue.remove")
    expect(page.locator(".media-done")).to_contain_text("media.download.reannounce")
    expect(page.locator(".media-stuck")).not_to_contain_text("Dune")
    # The open item stays open and its timeline now carries the actions.
    expect(item.get_by_test_id("media-timeline")).to_contain_text("action media.queue.remove")
