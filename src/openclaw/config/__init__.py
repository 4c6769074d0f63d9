"""Layered configuration: seed file < state file < environment, validated by a typed schema."""

from openclaw.config.layers import ConfigSnapshot, load
from openclaw.config.schema import Settings

__all__ = ["ConfigSnapshot", "Settings", "load"]
