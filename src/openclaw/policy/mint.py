"""`mint`: the one way to an `Approval`, imported by `policy/engine.py` alone (an import-linter
contract in pyproject.toml says so and a test shows it fails when anything else imports it)."""

from __future__ import annotations

from openclaw.policy.grant import Approval, _issue


def mint(action_id: str, kind: str, target: str, *, dry_run: bool, planned: tuple[str, ...] = ()) -> Approval:
    """Issue an Approval; called by the policy engine after every rule has passed."""
    return _issue(action_id, kind, target, dry_run, planned)
