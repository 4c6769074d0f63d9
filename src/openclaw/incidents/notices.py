"""Turn incident changes of one event into `incident.opened|updated|resolved` notices."""

from __future__ import annotations

import sqlite3

from openclaw.core.notices import Notice
from openclaw.core.topics import Topic
from openclaw.incidents import store

ORDER = ("opened", "updated", "resolved")


def incident_notices(conn: sqlite3.Connection, changes: dict[str, set[str]]) -> list[Notice]:
    """One notice per kind of change per incident; `updated` is implied by `opened`/`resolved` and dropped then."""
    out: list[Notice] = []
    for incident_id, kinds in changes.items():
        incident = store.get_incident(conn, incident_id, with_alerts=False)
        if incident is None:
            continue
        payload = incident.to_json(with_alerts=False)
        for kind in ORDER:
            if kind in kinds and not (kind == "updated" and kinds & {"opened", "resolved"}):
                out.append(Notice(Topic(f"incident.{kind}"), payload))
    return out
