"""Webhook token extraction: header forms, Basic password, query tokens refused."""

from __future__ import annotations

import base64

import pytest

from openclaw.gateway.hooks import has_query_token, presented_tokens


def basic(user: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{user}:{password}".encode())


@pytest.mark.parametrize(
    ("headers", "tokens"),
    [
        ([(b"authorization", b"Bearer abc")], ["abc"]),
        ([(b"Authorization", b"bearer   abc  ")], ["abc"]),
        ([(b"x-openclaw-token", b"t1")], ["t1"]),
        ([(b"authorization", basic("sonarr", "secret:with:colons"))], ["secret:with:colons"]),
        ([(b"authorization", basic("", "pw"))], ["pw"]),
        ([(b"authorization", basic("user-only", ""))], []),
        ([(b"authorization", b"Basic !!!not-base64")], []),
        ([(b"authorization", b"Digest abc")], []),
        ([(b"x-openclaw-token", b"a"), (b"authorization", b"Bearer b")], ["a", "b"]),
        ([], []),
    ],
)
def test_presented_tokens(headers: list[tuple[bytes, bytes]], tokens: list[str]) -> None:
    assert presented_tokens(headers) == tokens


@pytest.mark.parametrize(
    ("query", "refused"),
    [(b"", False), (b"token=x", True), (b"Token=x", True), (b"a=1&hook_token=", True), (b"apikey=k", True), (b"page=2", False)],
)
def test_query_tokens_are_detected(query: bytes, refused: bool) -> None:
    assert has_query_token(query) is refused
