"""Token and tool-call accounting, cost, and the budgets that stop a runaway loop.

`<state>/agents/main/usage.json` keeps totals per UTC day and per incident. Before each model call
and each tool call the ledger checks `agents.defaults.limits`; crossing a limit raises
`BudgetExceeded`, which ends the run and is reported (chat error, incident note, bus event).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openclaw.agent.messages import Usage
from openclaw.config import store
from openclaw.config.schema import AgentLimits, ModelCost, Settings
from openclaw.errors import OpenClawError

# US dollars per million tokens for models used without a models.providers price (list prices).
_KNOWN_PRICES: dict[str, ModelCost] = {
    "claude-sonnet-4": ModelCost(input=3.0, output=15.0, cache_read=0.3, cache_write=3.75),
    "claude-opus-4": ModelCost(input=15.0, output=75.0, cache_read=1.5, cache_write=18.75),
    "claude-haiku-4": ModelCost(input=1.0, output=5.0, cache_read=0.1, cache_write=1.25),
}


class BudgetExceeded(OpenClawError):
    """A limit in agents.defaults.limits was reached; `setting` names it."""

    def __init__(self, setting: str, limit: int, used: int, scope: str) -> None:
        super().__init__(f"budget reached: {scope} used {used} of agents.defaults.limits.{setting} = {limit}; the run was stopped")
        self.setting = setting
        self.limit = limit
        self.used = used
        self.scope = scope


def price_for(settings: Settings, model_id: str) -> ModelCost:
    provider, _, model = model_id.partition("/")
    cfg = settings.models.providers.get(provider)
    if cfg is not None:
        for definition in cfg.models:
            if definition.id == model:
                return definition.cost
    for prefix, cost in _KNOWN_PRICES.items():
        if model.startswith(prefix):
            return cost
    return ModelCost()


def cost_of(usage: Usage, price: ModelCost) -> float:
    return (usage.input_tokens * price.input + usage.output_tokens * price.output
            + usage.cache_read_tokens * price.cache_read + usage.cache_write_tokens * price.cache_write) / 1_000_000


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


@dataclass
class UsageLedger:
    path: Path
    today: Callable[[], str] = _today

    def read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"days": {}, "incidents": {}}
        data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        data.setdefault("days", {})
        data.setdefault("incidents", {})
        return data  # type: ignore[no-any-return]  # our own file: a JSON object

    def totals(self, incident_id: str | None = None) -> tuple[dict[str, Any], dict[str, Any] | None]:
        data = self.read()
        day = data["days"].get(self.today(), {})
        inc = data["incidents"].get(incident_id) if incident_id else None
        return day, inc

    def check(self, limits: AgentLimits, incident_id: str | None, *, tool_call: bool = False) -> None:
        """Raise BudgetExceeded when the next model call (or tool call) would go past a limit."""
        day, inc = self.totals(incident_id)
        if tool_call:
            _over("tool_calls_per_day", limits.tool_calls_per_day, day.get("toolCalls", 0), f"today ({self.today()})")
            if incident_id:
                _over("tool_calls_per_incident", limits.tool_calls_per_incident, (inc or {}).get("toolCalls", 0), f"incident {incident_id}")
        else:
            _over("tokens_per_day", limits.tokens_per_day, day.get("tokens", 0), f"today ({self.today()})")
            if incident_id:
                _over("tokens_per_incident", limits.tokens_per_incident, (inc or {}).get("tokens", 0), f"incident {incident_id}")

    def charge(self, incident_id: str | None, *, tokens: int = 0, tool_calls: int = 0, cost: float = 0.0) -> None:
        with store.lock_for(self.path):
            data = self.read()
            buckets = [data["days"].setdefault(self.today(), {})]
            if incident_id:
                buckets.append(data["incidents"].setdefault(incident_id, {}))
            for bucket in buckets:
                bucket["tokens"] = bucket.get("tokens", 0) + tokens
                bucket["toolCalls"] = bucket.get("toolCalls", 0) + tool_calls
                bucket["costUsd"] = round(bucket.get("costUsd", 0.0) + cost, 6)
            store.write_json_atomic(self.path, data)


_ALIASES = {
    "tool_calls_per_day": "toolCallsPerDay",
    "tool_calls_per_incident": "toolCallsPerIncident",
    "tokens_per_day": "tokensPerDay",
    "tokens_per_incident": "tokensPerIncident",
}


def _over(field: str, limit: int, used: int, scope: str) -> None:
    if used >= limit:
        raise BudgetExceeded(_ALIASES[field], limit, used, scope)
