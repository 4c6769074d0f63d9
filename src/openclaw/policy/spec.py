"""The shape of an action kind's spec, shared by every backend's kinds (`actions.py` for the
cluster, `media_actions.py` for the media apps), and the clients the specs act through."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from openclaw.config.schema import OpsSettings
from openclaw.media.clients.registry import MediaClients
from openclaw.ops import verify
from openclaw.ops.client import KubeClient
from openclaw.ops.executors.result import ExecResult
from openclaw.policy.grant import Approval
from openclaw.policy.models import ActionRequest
from openclaw.policy.params import Params, describe_error
from openclaw.policy.rules import ClusterFacts
from openclaw.policy.targets import Target


class ParamsError(ValueError):
    """An action's params or target do not fit its kind; the message names the field."""


@dataclass
class Backends:
    """The clients actions act through, each None while the gateway has none (set at start-up)."""

    kube: KubeClient | None = None
    # The media app clients, read when an action needs them (the media capability builds them at start).
    media: Callable[[], MediaClients] | None = field(default=None)


C = TypeVar("C")
T = TypeVar("T", bound=Target)
P = TypeVar("P", bound=Params)

KUBE = "kube"
NO_KUBE = "no Kubernetes client configured (ops.kube)"


@dataclass(frozen=True, slots=True)
class ActionSpec(Generic[C, T, P]):
    backend: str  # names the decision lock: kinds of one backend are decided one at a time
    client: Callable[[Backends], C | None]
    missing: str  # the refusal when `client` gives None
    parse_target: Callable[[str], T]  # the audit log's `target` text back into a target
    check_target: Callable[[T], str | None]  # None, or what is wrong with the target for this kind
    params: type[P]
    facts: Callable[[C, ActionRequest[T], P, OpsSettings], Awaitable[ClusterFacts]]
    execute: Callable[[C, ActionRequest[T], P, Approval, OpsSettings], Awaitable[ExecResult]]
    verify: Callable[[C, ActionRequest[T], P, ExecResult], verify.Check | None]

    def parse_params(self, request: ActionRequest[Any]) -> P:
        try:
            return self.params.model_validate(request.params)
        except ValidationError as exc:
            raise ParamsError(describe_error(exc)) from None
