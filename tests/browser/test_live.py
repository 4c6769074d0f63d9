"""Live behaviour in a real browser: incidents appear as AlertManager posts alerts, and a
gateway restart shows the disconnected state, then the page reconnects by itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from conftest import screenshot
from servers import Gateway
from test_control_ui import expect_connected, open_chat, pair_local_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOOK_TOKEN = "hook-token-for-the-browser-tests-0123456789"


CRASHLOOP = {"alertname": "KubePodCrashLooping", "namespace": "media", "pod": "sonarr-7d9f8-abcde", "container": "sonarr", "severity": "warning"}


def alertmanager_body(status: str, labels: dict[str, str] | None = None, summary: str = "Pod is crash looping.",
                      fingerprint: str = "5f0a1b2c3d4e5f60") -> dict[str, Any]:
    """An AlertManager webhook v4 notification for one alert (by default one crash-looping pod)."""
    labels = labels or CRASHLOOP
    name = labels["alertname"]
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{name}"}}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "openclaw",
        "groupLabels": {"alertname": name},
        "commonLabels": labels,
        "commonAnnotations": {"summary": summary},
        "externalURL": "http://alertmanager.monitoring:9093",
        "alerts": [
            {
                "status": status,
                "labels": labels,
                "annotations": {"summary": summary, "description": f"{summary} ({', '.join(f'{k}={v}' for k, v in labels.items())})"},
                "startsAt": "2026-11-24T02:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-24T02:30:00Z",
                "generatorURL": "http://prometheus.monitoring:9090/graph",
                "fingerprint": fingerprint,
            }
        ],
    }


def post_alert(gw: Gateway, status: str, **alert: Any) -> None:
    res = httpx.post(f"{gw.http_url}/hooks/alertmanager", json=alertmanager_body(status, **alert), headers={"Authorization": f"Bearer {HOOK_TOKEN}"}, timeout=10)
    assert res.status_code == 202, res.text


def test_incident_from_an_alertmanager_webhook_appears_and_resolves_live(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway({"hooks.token": HOOK_TOKEN})
    pair_local_browser(page, gw)
    page.get_by_role("link", name="Incidents").click()
    expect(page.get_by_text("No incidents.")).to_be_visible()

    post_alert(gw, "firing")  # no reload from here on: rows arrive as incident.* events
    row = page.locator("table.list tbody tr").filter(has_text="KubePodCrashLooping")
    expect(row).to_have_count(1)
    expect(row.locator(".badge[class*='status-']")).to_have_text(re.compile("open|firing"))
    screenshot(page, "incidents")
    # The runbook had no cluster to check and escalated: the incident's own page shows that note.
    row.get_by_role("link", name=re.compile("KubePodCrashLooping")).click()
    expect(page).to_have_url(re.compile(r"#/incidents/inc-\d+$"))
    timeline = page.locator(".timeline")
    expect(timeline.locator("li").filter(has_text="escalation")).to_contain_text("runbook:crashloop")
    expect(timeline).to_contain_text("no cluster access")
    post_alert(gw, "resolved")
    expect(page.locator(".facts .badge")).to_have_text("resolved")  # the open page follows incident.* events
    page.get_by_role("link", name="All incidents").click()
    expect(row.locator(".badge[class*='status-']")).to_have_text("resolved")


def test_gateway_restart_shows_disconnected_then_reconnects_by_itself(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    pair_local_browser(page, gw)
    gw.stop()
    banner = page.locator("#banner")
    expect(banner).to_contain_text("Disconnected from the gateway")
    expect(banner).to_contain_text(re.compile(r"Retrying in \d+ s|Reconnecting now"))
    expect(page.locator("#conn-status")).to_have_text("Disconnected")
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()  # the screen stays in place
    gw.start()  # same port, same state dir
    expect_connected(page)
    expect(banner).to_be_hidden()


def test_an_action_waiting_for_approval_is_approved_from_the_actions_screen(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    # The embedded sandbox homelab gives the policy layer a cluster; restarts need a human here.
    gw = make_gateway({"ops.policy.actions": {"workload.restart": {"requireApproval": True}}}, args=("--sandbox",))
    pair_local_browser(page, gw)
    open_chat(page)
    box = page.get_by_role("textbox", name="Message")
    box.fill("/restart media/deployment/sonarr")
    box.press("Enter")
    expect(page.locator(".bubble.assistant").last).to_contain_text("pending_approval")

    page.get_by_role("link", name="Actions").click()
    waiting = page.locator(".approval").filter(has_text="Deployment/media/sonarr")
    expect(waiting).to_have_count(1)
    row = page.locator("table.list tbody tr").filter(has_text="workload.restart")
    expect(row.locator(".badge")).to_have_text("pending_approval")
    screenshot(page, "actions")
    waiting.get_by_role("button", name="Approve workload.restart Deployment/media/sonarr").click()
    expect(page.get_by_text("Nothing is waiting for approval.")).to_be_visible()
    expect(row.locator(".badge")).not_to_have_text("pending_approval")  # updated live by action.* events
    expect(row).to_contain_text(re.compile(r"operator:device:[0-9a-f]{6}"))
