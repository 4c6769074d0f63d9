"""The media runbook: a stuck item gets the fixes its reason calls for, cheapest first, through
policy, with no model call. Each rung is one `policy.submit()`; when a fix is verified the item is
watched again (strikes start over), when it is not the next rung runs, and what the ladder cannot
settle is escalated (to the agent when one takes it, else the operator) with the item, its timeline
and every decision as evidence. The item's incident opens on its first stuck check and resolves
when the item is available.

Ladders (reason -> rungs):

    stalled, no-progress   reannounce -> recheck -> remove (blocklist, re-search) -> escalate
    metadata               reannounce -> remove (blocklist, re-search) -> escalate
    errored, missing-files recheck -> remove (blocklist, re-search) -> escalate
    download-failed        SABnzbd retry -> remove (blocklist, re-search) -> escalate
    disk-full              escalate (the download volume is full: no fix of the item helps)
    import-blocked         downloaded-files scan -> refresh -> escalate
    no-release             search -> escalate
    not-in-library         targeted refresh of the server missing it (Jellyfin or Plex) -> Sonarr/Radarr/Lidarr refresh -> escalate
    pending-approval       approve the request (an operator signs it off) -> escalate
    request-failed         retry the request -> escalate
    not-available-in-seerr Seerr's recently-added scan job of the server that lists it -> escalate

A removal keeps a private-tracker torrent in the client (changeCategory) so it goes on seeding.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openclaw.config.schema import Settings
from openclaw.incidents.capability import Incidents
from openclaw.media.capability import Media
from openclaw.media.clients.base import AppClient
from openclaw.media.clients.jellyfin import JellyfinClient
from openclaw.media.clients.qbittorrent import QbittorrentClient
from openclaw.media.clients.sabnzbd import SabnzbdClient
from openclaw.media.clients.seerr import SeerrClient
from openclaw.media.lookup import arr_of_kind
from openclaw.media.refs import MediaTarget
from openclaw.media.stages import Stage, Stuck
from openclaw.media.tracker import Tracked, set_stage
from openclaw.policy.engine import PolicyEngine
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Decision, Outcome
from openclaw.runbooks.escalation import Escalations
from openclaw.runbooks.models import AlertContext, Report, Status

log = logging.getLogger(__name__)

RUNBOOK = "media-ladder"
ALERTNAME = "MediaItemStuck"
# Refusals that only mean "not now": the rung is tried again on a later check.
NOT_NOW = {"ops.policy.media.itemCooldown", "ops.policy.media.searchesPerAppPerHour", "ops.policy.media.indexerGate"}
K = ActionKind
REMOVE = "remove"  # a removal with the flags the case calls for
LADDERS: dict[str, tuple[Any, ...]] = {
    Stuck.STALLED: (K.MEDIA_REANNOUNCE, K.MEDIA_RECHECK, REMOVE),
    Stuck.NO_PROGRESS: (K.MEDIA_REANNOUNCE, K.MEDIA_RECHECK, REMOVE),
    Stuck.METADATA: (K.MEDIA_REANNOUNCE, REMOVE),
    Stuck.ERRORED: (K.MEDIA_RECHECK, REMOVE),
    Stuck.MISSING_FILES: (K.MEDIA_RECHECK, REMOVE),
    Stuck.DOWNLOAD_FAILED: (K.MEDIA_DOWNLOAD_RETRY, REMOVE),
    Stuck.IMPORT_BLOCKED: (K.MEDIA_SCAN, K.MEDIA_REFRESH),
    Stuck.NO_RELEASE: (K.MEDIA_SEARCH,),
    Stuck.NOT_IN_LIBRARY: (K.MEDIA_LIBRARY_REFRESH, K.MEDIA_REFRESH),
    Stuck.PENDING_APPROVAL: (K.MEDIA_REQUEST_APPROVE,),
    Stuck.REQUEST_FAILED: (K.MEDIA_REQUEST_RETRY,),
    Stuck.NOT_AVAILABLE_IN_SEERR: (K.MEDIA_REQUEST_SCAN,),
}
APP_FOR = {K.MEDIA_REANNOUNCE: QbittorrentClient, K.MEDIA_RECHECK: QbittorrentClient, K.MEDIA_DOWNLOAD_RETRY: SabnzbdClient,
           K.MEDIA_LIBRARY_REFRESH: JellyfinClient,
           K.MEDIA_REQUEST_APPROVE: SeerrClient, K.MEDIA_REQUEST_RETRY: SeerrClient, K.MEDIA_REQUEST_SCAN: SeerrClient}


@dataclass
class Step:
    kind: ActionKind
    app: str
    params: dict[str, Any]


class MediaLadder:
    def __init__(self, media: Media, policy: PolicyEngine, incidents: Incidents, escalations: Escalations, settings: Callable[[], Settings]) -> None:
        self.media = media
        self.policy = policy
        self.incidents = incidents
        self.escalations = escalations
        self.settings = settings

    def enabled(self) -> bool:
        s = self.settings()
        return s.ops.runbooks_enabled and s.media.fixes_enabled

    # ---- the ladder -----------------------------------------------------------------------------

    def _step(self, item: Tracked, rung: Any) -> Step | None:
        clients = self.media.clients
        arr: AppClient | None = arr_of_kind(clients, item.kind)
        if rung == REMOVE:
            private = bool((item.state.get("download") or {}).get("private"))
            params = {"removeFromClient": not private, "blocklist": True, "skipRedownload": False, "changeCategory": private}
            return Step(K.MEDIA_QUEUE_REMOVE, arr.name, params) if arr else None
        kind = ActionKind(rung)
        missing = (item.state.get("library") or {}).get("missingFrom") or []
        if kind is K.MEDIA_LIBRARY_REFRESH and missing:
            return Step(kind, str(missing[0]), {})  # the server that does not list it
        cls = APP_FOR.get(kind)
        client = clients.of(cls) if cls else arr
        return Step(kind, client.name, {}) if client else None

    def _next(self, item: Tracked) -> Step | None:
        for rung in LADDERS.get(str(item.stuck_reason), ()):
            label = REMOVE if rung == REMOVE else str(rung)
            if label not in item.ladder:
                step = self._step(item, rung)
                if step is not None:
                    return step
        return None

    async def on_stuck(self, item: Tracked, actor: Actor | None = None, *, rungs: int = 99) -> list[Decision]:
        """Run the item's next rungs (at most `rungs`) until one holds, waits, or the ladder is done."""
        if actor is None and (not self.enabled() or item.escalated):
            return []
        incident = await self._incident(item)
        decisions: list[Decision] = []
        while True:
            step = self._next(item)
            if step is None:
                await self._escalate(item, incident, decisions, f"{item.title or item.id} is still stuck ({item.stuck_reason}) after "
                                     f"{', '.join(item.ladder) or 'no fix it could try'}")
                return decisions
            detail = f"{item.stuck_reason}: {item.stuck_detail} ({item.strikes.get(str(item.stuck_reason), 0)} checks)"
            request = ActionRequest(step.kind, MediaTarget(step.app, item.id), actor or Actor.runbook(RUNBOOK), detail, step.params, incident)
            decision = await self.policy.submit(request)
            decisions.append(decision)
            if decision.outcome is Outcome.REFUSED and decision.setting in NOT_NOW:
                return decisions  # tried again at a later check
            label = REMOVE if step.kind is K.MEDIA_QUEUE_REMOVE else str(step.kind)
            item = await self._record(item, label, decision)
            if decision.outcome is Outcome.PENDING:
                await self._escalate(item, incident, decisions, f"{step.kind} on {item.title or item.id} awaits an operator's approval "
                                     f"({decision.action_id}): {decision.reason}")
                return decisions
            if decision.outcome in (Outcome.DRY_RUN, Outcome.OBSERVED):
                await self._escalate(item, incident, decisions, f"{step.kind} on {item.title or item.id} not applied: {decision.reason}", report=True)
                return decisions
            if decision.outcome is Outcome.APPLIED and decision.verified:
                return decisions  # the item moved on; the next checks tell whether it keeps moving
            if len(decisions) >= rungs:
                return decisions

    async def _record(self, item: Tracked, label: str, decision: Decision) -> Tracked:
        def change(t: Tracked) -> None:
            t.ladder = [*t.ladder, label] if label not in t.ladder else t.ladder
            t.strikes = {}  # the fix gets as many checks to show progress as the failure needed to count
            if label == REMOVE and decision.outcome is Outcome.APPLIED:
                set_stage(t, Stage.SEARCHING, self.policy.now())
                t.ladder = [label]
                t.download_id = None

        updated = await self.media.update(item.id, change)
        if updated is None:
            change(item)
            return item
        # A removal starts a new download: its reason may be new, but this ladder ran for the old one.
        if label == REMOVE:
            updated.stuck_reason = item.stuck_reason
        return updated

    # ---- incidents and escalation -------------------------------------------------------------------

    async def _incident(self, item: Tracked) -> str | None:
        title = f"{item.title or item.id} is stuck: {item.stuck_reason}"
        incident, opened = await self.incidents.open_for(f"media:{item.id}", kind="media", title=title)
        if opened or item.incident != incident:
            await self.media.update(item.id, lambda t: setattr(t, "incident", incident))
            evidence = {"item": item.to_json(self.media.needed()), "timeline": await self.media.timeline(item.id)}
            await self.incidents.attach_note(incident, "finding", f"runbook:{RUNBOOK}", item.stuck_detail or title, evidence)
        return incident

    def _alert(self, item: Tracked, incident: str | None) -> AlertContext:
        labels = {"item": item.id, "reason": str(item.stuck_reason), "app": item.app or "", "title": item.title or ""}
        return AlertContext(ALERTNAME, "firing", labels, {"summary": item.stuck_detail or ""}, f"media:{item.id}", incident)

    async def _escalate(self, item: Tracked, incident: str | None, decisions: list[Decision], summary: str, *, report: bool = False) -> None:
        fresh = await self.media.item(item.id) or item
        evidence = {"item": fresh.to_json(self.media.needed()), "timeline": await self.media.timeline(item.id),
                    "apps": {k: v.to_json() for k, v in (self.media.poller.apps if self.media.poller else {}).items()}}
        result = Report(RUNBOOK, Status.REPORTED if report else Status.ESCALATED, summary, fresh.stuck_detail, evidence, decisions,
                        cause=f"media:{item.id}")
        await self.escalations.escalate(self._alert(fresh, incident), result, to_agent=not report)
        await self.media.update(item.id, lambda t: setattr(t, "escalated", True))
        log.warning("media.escalated", extra={"item": item.id, "reason": item.stuck_reason, "incident": incident})

    async def on_settled(self, item: Tracked) -> None:
        """An item with an incident is not stuck now: resolve the incident once it is available."""
        if item.incident is None or item.stage is not Stage.AVAILABLE:
            return
        if await self.incidents.resolve(item.incident):
            await self.incidents.attach_note(item.incident, "fix", f"runbook:{RUNBOOK}", f"{item.title or item.id} is available",
                                             {"item": item.to_json(self.media.needed()), "ladder": item.ladder})
        await self.media.update(item.id, lambda t: setattr(t, "incident", None))

    async def fix(self, item_id: str, actor: str, rungs: int = 1) -> dict[str, Any]:
        """`media.fix`: an operator asks for the item's next fixes now, whatever its strikes: at most
        `rungs`, stopping at the first that holds, each decision (and verification) returned."""
        item = await self.media.item(item_id)
        if item is None:
            raise ValueError(f"no tracked media item {item_id!r}")
        if item.stuck_reason is None:
            return {"item": item.to_json(self.media.needed()), "decisions": [], "message": f"{item_id} is not stuck ({item.stage})"}
        decisions = await self.on_stuck(item, Actor.parse(actor), rungs=rungs)
        fresh = await self.media.item(item_id) or item
        return {"item": fresh.to_json(self.media.needed()), "decisions": [d.to_json() for d in decisions]}
