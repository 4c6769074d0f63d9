"""The notice stream: in order, nothing lost, each subscriber awaited, one failure isolated, and
the WebSocket feed one lossy subscriber among them."""

from __future__ import annotations

import asyncio

import pytest

from openclaw.core.notices import Notice, NoticeStream
from openclaw.core.topics import Topic
from openclaw.core.bus import EventBus


def approval(n: int) -> Notice:
    return Notice(Topic.APPROVAL_REQUESTED, {"id": f"act_{n}"})


async def test_every_subscriber_gets_every_notice_in_publish_order_even_when_slow() -> None:
    stream = NoticeStream()
    seen: dict[str, list[str]] = {"slow": [], "quick": []}

    async def slow(notice: Notice) -> None:
        await asyncio.sleep(0.001)
        seen["slow"].append(notice.payload["id"])

    stream.subscribe(slow)
    stream.subscribe(lambda n: seen["quick"].append(n.payload["id"]))
    for i in range(200):  # posted faster than the slow subscriber takes them: none may be lost
        stream.post(approval(i))
    await stream.publish(approval(200))
    expected = [f"act_{i}" for i in range(201)]
    assert seen == {"slow": expected, "quick": expected}


async def test_publish_returns_only_after_every_subscriber_has_finished() -> None:
    stream = NoticeStream()
    finished: list[str] = []

    async def takes_a_while(notice: Notice) -> None:
        await asyncio.sleep(0.01)
        finished.append("a")

    stream.subscribe(takes_a_while)
    stream.subscribe(lambda n: finished.append("b"))
    await stream.publish(approval(1))
    assert finished == ["a", "b"]


async def test_a_failing_subscriber_is_skipped_and_the_next_still_gets_the_notice() -> None:
    stream = NoticeStream()
    got: list[Topic] = []

    def broken(notice: Notice) -> None:
        raise RuntimeError("boom")

    stream.subscribe(broken)
    stream.subscribe(lambda n: got.append(n.topic))
    await stream.publish(approval(1))
    await stream.publish(Notice(Topic.ACTION_COMPLETED, {}))
    assert got == [Topic.APPROVAL_REQUESTED, Topic.ACTION_COMPLETED]
    assert stream.failed == 2


async def test_topics_filter_and_unsubscribe() -> None:
    stream = NoticeStream()
    got: list[Topic] = []
    unsubscribe = stream.subscribe(lambda n: got.append(n.topic), topics=(Topic.INCIDENT_ESCALATED,))
    await stream.publish(approval(1))
    await stream.publish(Notice(Topic.INCIDENT_ESCALATED, {}))
    unsubscribe()
    await stream.publish(Notice(Topic.INCIDENT_ESCALATED, {}))
    assert got == [Topic.INCIDENT_ESCALATED]


async def test_a_subscriber_that_publishes_does_not_wait_for_itself() -> None:
    stream = NoticeStream()
    order: list[str] = []

    async def chain(notice: Notice) -> None:
        order.append(str(notice.topic))
        if notice.topic is Topic.ACTION_DECIDED:
            await asyncio.wait_for(stream.publish(Notice(Topic.ACTION_COMPLETED, {})), 1.0)

    stream.subscribe(chain)
    await stream.publish(Notice(Topic.ACTION_DECIDED, {}))
    await stream.settle()
    assert order == ["action.decided", "action.completed"]


def test_an_unknown_topic_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"notice topic 'aproval\.requested'"):
        Notice("aproval.requested", {})  # type: ignore[arg-type]


async def test_the_websocket_feed_is_lossy_per_connection_and_carries_only_scoped_topics() -> None:
    stream, bus = NoticeStream(), EventBus()
    stream.subscribe(bus.forward)
    complete: list[Notice] = []
    stream.subscribe(complete.append)
    connection = bus.subscribe()
    await stream.publish(Notice(Topic.ALERT_FIRING, {"fingerprint": "f"}))  # in-process only
    for i in range(connection.queue.maxsize + 5):
        stream.post(approval(i))
    await stream.settle()
    assert len(complete) == connection.queue.maxsize + 6  # the in-process subscriber lost nothing
    assert connection.dropped == 5  # the connection kept the newest
    first = connection.queue.get_nowait()
    assert (first.event, first.payload, first.scope) == ("approval.requested", {"id": "act_5"}, "operator.approvals")
