"""Shared pieces of the webhook models: the lenient base class and the loose scalar types that
media apps send (numbers as strings, empty strings for "no value")."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class WebhookModel(BaseModel):
    """A webhook body: upstream apps add fields between versions, so extra keys are kept, not refused."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _to_text(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    return value


# An integer that may arrive as a string ("42") or as "" for none (Overseerr templates).
LooseInt = Annotated[int | None, BeforeValidator(_blank_to_none)]
# A string that may arrive as a number.
LooseStr = Annotated[str | None, BeforeValidator(_to_text)]


T = TypeVar("T")
# A list or dict that stops at its first bad item. pydantic otherwise collects one error per bad
# item before any can be reported: an 8 MiB `"alerts": [1,1,...]` made 4 million errors and took
# 1.7 GB. The first bad item of each container, with every problem inside it, is what a 400 lists.
FirstBad = Annotated[T, Field(fail_fast=True)]
Labels = FirstBad[dict[str, str]]
