"""Webhook ingress over real HTTP against an embedded gateway on a loopback ephemeral port."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from ingest_bodies import ALERT_FIXTURES, DATA, envelope, alert, fixture_envelope, media_bodies
from openclaw.config import store as config_store
from openclaw.events import events_of
from openclaw.gateway.embedded import EmbeddedGateway, run_embedded

pytestmark = pytest.mark.e2e

TOKEN = "hook-secret-0123456789abcdef"
GOOD = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def gw(state_dir: Path) -> AsyncIterator[EmbeddedGateway]:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    config_store.set_value(state_dir, "hooks.maxBodyBytes", 4096)
    config_store.set_value(state_dir, "hooks.maxBodyBytesByHook.alertmanager", 4096)
    config_store.set_value(
        state_dir,
        "hooks.mappings",
        [{"id": "github", "match": {"path": "github"}, "name": "GitHub", "messageTemplate": "push to {{repository.full_name}} by {{pusher.name}}"}],
    )
    async with run_embedded(state_dir) as handle:
        yield handle


@pytest.fixture
async def http(gw: EmbeddedGateway) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gw.http_url, timeout=10) as client:
        yield client


async def stored(gw: EmbeddedGateway, event_id: str) -> tuple[str, str, object]:
    event = await events_of(gw.services).get(event_id)
    assert event is not None, f"event {event_id} not stored"
    return event.source, event.type, event.data()


async def event_count(gw: EmbeddedGateway) -> int:
    return await events_of(gw.services).store.count()


# --- every body is accepted and stored with the right type ---


@pytest.mark.parametrize("path", ALERT_FIXTURES, ids=lambda p: p.stem)
async def test_every_fixture_alert_is_accepted_and_stored(gw: EmbeddedGateway, http: httpx.AsyncClient, path: Path) -> None:
    for status in ("firing", "resolved"):
        body = fixture_envelope(path, status)
        r = await http.post("/hooks/alertmanager", json=body, headers=GOOD)
        assert r.status_code == 202, r.text
        assert r.json()["ok"] is True
        assert await stored(gw, r.json()["id"]) == ("alertmanager", status, body)


async def test_every_media_body_is_accepted_and_stored_with_its_type(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    cases = media_bodies()
    assert len(cases) >= 60
    for source, event_type, path in cases:
        r = await http.post(f"/hooks/{source}", content=path.read_bytes(), headers={**GOOD, "Content-Type": "application/json"})
        assert r.status_code == 202, (path, r.text)
        assert r.json()["type"] == event_type
        got = await stored(gw, r.json()["id"])
        assert got == (source, event_type, json.loads(path.read_text())), path


async def test_wake_agent_and_mapped_hooks_are_stored(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    r = await http.post("/hooks/wake", json={"text": "check the media queue", "mode": "next-heartbeat"}, headers=GOOD)
    assert r.status_code == 202 and (await stored(gw, r.json()["id"]))[:2] == ("wake", "next-heartbeat")
    r = await http.post("/hooks/agent", json={"message": "summarize last night's alerts", "name": "cron"}, headers=GOOD)
    assert r.status_code == 202 and (await stored(gw, r.json()["id"]))[:2] == ("agent", "message")
    r = await http.post("/hooks/github", json={"repository": {"full_name": "me/homelab"}, "pusher": {"name": "sam"}}, headers=GOOD)
    assert r.status_code == 202, r.text
    source, type_, data = await stored(gw, r.json()["id"])
    assert (source, type_) == ("hook:github", "agent")
    assert isinstance(data, dict) and data["message"] == "push to me/homelab by sam" and data["payload"]["pusher"]["name"] == "sam"


async def test_the_arr_test_button_gets_a_2xx_with_every_auth_form(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    body = (DATA / "webhooks/sonarr/Test.json").read_bytes()
    basic = "Basic " + base64.b64encode(f"sonarr:{TOKEN}".encode()).decode()
    for headers in ({"Authorization": basic}, {"x-openclaw-token": TOKEN}, GOOD):
        r = await http.post("/hooks/sonarr", content=body, headers={**headers, "Content-Type": "application/json"})
        assert r.status_code == 202, r.text


# --- bad input: each refused, nothing stored, the next good request still works ---


async def assert_refused_then_recovers(gw: EmbeddedGateway, http: httpx.AsyncClient, response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == code and body["error"]["message"]
    assert await event_count(gw) == 0
    good = await http.post("/hooks/wake", json={"text": "still alive"}, headers=GOOD)
    assert good.status_code == 202
    assert await event_count(gw) == 1
    return body["error"]  # type: ignore[no-any-return]


async def test_no_token_is_401(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    r = await http.post("/hooks/alertmanager", json=fixture_envelope(ALERT_FIXTURES[0]))
    await assert_refused_then_recovers(gw, http, r, 401, "UNAUTHORIZED")
    assert "Bearer" in r.headers["www-authenticate"]


async def test_wrong_token_is_401(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    r = await http.post("/hooks/alertmanager", json=fixture_envelope(ALERT_FIXTURES[0]), headers={"Authorization": "Bearer nope-" + TOKEN})
    await assert_refused_then_recovers(gw, http, r, 401, "UNAUTHORIZED")


async def test_wrong_basic_password_is_401(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    basic = "Basic " + base64.b64encode(f"{TOKEN}:wrong".encode()).decode()  # the token as user name is not enough
    r = await http.post("/hooks/sonarr", json={"eventType": "Test"}, headers={"Authorization": basic})
    await assert_refused_then_recovers(gw, http, r, 401, "UNAUTHORIZED")


async def test_gateway_token_is_not_a_hook_token(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    r = await http.post("/hooks/wake", json={"text": "x"}, headers={"Authorization": f"Bearer {gw.token}"})
    await assert_refused_then_recovers(gw, http, r, 401, "UNAUTHORIZED")


async def test_query_string_token_is_401_even_when_correct(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    r = await http.post(f"/hooks/alertmanager?token={TOKEN}", json=fixture_envelope(ALERT_FIXTURES[0]))
    error = await assert_refused_then_recovers(gw, http, r, 401, "UNAUTHORIZED")
    assert "query" in str(error["message"])
    r = await http.post(f"/hooks/wake?token={TOKEN}", json={"text": "x"}, headers=GOOD)  # refused even alongside a good header
    assert r.status_code == 401


async def test_body_over_the_limit_is_413(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    big = envelope([alert({"alertname": "Big", "blob": "x" * 5000}, fingerprint="big")])
    r = await http.post("/hooks/alertmanager", json=big, headers=GOOD)
    error = await assert_refused_then_recovers(gw, http, r, 413, "PAYLOAD_TOO_LARGE")
    assert error["details"] == {"limit": 4096, "setting": "hooks.maxBodyBytesByHook.alertmanager"}
    assert "openclaw config set hooks.maxBodyBytesByHook.alertmanager" in str(error["message"]) and "max_alerts" in str(error["message"])


async def test_streamed_body_over_the_limit_is_413_without_content_length(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}'

    r = await http.post("/hooks/wake", content=chunks(), headers={**GOOD, "Content-Type": "application/json"})
    assert "content-length" not in r.request.headers
    error = await assert_refused_then_recovers(gw, http, r, 413, "PAYLOAD_TOO_LARGE")
    assert error["details"] == {"limit": 4096, "setting": "hooks.maxBodyBytes"} and "max_alerts" not in str(error["message"])


async def test_not_json_is_400(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    r = await http.post("/hooks/alertmanager", content=b"status=firing&alerts=", headers={**GOOD, "Content-Type": "application/x-www-form-urlencoded"})
    error = await assert_refused_then_recovers(gw, http, r, 400, "INVALID_REQUEST")
    assert error["details"]["field"] == "$"


async def test_wrong_shape_is_400_naming_the_field(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    body = fixture_envelope(ALERT_FIXTURES[0])
    body["alerts"][0]["status"] = "on-fire"
    r = await http.post("/hooks/alertmanager", json=body, headers=GOOD)
    error = await assert_refused_then_recovers(gw, http, r, 400, "INVALID_REQUEST")
    assert error["details"] == {"field": "alerts[0].status", "errors": [{"field": "alerts[0].status", "message": error["details"]["errors"][0]["message"], "type": "literal_error"}], "errorCount": 1}
    assert str(error["message"]).startswith("alerts[0].status")


async def test_a_400_lists_every_problem_first_in_document_order(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    body = b'{"version":"4","status":"firing","alerts":[{"labels":"oops"}]}'
    r = await http.post("/hooks/alertmanager", content=body, headers={**GOOD, "Content-Type": "application/json"})
    error = await assert_refused_then_recovers(gw, http, r, 400, "INVALID_REQUEST")
    details = error["details"]
    assert isinstance(details, dict) and details["field"] == "alerts[0].labels" and details["errorCount"] == 3
    assert [(e["field"], e["message"]) for e in details["errors"]] == [
        ("alerts[0].labels", "Input should be an object"),
        ("alerts[0].status", "Field required"),
        ("groupKey", "Field required"),
    ]


async def test_arr_event_missing_its_subject_is_400_naming_it(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    r = await http.post("/hooks/radarr", json={"eventType": "Download", "downloadId": "x"}, headers=GOOD)
    error = await assert_refused_then_recovers(gw, http, r, 400, "INVALID_REQUEST")
    assert error["details"] == {"field": "movie", "errors": [{"field": "movie", "message": "required for a radarr Download event"}], "errorCount": 1}


async def test_unknown_hook_name_is_a_json_404(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    r = await http.post("/hooks/jenkins", json={"x": 1}, headers=GOOD)
    await assert_refused_then_recovers(gw, http, r, 404, "NOT_FOUND")


async def test_get_on_a_hook_is_405(http: httpx.AsyncClient) -> None:
    r = await http.get("/hooks/alertmanager", headers=GOOD)
    assert r.status_code == 405
    assert r.headers["allow"] == "POST" and r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


async def test_the_prefix_alone_is_a_json_404_naming_the_form(http: httpx.AsyncClient) -> None:
    for path in ("/hooks", "/hooks/", "/hooks//"):
        r = await http.post(path, json={}, headers=GOOD)
        assert r.status_code == 404, path
        assert "/hooks/<name>" in r.json()["error"]["message"]
    assert (await http.post("/hooksx/alertmanager", json={}, headers=GOOD)).status_code == 404  # not under the prefix


async def test_webhooks_follow_hooks_path_and_a_change_applies_live(state_dir: Path) -> None:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    config_store.set_value(state_dir, "hooks.path", "/api/hooks/")
    body = fixture_envelope(ALERT_FIXTURES[0])
    async with run_embedded(state_dir) as handle, httpx.AsyncClient(base_url=handle.http_url) as client:
        r = await client.post("/api/hooks/alertmanager", json=body, headers=GOOD)
        assert r.status_code == 202, r.text
        assert (await stored(handle, r.json()["id"]))[0] == "alertmanager"
        old = await client.post("/hooks/alertmanager", json=body, headers=GOOD)
        assert old.status_code == 404 and old.headers["content-type"].startswith("application/json")
        assert (await client.get("/api/hooks/alertmanager")).status_code == 405
        assert await event_count(handle) == 1

        config_store.set_value(state_dir, "hooks.path", "/webhooks")
        handle.services.config.refresh()  # what the file watcher does within half a second
        r = await client.post("/webhooks/alertmanager", json=body, headers=GOOD)
        assert r.status_code == 202, r.text
        assert (await client.post("/api/hooks/alertmanager", json=body, headers=GOOD)).status_code == 404
        assert await event_count(handle) == 2


# --- from webhook to incident, over the WebSocket ---


async def test_alerts_become_incidents_seen_over_the_websocket(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    async with gw.client() as ws:
        r = await http.post("/hooks/alertmanager", json=fixture_envelope(DATA / "payloads/holmesgpt-alert-KubeDeploymentReplicasMismatch.json"), headers=GOOD)
        assert r.status_code == 202
        opened = await ws.next_event("incident.opened")
        assert opened["payload"]["title"] == "KubeDeploymentReplicasMismatch: default/user-profile-resources"
        listed = await ws.call("incidents.list", {"status": "firing"})
        assert [i["id"] for i in listed["incidents"]] == [opened["payload"]["id"]]
        got = await ws.call("incidents.get", {"id": opened["payload"]["id"]})
        assert got["incident"]["alerts"][0]["labels"]["deployment"] == "user-profile-resources"

        r = await http.post("/hooks/alertmanager", json=fixture_envelope(DATA / "payloads/holmesgpt-alert-KubeDeploymentReplicasMismatch.json", "resolved"), headers=GOOD)
        resolved = await ws.next_event("incident.resolved")
        assert resolved["payload"]["id"] == opened["payload"]["id"] and resolved["payload"]["status"] == "resolved"
        assert (await ws.call("incidents.list", {"status": "firing"}))["incidents"] == []


async def test_incident_methods_refuse_bad_params(gw: EmbeddedGateway) -> None:
    from openclaw.gateway.client import GatewayError

    async with gw.client() as ws:
        with pytest.raises(GatewayError) as info:
            await ws.call("incidents.list", {"status": "open"})
        assert info.value.details == {"field": "status"}
        with pytest.raises(GatewayError) as info:
            await ws.call("incidents.get", {"id": "inc-999"})
        assert info.value.code == "NOT_FOUND"


async def test_without_a_hook_token_configured_every_hook_is_closed(state_dir: Path) -> None:
    async with run_embedded(state_dir) as handle, httpx.AsyncClient(base_url=handle.http_url) as client:
        for headers in ({}, {"x-openclaw-token": "anything"}, {"Authorization": f"Bearer {handle.token}"}):
            r = await client.post("/hooks/wake", json={"text": "x"}, headers=headers)
            assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
        assert "hooks.token" in r.json()["error"]["message"]
        assert await event_count(handle) == 0


async def test_media_timeline_and_recent_events_over_the_websocket(gw: EmbeddedGateway, http: httpx.AsyncClient) -> None:
    for name in ("Grab", "Download"):
        r = await http.post("/hooks/radarr", content=(DATA / f"webhooks/radarr/{name}.json").read_bytes(), headers={**GOOD, "Content-Type": "application/json"})
        assert r.status_code == 202
    await events_of(gw.services).processor.drain()
    async with gw.client() as ws:
        by_download = await ws.call("media.timeline", {"downloadId": "SABnzbd_nzo_p9k2tq"})
        assert [e["type"] for e in by_download["events"]] == ["Grab", "Download"]
        by_key = await ws.call("media.timeline", {"key": "movie:tmdb:603"})
        assert by_key["events"] == by_download["events"]
        recent = await ws.call("events.recent", {"source": "radarr", "limit": 5})
        assert [e["type"] for e in recent["events"]] == ["Download", "Grab"]
        assert all(e["processedAt"] for e in recent["events"])


async def test_disabled_hooks_answer_a_json_404_and_store_nothing(state_dir: Path) -> None:
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    config_store.set_value(state_dir, "hooks.enabled", False)
    async with run_embedded(state_dir) as handle, httpx.AsyncClient(base_url=handle.http_url) as client:
        r = await client.post("/hooks/alertmanager", json=fixture_envelope(ALERT_FIXTURES[0]), headers=GOOD)
        assert r.status_code == 404 and "hooks.enabled" in r.json()["error"]["message"]
        assert await event_count(handle) == 0


async def test_repeated_bad_tokens_lock_out_that_client_only(state_dir: Path) -> None:
    """Failed webhook tokens count per client IP like WebSocket connects: after
    gateway.auth.rateLimit.maxAttempts failures the client gets 429 with a retry time, even with the
    right token; another client keeps working. Clients are told apart through a trusted proxy."""
    config_store.set_value(state_dir, "hooks.token", TOKEN)
    config_store.set_value(state_dir, "gateway.trustedProxies", ["127.0.0.1"])
    config_store.set_value(state_dir, "gateway.auth.rateLimit", {"maxAttempts": 3, "windowMs": 60000, "lockoutMs": 60000})
    async with run_embedded(state_dir) as gw:
        attacker = {"X-Forwarded-For": "10.0.0.66"}
        sender = {"X-Forwarded-For": "10.0.0.9"}
        body = envelope([alert({"alertname": "KubePodCrashLooping", "namespace": "media", "pod": "sonarr-1"})])
        async with httpx.AsyncClient(base_url=gw.http_url) as http:
            codes = [(await http.post("/hooks/alertmanager", json=body, headers={**attacker, "Authorization": "Bearer wrong"})).status_code for _ in range(3)]
            assert codes == [401, 401, 401]
            locked = await http.post("/hooks/alertmanager", json=body, headers={**attacker, **GOOD})
            assert locked.status_code == 429
            assert int(locked.headers["Retry-After"]) >= 1
            assert locked.json()["error"]["retryAfterMs"] > 0
            ok = await http.post("/hooks/alertmanager", json=body, headers={**sender, **GOOD})
            assert ok.status_code == 202
        assert await event_count(gw) == 1
