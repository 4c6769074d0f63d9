"""The overview in a real browser against a gateway running the sandbox homelab: the first screen
after Connect, updated live as an alert arrives, a pending restart approved in place, and its
numbers linking to the screens behind them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from conftest import screenshot
from servers import Gateway
from test_control_ui import pair_local_browser
from test_live import HOOK_TOKEN, post_alert

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_overview_updates_live_and_approves_a_pending_action_in_place(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({"hooks.token": HOOK_TOKEN, "ops.policy.actions": {"workload.restart": {"requireApproval": True}}}, args=("--sandbox",))
    device = pair_local_browser(page, gw)  # lands on the overview
    cluster = page.locator("section", has=page.get_by_role("heading", name="Cluster"))
    expect(cluster).to_contain_text("of 4 nodes Ready")
    expect(page.locator("section", has=page.get_by_role("heading", name="Agent"))).to_contain_text("offline")
    expect(page.get_by_role("img", name="Incidents and actions per hour, last 24 h")).to_be_visible()
    # The sandbox's media apps are tracked: the card counts the items and the stuck ones, or says none is tracked yet.
    media = page.locator("section", has=page.get_by_role("heading", name="Media pipeline"))
    expect(media).to_contain_text(re.compile(r"\d+ tracked, \d+ stuck|No media item tracked yet"))
    pending = page.locator("section", has=page.get_by_role("heading", name="Waiting for approval"))
    expect(pending.get_by_role("link", name="0 waiting for approval")).to_be_visible()
    requested = page.get_by_role("link", name=re.compile(r"^\d+ requested in 24 h$"))
    actions_before = int(requested.inner_text())
    incidents = page.locator("section", has=page.get_by_role("heading", name="Incidents"))
    firing = incidents.get_by_role("link", name=re.compile(r"^\d+ firing$"))
    firing_before = int(firing.inner_text())

    # From here on no page load: the numbers follow incident.* and action.* events.
    page.evaluate("window.__sameDocument = true")
    # A restart the policy parks for a person, asked by another operator (the CLI's connection).
    gw.call("chat.send", {"sessionKey": "other-operator", "message": "/restart media/deployment/sonarr"})
    expect(pending.get_by_role("link", name="1 waiting for approval")).to_have_attribute("href", "#/actions")
    expect(pending.locator(".approval")).to_contain_text("workload.restart Deployment/media/sonarr")
    expect(requested).to_have_text(str(actions_before + 1))

    # An alert posted now shows in the counts.
    post_alert(gw, "firing")
    expect(firing).to_have_text(str(firing_before + 1))
    expect(incidents.get_by_role("link", name=re.compile(r"\d+ warning"))).to_have_attribute("href", "#/incidents?status=firing&severity=warning")
    screenshot(page, "overview")

    # Approve in place: the card empties, the recent list shows the restart's outcome, and the audit
    # log says who approved it.
    [waiting] = [a for a in gw.call("actions.list")["actions"] if a["outcome"] == "pending_approval"]
    pending.get_by_role("button", name="Approve workload.restart Deployment/media/sonarr").click()
    expect(page.locator(".ov-notice")).to_have_text("Approved workload.restart Deployment/media/sonarr.")
    expect(pending).to_contain_text("Nothing is waiting for approval.")
    expect(pending.get_by_role("link", name="0 waiting for approval")).to_be_visible()
    recent = page.locator("section", has=page.get_by_role("heading", name="Recent actions"))
    expect(recent.locator("li").filter(has_text="workload.restart").first.locator(".badge")).to_have_text(re.compile("applied|dry_run"))
    assert page.evaluate("window.__sameDocument") is True  # all of it without a page load
    audited = {a["id"]: a for a in gw.call("actions.list")["actions"]}[waiting["id"]]
    assert audited["resolution"] == "approved"
    assert audited["outcome"] in ("applied", "dry_run")
    assert audited["resolvedBy"] == f"operator:device:{device}"  # this browser, not "the Control UI"

    # A number is a link: the firing count opens the incidents list filtered to firing.
    firing.click()
    expect(page).to_have_url(re.compile(r"#/incidents\?status=firing$"))
    expect(page.get_by_label("Status")).to_have_value("firing")
    expect(page.locator("table.list tbody tr").filter(has_text="KubePodCrashLooping")).to_have_count(1)
