"""Which pairing requests are approved without an operator."""

from __future__ import annotations

import pytest

from openclaw.gateway.pairing_policy import PairingAsk, approves_at_once

POLICY = ["operator.read", "operator.write"]


@pytest.mark.parametrize(
    ("ask", "expected"),
    [
        (PairingAsk("not-paired", ["operator.read"], is_local=True, is_browser=False, is_own_cli=False), True),
        (PairingAsk("not-paired", [], is_local=True, is_browser=False, is_own_cli=False), True),
        (PairingAsk("not-paired", ["operator.admin"], is_local=True, is_browser=False, is_own_cli=False), False),
        (PairingAsk("scope-upgrade", ["operator.read"], is_local=True, is_browser=False, is_own_cli=False), False),
        (PairingAsk("role-upgrade", [], is_local=True, is_browser=False, is_own_cli=False), False),
        (PairingAsk("not-paired", ["operator.read"], is_local=False, is_browser=False, is_own_cli=False), False),
        (PairingAsk("not-paired", ["operator.read"], is_local=True, is_browser=True, is_own_cli=False), False),
        (PairingAsk("scope-upgrade", ["operator.admin"], is_local=True, is_browser=False, is_own_cli=True), True),
        (PairingAsk("scope-upgrade", ["operator.admin"], is_local=False, is_browser=False, is_own_cli=True), False),
        (PairingAsk("not-paired", ["operator.admin"], is_local=True, is_browser=True, is_own_cli=True), False),
    ],
)
def test_local_auto_approval(ask: PairingAsk, expected: bool) -> None:
    assert approves_at_once(ask, POLICY) is expected
