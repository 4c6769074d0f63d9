"""The redaction filter masks secrets in a record's arguments whatever shape they take."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from openclaw.logs import RedactingFilter, RingBuffer

SECRET = "s3cr3t-value-123"


@pytest.fixture
def ring() -> Iterator[RingBuffer]:
    log = logging.getLogger("openclaw-test.logs")
    log.setLevel(logging.INFO)
    log.propagate = False
    redactor = RedactingFilter()
    redactor.secrets = (SECRET,)
    handler = RingBuffer(size=10)
    handler.addFilter(redactor)
    log.addHandler(handler)
    yield handler
    log.removeHandler(handler)


def test_positional_arguments_are_redacted(ring: RingBuffer) -> None:
    logging.getLogger("openclaw-test.logs").info("login with %s after %d tries", SECRET, 3)
    [entry] = ring.tail()
    assert entry["msg"] == "login with s3cr… after 3 tries"


def test_a_mapping_argument_stays_a_mapping_and_is_redacted(ring: RingBuffer) -> None:
    logging.getLogger("openclaw-test.logs").info("key %(key)s for %(user)s", {"key": SECRET, "user": "ops"})
    [entry] = ring.tail()
    assert entry["msg"] == "key s3cr… for ops"


def test_nested_extras_and_a_traceback_are_redacted(ring: RingBuffer) -> None:
    import io
    import json

    from openclaw.logs import JsonFormatter, RedactingFilter

    stream = io.StringIO()
    printed = logging.StreamHandler(stream)
    printed.setFormatter(JsonFormatter())
    redactor = RedactingFilter()
    redactor.secrets = (SECRET,)
    printed.addFilter(redactor)
    log = logging.getLogger("openclaw-test.logs")
    log.addHandler(printed)
    try:
        try:
            raise ValueError(f"refused key {SECRET}")
        except ValueError:
            log.exception("call.failed", extra={"request": {"headers": [f"Bearer {SECRET}"]}, "tried": (SECRET,)})
    finally:
        log.removeHandler(printed)
    [entry] = ring.tail()
    line = json.loads(stream.getvalue())
    assert "ValueError: refused key s3cr…" in line["exc"]
    assert line["request"] == {"headers": ["Bearer s3cr…"]}
    assert SECRET not in stream.getvalue() and SECRET not in json.dumps(entry)


def test_a_secret_containing_another_is_masked_whole_and_short_ones_are_left_alone() -> None:
    redactor = RedactingFilter()
    redactor.secrets = ("abcdef", "xyz", "abcdef-long-secret")
    record = logging.LogRecord("openclaw.t", logging.INFO, __file__, 1, "saw abcdef-long-secret and xyz and abcdef", None, None)
    redactor.filter(record)
    assert record.getMessage() == "saw abcd… and xyz and abcd…"
