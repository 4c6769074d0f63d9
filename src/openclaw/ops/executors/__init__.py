"""Mutating operations. Each takes an `Approval` minted by `policy.submit()`; only `openclaw.policy` imports this package."""

from __future__ import annotations

from openclaw.ops.executors.result import ExecResult

__all__ = ["ExecResult"]
