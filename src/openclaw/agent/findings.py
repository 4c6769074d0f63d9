"""Findings: what the agent concluded about an incident, with the actions it took and what it cost,
appended to `<state>/agents/main/findings.jsonl` and read back per incident."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openclaw.config import store


@dataclass(frozen=True)
class FindingLog:
    path: Path

    def append(self, finding: dict[str, Any]) -> None:
        with store.lock_for(self.path):
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(finding, default=str, ensure_ascii=False) + "\n")

    def for_incident(self, incident_id: str) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if item.get("incidentId") == incident_id:
                    out.append(item)
        return out
