"""Runbooks: deterministic responses to alerts, acting only through the policy engine."""
