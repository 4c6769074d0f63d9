"""The runbooks capability: runs a runbook for each firing alert the incidents capability reports,
and the media ladder for each stuck media item the media capability reports.

Others reach it as `runbooks_of(services)`; the agent subscribes to what runbooks cannot settle:

    runbooks_of(services).escalations.subscribe(handler)   # async (alert, report) -> bool (taken)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openclaw.core.slots import Slot
from openclaw.core.notices import Notice
from openclaw.core.topics import Topic
from openclaw.core.methods import READ, MethodCall, MethodError
from openclaw.policy.capability import policy_of
from openclaw.runbooks.catalog import builtin
from openclaw.runbooks.escalation import Escalations
from openclaw.ops.clock import CLOCK, OfferedClock
from openclaw.runbooks.memory import FixMemory
from openclaw.runbooks.models import AlertContext
from openclaw.runbooks.runner import Runner
from openclaw.runbooks.media_ladder import MediaLadder
from openclaw.media.capability import MEDIA
from openclaw.media.tracker import Tracked

if TYPE_CHECKING:
    from openclaw.core.services import Services

ALERT_TOPICS = (Topic.ALERT_FIRING, Topic.ALERT_RESOLVED)


RUNBOOKS: Slot[Runner] = Slot("runbooks", "the runbook runner is not running")


def runbooks_of(services: Services) -> Runner:
    return services.get(RUNBOOKS)


def install(services: Services) -> Runner:
    from openclaw.incidents import incidents_of

    def publish(event: str, payload: dict[str, Any]) -> None:
        services.notices.post(Notice(Topic(event), payload))

    incidents = incidents_of(services)
    escalations = Escalations(incidents, publish)
    engine = policy_of(services)
    memory = FixMemory(engine.audit, incidents, engine.now, lambda: services.config.settings.ops)
    runner = Runner(builtin(), engine, escalations, memory, incidents, publish, clock=OfferedClock(lambda: services.find(CLOCK)))
    services.put(RUNBOOKS, runner)
    media = services.find(MEDIA)
    if media is not None:
        ladder = MediaLadder(media, engine, incidents, escalations, lambda: services.config.settings)

        async def stuck(item: Tracked) -> None:
            await ladder.on_stuck(item)

        media.on_stuck(stuck)
        media.on_settled(ladder.on_settled)
        media.fixer = ladder.fix

    def on_alert(notice: Notice) -> None:
        runner.enabled = services.config.settings.ops.runbooks_enabled
        runner.dispatch(AlertContext.from_notice(notice.payload))

    incidents_of(services).subscribe(on_alert, topics=ALERT_TOPICS)

    @services.methods.method("runbooks.list", READ)
    async def runbooks_list(call: MethodCall) -> dict[str, Any]:
        return {
            "runbooks": [
                {"id": r.id, "alertnames": list(r.trigger.alertnames), "matchers": r.trigger.matchers, "description": r.description, "acts": r.acts}
                for r in runner.registry.all()
            ]
        }

    @services.methods.method("escalations.list", READ)
    async def escalations_list(call: MethodCall) -> dict[str, Any]:
        incident = call.params.get("incident")
        if incident is not None and not isinstance(incident, str):
            raise MethodError("INVALID_REQUEST", "incident: expected an incident id", {"field": "incident"})
        return {"escalations": await escalations.list(incident=incident)}

    async def stop() -> None:
        await runner.stop()
        await runner.idle()

    services.shutdown.append(stop)
    return runner
