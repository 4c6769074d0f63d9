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
