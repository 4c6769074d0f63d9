"""hooks.mappings: matching and `{{ }}` templates."""

from __future__ import annotations

import datetime as dt

import pytest

from openclaw.config.schema import HookMapping
from openclaw.errors import WebhookError
from openclaw.events.models.direct import MappedHook
from openclaw.events.receivers.mappings import HookRequest, find_mapping, receive_mapped, render

PAYLOAD = {"repo": {"name": "homelab"}, "commits": [{"id": "abc", "n": 3}], "ok": True, "obj": {"a": 1}, "source": "ci"}
REQ = HookRequest(path="github", payload=PAYLOAD, headers={"x-event": "push"}, query={"ref": "main"})


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{payload.repo.name}}", "homelab"),
        ("{{ repo.name }}", "homelab"),
        ("{{payload.commits[0].id}} x{{commits[0].n}}", "abc x3"),
        ("{{ok}}", "true"),
        ("{{obj}}", '{"a":1}'),
        ("[{{payload.missing.deep}}]", "[]"),
        ("{{commits[5].id}}", ""),
        ("{{headers.X-Event}}/{{query.ref}}/{{path}}", "push/main/github"),
    ],
)
def test_templates_render_paths_headers_and_query(template: str, expected: str) -> None:
    assert render(template, REQ) == expected


def test_now_renders_an_iso_time() -> None:
    now = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.timezone.utc)
    assert render("at {{now}}", REQ, now) == "at 2026-11-24T03:00:00Z"


def test_first_matching_mapping_wins_and_source_must_match() -> None:
    mappings = [
        HookMapping.model_validate({"id": "other", "match": {"path": "github", "source": "gitlab"}, "messageTemplate": "x"}),
        HookMapping.model_validate({"id": "gh", "match": {"path": "/github/"}, "messageTemplate": "push to {{repo.name}}"}),
        HookMapping.model_validate({"id": "late", "match": {"path": "github"}, "messageTemplate": "y"}),
    ]
    found = find_mapping(mappings, "github", PAYLOAD)
    assert found is not None and found.id == "gh"
    assert find_mapping(mappings, "gitea", PAYLOAD) is None


def test_mapped_request_becomes_an_event_with_the_rendered_message() -> None:
    mapping = HookMapping.model_validate({"id": "gh", "match": {"path": "github"}, "name": "GitHub {{repo.name}}", "sessionKey": "hook:gh:{{commits[0].id}}", "messageTemplate": "{{commits[0].n}} commits to {{repo.name}}"})
    accepted = receive_mapped(mapping, REQ)
    assert accepted.source == "hook:gh" and accepted.type == "agent"
    assert isinstance(accepted.model, MappedHook)
    assert accepted.model.message == "3 commits to homelab"
    assert accepted.model.name == "GitHub homelab" and accepted.model.session_key == "hook:gh:abc"


def test_agent_mapping_without_message_template_is_a_400_naming_it() -> None:
    mapping = HookMapping.model_validate({"match": {"path": "github"}, "action": "agent"})
    with pytest.raises(WebhookError) as info:
        receive_mapped(mapping, REQ)
    assert info.value.status == 400 and info.value.field == "messageTemplate"


def test_a_template_that_renders_empty_is_refused() -> None:
    mapping = HookMapping.model_validate({"match": {"path": "github"}, "action": "wake", "textTemplate": "{{nothing}}"})
    with pytest.raises(WebhookError) as info:
        receive_mapped(mapping, REQ)
    assert info.value.field == "textTemplate"
