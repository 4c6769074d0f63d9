"""Receivers: every real and synthesized body validates into the right event type; bad shapes name the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest_bodies import ALERT_FIXTURES, DATA, alert, envelope, fixture_alert, fixture_envelope, media_bodies
from openclaw.errors import WebhookError
from openclaw.events.models.alertmanager import AlertmanagerNotification, label_fingerprint
from openclaw.events.models.arr import EVENT_TYPES, ArrEvent
from openclaw.events.models.seerr import NOTIFICATION_TYPES, SeerrNotification
from openclaw.events.receivers import RECEIVERS
from openclaw.events.receivers.base import MAX_REPORTED_PROBLEMS


@pytest.mark.parametrize("path", ALERT_FIXTURES, ids=lambda p: p.stem)
@pytest.mark.parametrize("status", ["firing", "resolved"])
def test_fixture_alerts_in_an_alertmanager_envelope_are_accepted(path: Path, status: str) -> None:
    accepted = RECEIVERS["alertmanager"](fixture_envelope(path, status))
    assert accepted.source == "alertmanager" and accepted.type == status
    assert isinstance(accepted.model, AlertmanagerNotification)
    source = json.loads(path.read_text())
    fingerprint = source.get("fingerprint") or source["raw"]["fingerprint"]
    assert accepted.model.alerts[0].key == fingerprint


@pytest.mark.parametrize(("source", "event_type", "path"), media_bodies(), ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_every_media_body_is_accepted_with_its_event_type(source: str, event_type: str, path: Path) -> None:
    accepted = RECEIVERS[source](json.loads(path.read_text()))
    assert (accepted.source, accepted.type) == (source, event_type)


def test_synthesized_bodies_cover_every_known_event_type() -> None:
    have = {(s, t) for s, t, _ in media_bodies()}
    want = {(app, t) for app, types in EVENT_TYPES.items() for t in types} | {("seerr", t) for t in NOTIFICATION_TYPES}
    assert want - have == set()


def test_unknown_alertmanager_keys_are_ignored_and_truncation_is_accepted() -> None:
    body = envelope([alert({"alertname": "TargetDown", "job": "kubelet"}, fingerprint="f1")], truncated=12)
    body["routeLabels"] = {"team": "ops"}
    body["alerts"][0]["silencedBy"] = []
    note = RECEIVERS["alertmanager"](body).model
    assert isinstance(note, AlertmanagerNotification)
    assert note.truncated_alerts == 12 and note.alerts[0].name == "TargetDown"


def test_an_alert_without_fingerprint_gets_alertmanagers_own_from_its_labels() -> None:
    a = envelope([alert({"alertname": "X", "pod": "p"})])
    b = envelope([alert({"pod": "p", "alertname": "X"})])
    key_a = RECEIVERS["alertmanager"](a).model.alerts[0].key  # type: ignore[attr-defined]
    key_b = RECEIVERS["alertmanager"](b).model.alerts[0].key  # type: ignore[attr-defined]
    assert key_a == key_b and len(key_a) == 16


@pytest.mark.parametrize("name", ["Watchdog", "KubePodCrashLooping", "KubeDeploymentReplicasMismatch"])
def test_label_fingerprint_matches_real_alertmanager_fingerprints(name: str) -> None:
    captured = fixture_alert(DATA / "payloads" / f"holmesgpt-alert-{name}.json")
    assert label_fingerprint(captured["labels"]) == captured["fingerprint"]


@pytest.mark.parametrize(
    ("source", "body", "field"),
    [
        ("alertmanager", {"status": "firing", "alerts": []}, "groupKey"),
        ("alertmanager", {"groupKey": "g", "status": "burning", "alerts": []}, "status"),
        ("alertmanager", {"groupKey": "g", "status": "firing", "alerts": [{"status": "firing"}]}, "alerts[0].labels"),
        ("alertmanager", {"groupKey": "g", "status": "firing", "alerts": [{"status": "nope", "labels": {}}]}, "alerts[0].status"),
        ("alertmanager", {"groupKey": "g", "status": "firing", "alerts": "x"}, "alerts"),
        ("sonarr", {"series": {"id": 1}}, "eventType"),
        ("sonarr", {"eventType": "Grab", "episodes": []}, "series"),
        ("sonarr", {"eventType": "Grab", "series": {"title": "no id"}}, "series.id"),
        ("radarr", {"eventType": "Download", "movie": {"id": "seven"}}, "movie.id"),
        ("radarr", {"eventType": "Health"}, "message"),
        ("lidarr", {"eventType": "Download"}, "artist"),
        ("readarr", {"eventType": "Grab"}, "author"),
        ("seerr", {"subject": "x"}, "notification_type"),
        ("seerr", {"notification_type": "MEDIA_PENDING", "media": {"tmdbId": "abc"}}, "media.tmdbId"),
        ("wake", {"mode": "now"}, "text"),
        ("wake", {"text": "hi", "mode": "later"}, "mode"),
        ("agent", {"message": ""}, "message"),
        ("alertmanager", [1, 2], "$"),
    ],
)
def test_wrong_shape_names_the_field(source: str, body: object, field: str) -> None:
    with pytest.raises(WebhookError) as info:
        RECEIVERS[source](body)
    assert info.value.status == 400
    assert info.value.field == field
    assert str(info.value).startswith(field)


def test_seerr_values_arrive_as_strings_and_become_typed() -> None:
    note = RECEIVERS["seerr"]({"notification_type": "MEDIA_PENDING", "media": {"media_type": "movie", "tmdbId": "603", "tvdbId": ""}, "request": {"request_id": "17"}, "extra": [{"name": "Seasons", "value": "1"}]}).model
    assert isinstance(note, SeerrNotification)
    assert note.media is not None and note.media.tmdb_id == 603 and note.media.tvdb_id is None
    assert note.request is not None and note.request.request_id == 17


def test_a_newer_arr_event_type_is_kept_not_refused() -> None:
    accepted = RECEIVERS["sonarr"]({"eventType": "ImportComplete", "series": {"id": 3}})
    assert accepted.type == "ImportComplete"
    assert isinstance(accepted.model, ArrEvent) and accepted.model.series is not None


def test_download_with_is_upgrade_is_typed() -> None:
    body = json.loads((Path(__file__).resolve().parents[2] / "data/webhooks/sonarr/Download-upgrade.json").read_text())
    event = RECEIVERS["sonarr"](body).model
    assert isinstance(event, ArrEvent) and event.is_upgrade is True and event.download_id


def test_every_problem_is_listed_and_the_first_in_the_document_is_named() -> None:
    body = b'{"version":"4","status":"firing","alerts":[{"labels":"oops"}]}'
    with pytest.raises(WebhookError) as info:
        RECEIVERS["alertmanager"](body)
    # The wrong value comes first; a missing key sits where its object ends, so groupKey comes last.
    assert [(e["field"], e["type"]) for e in info.value.errors] == [("alerts[0].labels", "dict_type"), ("alerts[0].status", "missing"), ("groupKey", "missing")]
    assert info.value.field == "alerts[0].labels" and info.value.error_count == 3
    assert str(info.value).startswith("alerts[0].labels: Input should be an object (and 2 more: alerts[0].status: Field required; groupKey")


def test_document_order_holds_for_a_parsed_body_too() -> None:
    body = {"status": "on-fire", "alerts": [{"status": "firing", "labels": {"a": 1}}], "receiver": 7}
    with pytest.raises(WebhookError) as info:
        RECEIVERS["alertmanager"](body)
    assert [e["field"] for e in info.value.errors] == ["status", "alerts[0].labels.a", "receiver", "groupKey"]


def test_a_list_or_dict_reports_its_first_bad_item_so_the_report_stays_bounded() -> None:
    # 200,000 bad alerts: one error each would be 200,000 errors held before any could be reported.
    alerts = [{"status": "firing", "labels": {"n": i}} for i in range(200_000)]
    with pytest.raises(WebhookError) as info:
        RECEIVERS["alertmanager"](json.dumps({"groupKey": "g", "status": "firing", "alerts": alerts, "commonLabels": {"a": 1, "b": 2}}))
    assert [e["field"] for e in info.value.errors] == ["alerts[0].labels.n", "commonLabels.a"]
    assert info.value.error_count == 2 and len(info.value.errors) <= MAX_REPORTED_PROBLEMS
