"""Cluster operations: the Kubernetes client (`ops.client`), reads, verification, manifest
validation, and the executors that only `openclaw.policy` may call."""

from __future__ import annotations

from openclaw.ops.refs import Obj, ObjectRef

__all__ = ["Obj", "ObjectRef"]
