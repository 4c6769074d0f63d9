// Incidents: correlated alerts, listed by `incidents.list` and kept live by `incident.*` events.
// Each row expands to the incident's timeline (`incidents.get`): its notes (runbook escalations,
// the agent's findings) and the audited actions taken for it, oldest first.

import { clear, formatAge, formatTime, h, toMs } from "../lib/dom.js";
import { pick } from "../lib/fields.js";
import { mountLiveList } from "../lib/livelist.js";

const time = (i) => pick(i, "openedAt", "createdAt", "startsAt", "ts");

function timelineEntries(incident) {
  const notes = (incident.notes || []).map((n) => ({ at: n.createdAt, what: n.kind, who: n.author, text: n.summary }));
  const actions = (incident.actions || []).map((a) => ({
    at: a.createdAt,
    what: `action ${a.kind}`,
    who: a.actor,
    text: `${a.target}: ${a.outcome}${a.verification ? ` (verification ${a.verification})` : ""}; ${a.reason}`,
  }));
  return [...notes, ...actions].sort((a, b) => toMs(a.at) - toMs(b.at));
}

function renderTimeline(incident) {
  const entries = timelineEntries(incident);
  if (entries.length === 0) return h("p", { class: "muted" }, "No notes or actions yet.");
  return h("ol", { class: "timeline" }, entries.map((e) => h("li", {},
    h("small", { class: "muted" }, formatTime(e.at)), " ", h("strong", {}, e.what), " ", h("span", { class: "muted" }, e.who), h("br"), e.text)));
}

export function mount(root, ctx) {
  // Rows are redrawn on every incident event: remember which timelines are open across redraws.
  const open = new Set();
  const timeline = (i) => {
    const body = h("div", { class: "timeline-body" });
    let loaded = false;
    const load = async () => {
      loaded = true;
      clear(body, h("p", { class: "muted" }, "Loading…"));
      try {
        const result = await ctx.conn.request("incidents.get", { id: i.id });
        clear(body, renderTimeline(result.incident || {}));
      } catch (err) {
        clear(body, h("p", { class: "muted" }, `Could not load the timeline: ${err.message}`));
      }
    };
    const details = h("details", {
      ontoggle: () => {
        if (details.open) {
          open.add(i.id);
          if (!loaded) load();
        } else {
          open.delete(i.id);
        }
      },
    }, h("summary", {}, "Timeline"), body);
    if (open.has(i.id)) details.open = true;
    return details;
  };
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
      { label: "Timeline", render: timeline },
    ],
  });
}
