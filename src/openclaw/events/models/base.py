"""Shared pieces of the webhook models: the lenient base class and the loose scalar types that
media apps send (numbers as strings, empty strings for "no value")."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


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
