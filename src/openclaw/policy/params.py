"""The params each action kind takes, as typed models: checked before anything is read or written,
and handed typed to the kind's facts, executor and verifier. Unknown keys are refused by name."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, model_validator


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class NoParams(Params):
    """Kinds that take no params (pod.delete, workload.restart, node.cordon, ...)."""


class ScaleParams(Params):
    replicas: Annotated[StrictInt, Field(ge=0)]


class JobsCleanupParams(Params):
    state: Literal["failed", "finished"] = "failed"
    min_age_seconds: Annotated[float, Field(ge=0, alias="minAgeSeconds")] = 0.0


class NodeLabelParams(Params):
    labels: Annotated[dict[StrictStr, StrictStr | None], Field(min_length=1)]


class Taint(Params):
    key: Annotated[StrictStr, Field(min_length=1)]
    value: StrictStr | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class NodeTaintParams(Params):
    add: list[Taint] = []
    remove: list[StrictStr] = []

    @model_validator(mode="after")
    def _something(self) -> NodeTaintParams:
        if not (self.add or self.remove):
            raise ValueError("params.add / params.remove: expected lists of taints {key, value?, effect} / keys, at least one entry")
        return self


class QueueRemoveParams(Params):
    """`media.queue.remove`: the DELETE flags, chosen per case by whoever asks (nothing is implied)."""

    remove_from_client: bool = Field(alias="removeFromClient")
    blocklist: bool
    skip_redownload: bool = Field(False, alias="skipRedownload")
    change_category: bool = Field(False, alias="changeCategory")


def describe_error(exc: ValidationError) -> str:
    """The first problem as `params.<field>: <what was expected>, got <value>`."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in ("params", *err["loc"]))
    got = f", got {err['input']!r}" if err["type"] != "missing" and err["loc"] else ""
    message = str(err["msg"]).removeprefix("Value error, ")
    return message if message.startswith("params.") else f"{where}: {message}{got}"
