// Incidents: correlated alerts, listed by `incidents.list` and kept live by `incident.*` events.

import { formatAge, h, toMs } from "../lib/dom.js";
import { pick } from "../lib/fields.js";
import { mountLiveList } from "../lib/livelist.js";

const time = (i) => pick(i, "openedAt", "createdAt", "startsAt", "ts");

export function mount(root, ctx) {
  return mountLiveList({
    conn: ctx.conn,
    root,
    title: "Incidents",
    method: "incidents.list",
    resultKey: "incidents",
    itemKey: "incident",
    eventPrefix: "incident.",
    idOf: (i) => i.id,
    sort: (a, b) => toMs(time(b)) - toMs(time(a)),
    missingText: "Incident tracking is not available on this gateway yet (it offers no incidents.list method). Alerts will show here once it is.",
    emptyText: "No incidents. Alerts that fire will be correlated into incidents here.",
    columns: [
      { label: "Status", render: (i) => h("span", { class: `badge status-${pick(i, "status", "state")}` }, pick(i, "status", "state") || "open") },
      { label: "Severity", render: (i) => pick(i, "severity") },
      { label: "Incident", render: (i) => h("span", {}, h("strong", {}, pick(i, "title", "summary", "name", "alertname") || i.id), h("br"), h("small", { class: "muted" }, i.id)) },
      { label: "Alerts", render: (i) => String(pick(i, "alertCount", "count") || (Array.isArray(i.alerts) ? i.alerts.length : "")) },
      { label: "Opened", render: (i) => formatAge(time(i)) },
    ],
  });
}
