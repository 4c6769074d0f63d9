from __future__ import annotations

import pytest

from openclaw.gateway.ws import frames as f


def test_request_frame_parses() -> None:
    req = f.parse_request('{"type":"req","id":"7","method":"status"}')
    assert (req.id, req.method, req.params) == ("7", "status", {})


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("not json", "not JSON"),
        ("[]", "JSON object"),
        ('{"type":"event","id":"1","method":"x"}', "type"),
        ('{"type":"req","method":"x"}', "id"),
        ('{"type":"req","id":"1"}', "method"),
        ('{"type":"req","id":"1","method":"x","params":[1]}', "params"),
    ],
)
def test_bad_frames_name_the_problem(text: str, field: str) -> None:
    with pytest.raises(f.FrameError, match=field):
        f.parse_request(text)


def test_error_body_carries_retry_hint_only_when_given() -> None:
    assert f.error_body("X", "m") == {"code": "X", "message": "m"}
    assert f.error_body("RATE_LIMITED", "m", retry_after_ms=5)["retryAfterMs"] == 5
