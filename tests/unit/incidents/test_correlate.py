"""Alerts -> incidents: de-duplication, joining by cause, resolution, heartbeats."""

from __future__ import annotations

from pathlib import Path

from ingest_bodies import DATA, Pipeline, alert, envelope, fixture_alert, fixture_envelope


def crash(pod: str, *, status: str = "firing", ns: str = "media", fp: str | None = None) -> dict[str, object]:
    return alert({"alertname": "KubePodCrashLooping", "namespace": ns, "pod": pod, "severity": "warning"}, status=status, fingerprint=fp or f"fp-{pod}")


def topics(p: Pipeline) -> list[str]:
    return [n.topic for n in p.notices if n.topic.startswith("incident.")]


async def test_a_firing_alert_opens_one_incident_and_repeats_change_nothing(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        for _ in range(3):  # AlertManager's repeat_interval re-sends
            await p.post("alertmanager", envelope([crash("sonarr-5c9d7b8f6d-kq2vx")]))
        await p.settle()
        found = await p.incidents.list()
        assert len(found) == 1 and found[0].status == "firing"
        assert found[0].title == "KubePodCrashLooping: media/sonarr"
        detail = await p.incidents.get(found[0].id)
        assert detail is not None and detail.alerts[0].notifications == 3
        assert topics(p) == ["incident.opened"]


async def test_alerts_with_one_cause_in_different_groups_join_one_incident(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        await p.post("alertmanager", fixture_envelope(DATA / "payloads/holmesgpt-alert-KubeDeploymentReplicasMismatch.json"))
        await p.post("alertmanager", fixture_envelope(DATA / "payloads/holmesgpt-alert-KubePodNotReady.json"))
        await p.post("alertmanager", fixture_envelope(DATA / "payloads/holmesgpt-alert-KubePodCrashLooping.json"))
        await p.settle()
        found = sorted(await p.incidents.list(), key=lambda i: i.opened_at)
        assert [i.alert_count for i in found] == [2, 1]
        assert found[0].title == "KubeDeploymentReplicasMismatch: default/user-profile-resources"
        assert "workload:default/user-profile-resources" in found[0].causes
        assert topics(p) == ["incident.opened", "incident.updated", "incident.opened"]


async def test_one_group_is_one_incident_and_resolves_part_by_part(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        group = "{}:{alertname=\"KubeJobFailed\"}"
        jobs = [alert({"alertname": "KubeJobFailed", "namespace": "media", "job_name": f"job-{i}"}, fingerprint=f"job{i}") for i in range(3)]
        await p.post("alertmanager", envelope(jobs, group_key=group))
        await p.settle()
        [incident] = await p.incidents.list()
        assert incident.firing_count == 3
        jobs[0]["status"] = "resolved"
        await p.post("alertmanager", envelope(jobs, group_key=group))
        await p.settle()
        assert (await p.incidents.get(incident.id)).firing_count == 2  # type: ignore[union-attr]
        for j in jobs:
            j["status"] = "resolved"
        await p.post("alertmanager", envelope(jobs, group_key=group))
        await p.settle()
        done = await p.incidents.get(incident.id)
        assert done is not None and done.status == "resolved" and done.resolved_at is not None
        assert topics(p) == ["incident.opened", "incident.updated", "incident.resolved"]


async def test_an_alert_firing_again_after_resolution_opens_a_new_incident(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        pod = "radarr-6b7c9d8f5c-z8x7w"
        await p.post("alertmanager", envelope([crash(pod)]))
        await p.post("alertmanager", envelope([crash(pod, status="resolved")]))
        await p.post("alertmanager", envelope([crash(pod, status="resolved")]))  # duplicate resolve
        await p.post("alertmanager", envelope([crash(pod)]))
        await p.settle()
        found = sorted(await p.incidents.list(), key=lambda i: i.opened_at)
        assert [i.status for i in found] == ["resolved", "firing"]


async def test_a_resolve_for_an_unknown_alert_opens_nothing(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        await p.post("alertmanager", envelope([crash("x-5c9d7b8f6d-kq2vx", status="resolved")]))
        await p.settle()
        assert await p.incidents.list() == []


async def test_alerts_on_one_node_join(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        await p.post("alertmanager", envelope([alert({"alertname": "KubeNodeNotReady", "node": "worker-2"}, fingerprint="n1")]))
        await p.post("alertmanager", envelope([alert({"alertname": "NodeFilesystemAlmostOutOfSpace", "job": "node-exporter", "instance": "worker-2:9100"}, fingerprint="n2")]))
        await p.settle()
        [incident] = await p.incidents.list()
        assert incident.alert_count == 2 and "node:worker-2" in incident.causes


async def test_severity_rises_to_the_worst_alert(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        group = "g-sev"
        await p.post("alertmanager", envelope([alert({"alertname": "A", "severity": "warning"}, fingerprint="a")], group_key=group))
        await p.post("alertmanager", envelope([alert({"alertname": "B", "severity": "critical"}, fingerprint="b")], group_key=group))
        await p.settle()
        [incident] = await p.incidents.list()
        assert incident.severity == "critical"


async def test_watchdog_is_recorded_but_never_an_incident(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        for _ in range(2):
            await p.post("alertmanager", fixture_envelope(DATA / "payloads/holmesgpt-alert-Watchdog.json"))
        await p.post("alertmanager", envelope([alert({"alertname": "InfoInhibitor", "severity": "none"}, fingerprint="ii")]))
        await p.settle()
        assert await p.incidents.list() == []
        beats = await p.db.run(lambda conn: dict(conn.execute("SELECT name, notifications FROM heartbeats").fetchall()))
        assert beats == {"Watchdog": 2, "InfoInhibitor": 1}


async def test_a_silent_watchdog_opens_an_incident_that_its_return_resolves(tmp_path: Path) -> None:
    clock = [1_000_000.0]
    async with Pipeline(tmp_path / "e.db", clock=lambda: clock[0]) as p:
        watchdog = fixture_envelope(DATA / "payloads/holmesgpt-alert-Watchdog.json")
        await p.post("alertmanager", watchdog)
        await p.settle()
        clock[0] += 9 * 60
        assert await p.incidents.check_heartbeats() == []
        clock[0] += 2 * 60
        opened = await p.incidents.check_heartbeats()
        assert [n.topic for n in opened] == ["incident.opened"]
        assert opened[0].payload["kind"] == "heartbeat" and "Watchdog" in opened[0].payload["title"]
        assert await p.incidents.check_heartbeats() == []  # one incident, not one per check
        await p.post("alertmanager", watchdog)
        await p.settle()
        [incident] = await p.incidents.list()
        assert incident.status == "resolved"


async def test_the_silence_limit_follows_a_homelab_clock_slower_than_wall_time(tmp_path: Path) -> None:
    """Under a sandbox at 0.1x, Watchdog every 5 simulated minutes is 50 wall minutes apart: not a silence."""
    from openclaw.sandbox.simclock import SimClock

    clock = [1_000_000.0]
    async with Pipeline(tmp_path / "e.db", clock=lambda: clock[0]) as p:
        p.incidents.waits = SimClock(0.1)
        assert p.incidents.heartbeat_limit_s() == 6000.0
        await p.post("alertmanager", fixture_envelope(DATA / "payloads/holmesgpt-alert-Watchdog.json"))
        await p.settle()
        clock[0] += 50 * 60
        assert await p.incidents.check_heartbeats() == []
        clock[0] += 60 * 60  # 11 simulated minutes: the pipeline is down
        assert [n.topic for n in await p.incidents.check_heartbeats()] == ["incident.opened"]
        p.incidents.waits = SimClock(600.0)  # a faster clock never shortens the limit below 10 wall minutes
        assert p.incidents.heartbeat_limit_s() == 600.0


async def test_a_resolved_info_inhibitor_stops_being_expected(tmp_path: Path) -> None:
    clock = [1_000_000.0]
    async with Pipeline(tmp_path / "e.db", clock=lambda: clock[0]) as p:
        labels = {"alertname": "InfoInhibitor", "severity": "none"}
        await p.post("alertmanager", envelope([alert(labels, fingerprint="ii")]))
        await p.post("alertmanager", envelope([alert(labels, fingerprint="ii", status="resolved")]))
        await p.settle()
        clock[0] += 3600
        assert await p.incidents.check_heartbeats() == []


async def test_fixture_alert_labels_reach_the_incident(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        await p.post("alertmanager", fixture_envelope(DATA / "payloads/holmesgpt-alert-KubePodCrashLooping.json"))
        await p.settle()
        [summary] = await p.incidents.list()
        incident = await p.incidents.get(summary.id)
        assert incident is not None
        source = fixture_alert(DATA / "payloads/holmesgpt-alert-KubePodCrashLooping.json")
        assert incident.alerts[0].fingerprint == source["fingerprint"]
        assert incident.alerts[0].labels == source["labels"]
        assert incident.alerts[0].annotations["summary"] == "Pod is crash looping."


def node_down(status: str = "firing") -> dict[str, object]:
    return alert({"alertname": "KubeNodeNotReady", "node": "homelab-w1", "severity": "warning"}, status=status, fingerprint="fp-node")


async def test_a_held_incident_outlives_its_silenced_alert_until_released(tmp_path: Path) -> None:
    """The cordon silences KubeNodeNotReady while the node is still down: the incident stays open."""
    async with Pipeline(tmp_path / "e.db") as p:
        await p.post("alertmanager", envelope([node_down()]))
        await p.settle()
        [incident] = await p.incidents.list()
        await p.incidents.hold(incident.id, "node homelab-w1 is NotReady")
        await p.post("alertmanager", envelope([node_down("resolved")]))
        await p.settle()
        held = await p.incidents.get(incident.id)
        assert held is not None and held.status == "firing" and held.firing_count == 0
        # a pod alert on the same node still joins the open incident
        await p.post("alertmanager", envelope([alert({"alertname": "KubePodNotReady", "namespace": "media", "node": "homelab-w1", "pod": "sonarr-0"}, fingerprint="fp-pod")]))
        await p.settle()
        assert [i.id for i in await p.incidents.list()] == [incident.id]
        assert await p.incidents.release(incident.id) is False, "an alert of it still fires"
        await p.post("alertmanager", envelope([alert({"alertname": "KubePodNotReady", "namespace": "media", "node": "homelab-w1", "pod": "sonarr-0"}, status="resolved", fingerprint="fp-pod")]))
        await p.settle()
        done = await p.incidents.get(incident.id)
        assert done is not None and done.status == "resolved"
        assert topics(p)[-1] == "incident.resolved"


async def test_releasing_the_hold_resolves_an_incident_with_nothing_firing(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "e.db") as p:
        await p.post("alertmanager", envelope([node_down()]))
        await p.settle()
        [incident] = await p.incidents.list()
        await p.incidents.hold(incident.id, "node down")
        await p.post("alertmanager", envelope([node_down("resolved")]))
        await p.settle()
        p.notices.clear()
        assert await p.incidents.release(incident.id) is True
        done = await p.incidents.get(incident.id)
        assert done is not None and done.status == "resolved" and [n.topic for n in p.notices] == ["incident.resolved"]
