"""The incidents capability inside the gateway: correlation of alert events, heartbeat watch,
WebSocket methods `incidents.list` / `incidents.get`, and `incident.*` notices.

Others reach it as `incidents_of(services)`:

    incidents = incidents_of(services)
    await incidents.list(status="firing")
    await incidents.get("inc-12")
    incidents.subscribe(listener)   # Notice("incident.opened" | "incident.updated" | "incident.resolved")
    await incidents.attach_note("inc-12", "finding", "agent:incident:inc-12", "cause: bad config", {...})
    await incidents.detail("inc-12")   # the incident with its notes and audited actions
"""

from __future__ import annotations

import asyncio
import builtins
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from openclaw.core.slots import Slot
from openclaw.core.notices import Listener, Notice
from openclaw.core.topics import Topic
from openclaw.events import Events, events_of
from openclaw.core.methods import READ, MethodCall, MethodError
from openclaw.incidents import heartbeat, notes, store
from openclaw.incidents.correlate import handle_alert_notification
from openclaw.incidents.models import INCIDENT_STATUSES, Incident, IncidentStatus
from openclaw.logs import redact_data
from openclaw.ops.clock import CLOCK, WALL_CLOCK, Clock, OfferedClock
from openclaw.incidents.notices import incident_notices

if TYPE_CHECKING:
    from openclaw.core.services import Services

log = logging.getLogger(__name__)

INCIDENT_TOPICS = (Topic.INCIDENT_OPENED, Topic.INCIDENT_UPDATED, Topic.INCIDENT_RESOLVED)
HEARTBEAT_CHECK_INTERVAL_S = 30.0


class Incidents:
    def __init__(self, events: Events, *, mask: Callable[[Any], Any] | None = None, waits: Clock = WALL_CLOCK) -> None:
        self.events = events
        # The clock the homelab's time runs on (simulated under the embedded sandbox): a heartbeat
        # sent every few minutes of that clock must not look silent when it runs slower than wall time.
        self.waits = waits
        # Notes quote what others wrote (a crashing pod's logs, the agent's findings): `mask` takes
        # the config's secrets out before a note is stored or published.
        self._mask = mask or (lambda value: value)
        events.db.add_schema(store.SCHEMA)
        events.db.add_schema(notes.SCHEMA)
        events.register("alertmanager", handle_alert_notification)

    async def list(self, *, status: IncidentStatus | None = None, limit: int = 200) -> builtins.list[Incident]:
        return await self.events.db.run(lambda conn: store.list_incidents(conn, status=status, limit=limit))

    async def get(self, incident_id: str) -> Incident | None:
        return await self.events.db.run(lambda conn: store.get_incident(conn, incident_id))

    async def detail(self, incident_id: str) -> dict[str, Any] | None:
        """The incident as JSON with its timeline: `notes` and the audited `actions` taken for it."""

        def read(conn: Any) -> dict[str, Any] | None:
            found = store.get_incident(conn, incident_id)
            if found is None:
                return None
            return {**found.to_json(), **notes.timeline(conn, incident_id)}

        return await self.events.db.run(read)

    async def attach_note(self, incident_id: str | None, kind: notes.NoteKind, author: str, summary: str,
                          data: dict[str, Any] | None = None) -> notes.IncidentNote:
        """Attach a note to an incident through the event database's writer (batched with ingest, never
        blocking the loop); once committed, `incident.updated` carries the incident and the note."""

        def write(conn: Any) -> tuple[notes.IncidentNote, Incident | None]:
            note = notes.add_note(conn, incident_id, kind, author, self._mask(summary), self._mask(data or {}), self.events.clock())
            return note, store.get_incident(conn, incident_id, with_alerts=False) if incident_id else None

        note, incident = await self.events.db.run(write)
        if incident is not None:
            await self.events.processor.deliver([Notice(Topic.INCIDENT_UPDATED, {**incident.to_json(with_alerts=False), "note": note.to_json()})])
        return note

    async def open_for(self, cause: str, *, kind: str, title: str, severity: str = "warning", namespace: str | None = None) -> tuple[str, bool]:
        """The firing incident for `cause` (a stuck media item: `media:movie:tmdb:438631`), opened
        when there is none; (id, opened). An incident with no alerts resolves through `resolve()`."""

        def write(conn: Any) -> tuple[str, bool, builtins.list[Notice]]:
            found = store.find_open_incident(conn, [cause])
            if found is not None:
                return found, False, []
            new_id = store.create_incident(conn, kind=kind, title=title, severity=severity, namespace=namespace, group_key=None,
                                           causes=[cause], now=self.events.clock())
            return new_id, True, incident_notices(conn, {new_id: {"opened"}})

        incident_id, opened, notices = await self.events.db.run(write)
        await self.events.processor.deliver(notices)
        return incident_id, opened

    async def resolve(self, incident_id: str) -> bool:
        """Resolve an incident whose cause is gone (one without alerts; one with alerts resolves with
        them). True when it was firing."""

        def write(conn: Any) -> tuple[bool, builtins.list[Notice]]:
            if store.incident_status(conn, incident_id) != "firing":
                return False, []
            store.resolve_incident(conn, incident_id, self.events.clock())
            return True, incident_notices(conn, {incident_id: {"resolved"}})

        resolved, notices = await self.events.db.run(write)
        await self.events.processor.deliver(notices)
        return resolved

    async def hold(self, incident_id: str, reason: str) -> None:
        """Keep `incident_id` open after its alerts resolve, until `release()` (a cordon silences
        KubeNodeNotReady while the node is still down: the incident must not close with it)."""
        await self.events.db.run(lambda conn: store.hold_incident(conn, incident_id, reason, self.events.clock()))

    async def release(self, incident_id: str) -> bool:
        """Lift the hold; the incident resolves now when none of its alerts fires (True then)."""

        def write(conn: Any) -> tuple[bool, builtins.list[Notice]]:
            resolved = store.release_hold(conn, incident_id, self.events.clock())
            return resolved, incident_notices(conn, {incident_id: {"resolved"}}) if resolved else []

        resolved, notices = await self.events.db.run(write)
        await self.events.processor.deliver(notices)
        return resolved

    async def list_notes(self, *, incident_id: str | None = None, kinds: tuple[str, ...] = (), limit: int = 100) -> builtins.list[notes.IncidentNote]:
        """Notes, newest first."""
        return await self.events.db.run(lambda conn: notes.list_notes(conn, incident_id=incident_id, kinds=kinds, newest_first=True, limit=limit))

    async def at_a_glance(self, since: float, hours: int) -> dict[str, Any]:
        """What the overview shows of incidents: the firing ones by kind and severity, how many opened
        in each hour from `since`, and each alerting heartbeat's last firing."""

        def read(conn: Any) -> dict[str, Any]:
            return {"firing": store.firing_by_severity(conn), "openedPerHour": store.opened_per_hour(conn, since, hours),
                    "heartbeats": heartbeat.heartbeat_status(conn)}

        return await self.events.db.run(read)

    def subscribe(self, listener: Listener, topics: tuple[Topic, ...] = INCIDENT_TOPICS) -> Callable[[], None]:
        """Call `listener` for each committed incident change (or any `topics`, e.g. `alert.firing`)."""
        return self.events.subscribe(listener, topics)

    def heartbeat_limit_s(self) -> float:
        """Wall seconds of silence that open a heartbeat incident: `SILENCE_LIMIT_S` of the homelab's
        clock, never less than that in wall time (a faster simulated clock does not make the real
        webhook hop any faster)."""
        return max(heartbeat.SILENCE_LIMIT_S, self.waits.wall(heartbeat.SILENCE_LIMIT_S))

    async def check_heartbeats(self, now: float | None = None) -> builtins.list[Notice]:
        """Open incidents for silent heartbeats; returns (and delivers) the notices."""
        at = now if now is not None else self.events.clock()
        limit = self.heartbeat_limit_s()
        notices = await self.events.db.run(lambda conn: heartbeat.check_heartbeats(conn, at, limit))
        await self.events.processor.deliver(notices)
        return notices

    async def heartbeat_loop(self, interval_s: float = HEARTBEAT_CHECK_INTERVAL_S) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.check_heartbeats()
            except Exception:
                log.exception("incidents.heartbeat_check_failed")


INCIDENTS: Slot[Incidents] = Slot("incidents", "the incidents store is not running")


def incidents_of(services: Services) -> Incidents:
    return services.get(INCIDENTS)


def _status_param(params: dict[str, Any]) -> IncidentStatus | None:
    status = params.get("status")
    if status is None:
        return None
    if status not in INCIDENT_STATUSES:
        raise MethodError("INVALID_REQUEST", f"status: expected one of {', '.join(INCIDENT_STATUSES)}", {"field": "status"})
    result: IncidentStatus = status
    return result


def install(services: Services) -> Incidents:
    incidents = Incidents(events_of(services), mask=lambda value: redact_data(value, services.redactor.secrets),
                          waits=OfferedClock(lambda: services.find(CLOCK)))
    services.put(INCIDENTS, incidents)

    @services.methods.method("incidents.list", READ)
    async def incidents_list(call: MethodCall) -> dict[str, Any]:
        status = _status_param(call.params)
        limit = call.params.get("limit", 200)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise MethodError("INVALID_REQUEST", "limit: expected an integer from 1 to 1000", {"field": "limit"})
        found = await incidents.list(status=status, limit=limit)
        return {"incidents": [i.to_json(with_alerts=False) for i in found]}

    @services.methods.method("incidents.get", READ)
    async def incidents_get(call: MethodCall) -> dict[str, Any]:
        incident_id = call.params.get("id")
        if not isinstance(incident_id, str) or not incident_id:
            raise MethodError("INVALID_REQUEST", "id: expected an incident id such as inc-12", {"field": "id"})
        found = await incidents.detail(incident_id)
        if found is None:
            raise MethodError("NOT_FOUND", f"no incident {incident_id}", {"field": "id"})
        return {"incident": found}

    async def start() -> None:
        services.supervisor.start("incidents.heartbeat", incidents.heartbeat_loop())

    services.startup.append(start)
    return incidents
