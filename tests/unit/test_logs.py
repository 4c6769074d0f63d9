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
