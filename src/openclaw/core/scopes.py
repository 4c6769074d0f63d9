"""Operator scopes: what a WebSocket caller may call and see. A read method also accepts write."""

from __future__ import annotations

from typing import get_args

from openclaw.config.schema import OperatorScope

READ = "operator.read"
WRITE = "operator.write"
ADMIN = "operator.admin"
PAIRING = "operator.pairing"
APPROVALS = "operator.approvals"
ALL_SCOPES: tuple[str, ...] = get_args(OperatorScope)  # the config schema validates scope lists against the same set
