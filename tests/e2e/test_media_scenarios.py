"""The media scenarios end to end with no model: the sandbox homelab's media apps send their webhooks
to an embedded gateway and are polled by it; the media ladder fixes what policy allows. Each ends
with the item available (and its incident resolved) or escalated with the evidence, and no
forbidden action in the audit log."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from openclaw.config import store as config_store
from openclaw.gateway.embedded import run_embedded
from openclaw.incidents import incidents_of
from openclaw.media.capability import MEDIA_ENDPOINTS, media_of
from openclaw.ops.clock import CLOCK
from openclaw.policy.capability import policy_of
from openclaw.runbooks.capability import runbooks_of
from openclaw.sandbox.embedded import media_endpoints
from openclaw.sandbox.runtime import Sandbox, SandboxOptions
from openclaw.sandbox.scenario import ScenarioRun, load

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
MEDIA_SCENARIOS = {
    "07-stalled-download": ["media.download.reannounce", "media.download.recheck", "media.queue.remove"],
    "08-failed-import": ["media.scan"],
    "09-no-release-found": ["media.search"],
    "10-request-stuck-pending": ["media.request.approve"],
    "13-qbittorrent-crashloop-stalls-the-pipeline": [],
    "50-usenet-unpack-needs-a-password-retry-fixes": ["media.download.retry"],
    "51-usenet-repair-fails-again-blocklist-fixes": ["media.download.retry", "media.queue.remove"],
    "52-lidarr-album-import-incomplete": ["media.scan"],
    "53-lidarr-album-import-blocked": ["media.scan"],
    "54-imported-movie-missing-from-plex": ["media.library.refresh"],
    "55-movie-in-library-not-available-in-seerr": ["media.request.scan"],
    "56-series-in-library-not-available-in-seerr": ["media.request.scan"],
    "60-stalled-series-download": ["media.download.reannounce", "media.download.recheck", "media.queue.remove"],
    "61-movie-magnet-stuck-on-metadata": ["media.download.reannounce", "media.queue.remove"],
    "62-series-magnet-stuck-on-metadata": ["media.download.reannounce", "media.queue.remove"],
    "63-movie-download-errored": ["media.download.recheck"],
    "64-series-download-errored": ["media.download.recheck"],
    "65-movie-download-missing-files": ["media.download.recheck"],
    "66-series-download-missing-files": ["media.download.recheck"],
    "67-movie-download-no-progress": ["media.download.reannounce"],
    "68-series-download-no-progress": ["media.download.reannounce"],
    "69-movie-import-blocked": ["media.scan"],
    "70-movie-import-blocked-archive": ["media.scan", "media.refresh"],
    "71-series-import-blocked-archive": ["media.scan", "media.refresh"],
    "72-movie-imported-not-in-library": ["media.library.refresh"],
    "73-series-imported-not-in-library": ["media.library.refresh"],
    "74-pending-series-request-escalates": ["media.request.approve"],
    "75-movie-request-failed": ["media.request.retry"],
    "76-series-request-failed": ["media.request.retry"],
    "77-series-no-release-found": ["media.search"],
}
SPEED = 300.0
TOKEN = "media-scenario-hook-token-0123456789"


@pytest.mark.parametrize("name", list(MEDIA_SCENARIOS))
async def test_media_scenario_ends_available_or_escalated(state_dir: Path, name: str) -> None:
    scenario = load(SCENARIOS / f"{name}.yaml")
    kubeconfig = state_dir / "sandbox" / "kubeconfig"
    sandbox = Sandbox(SandboxOptions(speed=SPEED, kubeconfig=kubeconfig))
    await sandbox.start()
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    config_store.set_value(state_dir, "ops", {"kube": {"kubeconfig": str(kubeconfig)}})

    def offer(services: object) -> None:
        services.put(MEDIA_ENDPOINTS, media_endpoints(sandbox))  # type: ignore[attr-defined]  # Services
        services.put(CLOCK, sandbox.clock)  # type: ignore[attr-defined]  # Services

    try:
        async with run_embedded(state_dir, install=[offer]) as gw:
            sandbox.send_webhooks_to(f"{gw.http_url}/hooks", TOKEN)
            engine, runner, media = policy_of(gw.services), runbooks_of(gw.services), media_of(gw.services)
            while engine.backends.kube is None:
                await asyncio.sleep(0.01)
            run = ScenarioRun(scenario, sandbox)
            run.install()
            deadline_sim = scenario.outcome.within + max((f.at for f in scenario.faults), default=0)
            wall_deadline = time.monotonic() + deadline_sim / SPEED + 60

            async def escalated() -> list[dict[str, object]]:
                return [e for e in await runner.escalations.list() if e["routedTo"] in ("operator", "agent") and e["alertname"] == "MediaItemStuck"]

            async def media_incidents_resolved() -> bool:
                found = [i for i in await incidents_of(gw.services).list() if i.kind == "media"]
                return all(i.status == "resolved" for i in found)

            while True:
                report = run.outcome()
                injected = len(run.injected) == len(scenario.faults)
                if injected and (bool(await escalated()) if scenario.outcome.escalate else report.ok and await media_incidents_resolved()):
                    break
                assert time.monotonic() < wall_deadline, (
                    f"{name}: not settled in time: {report.problems}; items {[i.to_json(media.needed()) for i in await media.items()]}; "
                    f"actions {[a.to_json() for a in engine.audit.list()]}")
                await asyncio.sleep(0.1)
            await runner.idle()
            await media.idle()
            actions = [a.to_json() for a in engine.audit.list(limit=1000)]
            assert run.violations(actions) == []
            media_actions = [a for a in reversed(actions) if a["kind"].startswith("media.")]
            assert [a["kind"] for a in media_actions] == MEDIA_SCENARIOS[name], media_actions
            assert all(a["actor"] == "runbook:media-ladder" and a["incident"] for a in media_actions)
            if scenario.outcome.escalate:
                told = await escalated()
                assert told[0]["report"]["evidence"]["timeline"], "the escalation carries the item's timeline"
                assert told[0]["report"]["evidence"]["item"]["stuckReason"]
    finally:
        await sandbox.stop()
