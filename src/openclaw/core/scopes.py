"""Operator scopes: what a WebSocket caller may call and see. A read method also accepts write."""

from __future__ import annotations

READ = "operator.read"
WRITE = "operator.write"
ADMIN = "operator.admin"
PAIRING = "operator.pairing"
APPROVALS = "operator.approvals"
ALL_SCOPES = (READ, WRITE, ADMIN, PAIRING, APPROVALS)
