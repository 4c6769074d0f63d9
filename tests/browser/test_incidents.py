"""Incidents in a real browser: readable at 1000 px and phone width (no header or cell word broken
across lines), each incident's page at its own address, repeats of one cause on one line with a
count, and the filters and search kept in the address."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import screenshot
from ingest_bodies import DATA, Pipeline, fixture_envelope
from servers import Gateway
from test_control_ui import pair_local_browser
from test_live import HOOK_TOKEN, post_alert

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NODE_DOWN = {"alertname": "KubeNodeNotReady", "node": "homelab-w3", "severity": "critical"}
PROMETHEUS_DOWN = {"alertname": "PrometheusRuleFailures", "namespace": "monitoring", "pod": "prometheus-kube-prometheus-stack-prometheus-0",
                   "container": "prometheus", "severity": "warning"}

# Every word inside `selector` whose rendered boxes sit on more than one line: a word the layout
# broke ("Sev / erit / y", "KubePodCras / hLooping"). A line may still end after a hyphen or a
# slash (`media/sonarr-7d9f8-abcde`), as text wraps everywhere: each part up to one counts as a word.
BROKEN_WORDS_JS = """(selector) => {
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s\\/-]+[\\/-]?/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


def broken_words(page: Page, selector: str) -> list[str]:
    words: list[str] = page.evaluate(BROKEN_WORDS_JS, selector)
    return words


def silence_watchdog(state_dir: Path, times: int = 3) -> None:
    """The last few hours of a flaky alerting pipeline, before the gateway starts: Watchdog went silent
    `times` times and came back each time but the last. Written by the incidents code itself on the
    gateway's event database, with its clock set back (the gateway's silence check runs on wall time)."""
    from openclaw.events.db import DB_FILE_NAME

    clock = [time.time() - 3 * 3600]
    watchdog = fixture_envelope(DATA / "payloads/holmesgpt-alert-Watchdog.json")

    async def history() -> None:
        async with Pipeline(state_dir / DB_FILE_NAME, clock=lambda: clock[0]) as p:
            for n in range(times):
                await p.post("alertmanager", watchdog)
                await p.settle()
                clock[0] += 11 * 60
                assert [x.topic for x in await p.incidents.check_heartbeats()] == ["incident.opened"]
                clock[0] += 20 * 60
            await p.settle()

    # Playwright's sync API owns this thread's event loop; run on a thread of our own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, history()).result(60)
    # Each return of Watchdog resolved the silence before it; the last silence is still firing.


def seed_incidents(gw: Gateway) -> None:
    """A crash loop that came back three times (one cause), a node down, and a monitoring alert."""
    for n in range(3):
        post_alert(gw, "firing")
        if n < 2:
            post_alert(gw, "resolved")
    post_alert(gw, "firing", labels=NODE_DOWN, summary="Node is not ready.", fingerprint="aa11bb22cc33dd44")
    post_alert(gw, "firing", labels=PROMETHEUS_DOWN, summary="Prometheus is failing rule evaluations.", fingerprint="ee55ff66aa77bb88")


def test_incidents_at_1000px_keep_words_whole_with_an_incident_open(browser: Browser, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({"hooks.token": HOOK_TOKEN}, prepare=silence_watchdog)  # its long titles too
    seed_incidents(gw)
    ctx = browser.new_context(viewport={"width": 1000, "height": 800}, color_scheme="light")
    try:
        page = ctx.new_page()
        pair_local_browser(page, gw)
        page.get_by_role("link", name="Incidents", exact=True).click()
        page.get_by_label("Status").select_option("all")
        table = page.locator("table.incidents-table")
        expect(table.locator("tbody tr")).to_have_count(4)
        # The check itself sees a broken word: "Severity" in a 2em box that breaks anywhere, as the old table did.
        page.evaluate("""() => { const p = document.createElement('p'); p.id = 'squeezed'; p.textContent = 'Severity';
                         p.style.cssText = 'width: 2em; overflow-wrap: anywhere'; document.querySelector('main').append(p); }""")
        assert broken_words(page, "#squeezed") == ["Severity"]
        page.evaluate("() => document.getElementById('squeezed').remove()")
        assert broken_words(page, "table.incidents-table th, table.incidents-table td") == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 1000

        # The node incident's own page: its address, alerts and timeline, still no broken word.
        table.get_by_role("link", name=re.compile("KubeNodeNotReady")).click()
        expect(page).to_have_url(re.compile(r"#/incidents/inc-\d+$"))
        incident_url = page.url
        expect(page.get_by_role("heading", name=re.compile("KubeNodeNotReady: node homelab-w3"))).to_be_visible()
        expect(page.get_by_role("heading", name="Alerts (1)")).to_be_visible()
        expect(page.locator(".timeline")).to_contain_text("alert KubeNodeNotReady")
        expect(page.locator(".facts")).to_contain_text("critical")
        assert broken_words(page, "main th, main td, main h1, .facts, .timeline") == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 1000
        screenshot(page, "incident-detail")

        # The address alone opens it (what a Slack message or a note links to), at phone width too.
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, storage_state=ctx.storage_state())
        try:
            other = phone.new_page()
            other.goto(incident_url)
            expect(other.get_by_role("heading", name=re.compile("KubeNodeNotReady"))).to_be_visible()
            expect(other.get_by_role("heading", name="Timeline")).to_be_visible()
            assert broken_words(other, "main td, .facts dt, .timeline strong") == []
            assert other.evaluate("document.documentElement.scrollWidth") <= 390
            other.goto(gw.http_url + "/#/incidents?status=all")
            expect(other.locator("table.incidents-table tbody tr")).to_have_count(4)
            assert broken_words(other, "table.incidents-table td") == []
            assert other.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            phone.close()
    finally:
        ctx.close()


def test_repeats_collapse_and_the_filters_and_search_narrow_the_list(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({"hooks.token": HOOK_TOKEN})
    seed_incidents(gw)
    pair_local_browser(page, gw)
    page.goto(gw.http_url + "/#/incidents?status=all")
    rows = page.locator("table.incidents-table tbody tr")
    expect(rows).to_have_count(3)
    crash = rows.filter(has_text="KubePodCrashLooping")
    expect(crash).to_have_count(1)
    repeat = crash.get_by_role("button", name=re.compile("3 incidents of this cause"))
    expect(repeat).to_have_text("×3")
    expect(page.get_by_role("status").filter(has_text="shown")).to_contain_text("5 of 5 shown, repeats of one cause on one line (2 folded)")
    repeat.click()
    expect(rows.filter(has_text="KubePodCrashLooping")).to_have_count(3)
    expect(rows.filter(has_text="KubePodCrashLooping").locator(".badge[class*='status-']")).to_have_text(["firing", "resolved", "resolved"])
    repeat.click()
    expect(rows).to_have_count(3)

    # Firing only (the default): the two resolved repeats are gone, the newest crash loop stays.
    page.get_by_label("Status").select_option("firing")
    expect(page).to_have_url(re.compile(r"#/incidents\?status=firing$"))
    expect(rows).to_have_count(3)
    expect(crash.get_by_role("button")).to_have_count(0)
    page.get_by_label("Severity").select_option("critical")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("KubeNodeNotReady")
    page.get_by_label("Severity").select_option("")
    page.get_by_label("Namespace").select_option("monitoring")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("PrometheusRuleFailures")
    page.get_by_label("Namespace").select_option("")
    page.get_by_label("Search").fill("sonarr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("media/sonarr")
    page.get_by_label("Status").select_option("resolved")
    expect(rows).to_have_count(1)  # the two resolved crash loops, on one line
    expect(rows.first.get_by_role("button")).to_have_text("×2")
    page.get_by_label("Search").fill("no such thing")
    expect(page.get_by_text("No incident matches these filters (5 in all).")).to_be_visible()

    # The filters are in the address: a reload (or a link) brings the same list back.
    page.get_by_label("Search").fill("w3")
    page.get_by_label("Status").select_option("all")
    expect(page).to_have_url(re.compile(r"#/incidents\?status=all&q=w3$"))
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("w3")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("KubeNodeNotReady")


def test_repeated_heartbeat_silences_are_one_line_with_a_count(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({"hooks.token": HOOK_TOKEN}, prepare=silence_watchdog)
    pair_local_browser(page, gw)
    heartbeat = page.locator("section", has=page.get_by_role("heading", name="Alerting heartbeat"))
    expect(heartbeat.locator("li").filter(has_text="Watchdog").locator(".badge")).to_have_text("silent")
    heartbeat.get_by_role("link", name="1 heartbeat silences firing").click()
    expect(page).to_have_url(re.compile(r"#/incidents\?status=firing&q=heartbeat$"))
    rows = page.locator("table.incidents-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Watchdog heartbeat missing for 11 min")
    expect(rows.first.get_by_role("button")).to_have_count(0)  # one firing: nothing folded

    # All of them: three silences of one cause, one line with a count that unfolds.
    page.get_by_label("Status").select_option("all")
    expect(rows).to_have_count(1)
    repeat = rows.first.get_by_role("button", name=re.compile("3 incidents of this cause"))
    expect(repeat).to_have_text("×3")
    expect(page.get_by_role("status").filter(has_text="shown")).to_contain_text("3 of 3 shown, repeats of one cause on one line (2 folded)")
    repeat.click()
    expect(rows).to_have_count(3)
    expect(rows.locator(".badge[class*='status-']")).to_have_text(["firing", "resolved", "resolved"])
    expect(rows.filter(has_text="Watchdog heartbeat missing")).to_have_count(3)

    # Watchdog comes back: the silence resolves live, and the line still holds all three.
    repeat.click()
    post_alert(gw, "firing", labels={"alertname": "Watchdog", "severity": "none"}, summary="An alert that should always be firing.", fingerprint="e1e2e3e4e5e6e7e8")
    expect(rows.first.locator(".badge[class*='status-']")).to_have_text("resolved")
    expect(rows.first.get_by_role("button", name=re.compile("3 incidents of this cause"))).to_have_text("×3")
