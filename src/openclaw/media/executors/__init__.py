"""Mutating media operations. Each takes an `Approval` minted by `policy.submit()`; only
`openclaw.policy` imports this package (an import-linter contract in pyproject.toml)."""
