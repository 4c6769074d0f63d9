// Incidents: correlated alerts, listed by `incidents.list` and kept live by `incident.*` events.
//
// The list filters by status, severity and namespace and searches titles, ids and causes; the
// filters live in the address (`#/incidents?status=firing&severity=critical&q=sonarr`), so the
// overview's numbers link to a filtered list. Incidents of one cause that came back again and
// again (a Watchdog heartbeat gone silent nine times) are one line with a count. Each incident's
// timeline (`incidents.get`: its alerts, notes and audited actions) is a page of its own,
// `#/incidents/inc-7`, that Slack messages and notes can link to.

import { clear, formatAge, formatTime, h, toMs } from "../lib/dom.js";
import { actorLabel, pick } from "../lib/fields.js";
import { itemOf, itemsOf } from "../lib/livelist.js";

const STATUSES = ["firing", "resolved", "all"];
const SEVERITY_ORDER = ["critical", "error", "warning", "info", "none"];
const LIST_LIMIT = 1000;

const opened = (i) => pick(i, "openedAt", "createdAt", "startsAt", "ts");

// `#/incidents?…` for a filter: the overview and the detail page link with it.
export function incidentsLink(filters = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const text = q.toString();
  return `#/incidents${text ? `?${text}` : ""}`;
}

export const incidentLink = (id) => `#/incidents/${encodeURIComponent(id)}`;

// Incidents of one cause, newest first, become one line: the newest, with how many there were.
export function collapseRepeats(items) {
  const groups = new Map();
  for (const item of items) {
    const causes = Array.isArray(item.causes) && item.causes.length ? [...item.causes].sort().join("|") : `id:${item.id}`;
    const key = `${item.kind || "alerts"}:${causes}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  return [...groups.values()].map((members) => ({ head: members[0], members }));
}

function matches(item, f) {
  if (f.status !== "all" && item.status !== f.status) return false;
  if (f.severity && item.severity !== f.severity) return false;
  if (f.namespace && (item.namespace || "") !== f.namespace) return false;
  if (f.q) {
    const hay = [item.id, item.title, item.namespace, item.kind, item.severity, ...(item.causes || [])].join(" ").toLowerCase();
    if (!f.q.toLowerCase().split(/\s+/).filter(Boolean).every((word) => hay.includes(word))) return false;
  }
  return true;
}

function filtersFrom(params) {
  const status = params.get("status");
  return {
    status: STATUSES.includes(status) ? status : "firing",
    severity: params.get("severity") || "",
    namespace: params.get("namespace") || "",
    q: params.get("q") || "",
  };
}

function statusBadge(i) {
  const s = pick(i, "status", "state") || "open";
  return h("span", { class: `badge status-${s}` }, s);
}

function mountList(root, ctx) {
  const { conn } = ctx;
  root.append(h("h1", { id: "incidents-title" }, "Incidents"));
  if (!conn.hasMethod("incidents.list")) {
    root.append(h("section", { class: "card empty" }, h("p", {}, "Incident tracking is not available on this gateway yet (it offers no incidents.list method). Alerts will show here once it is.")));
    return null;
  }
  const f = filtersFrom(ctx.route().params);
  const rows = new Map();
  const expanded = new Set(); // groups the operator opened, kept across live redraws

  const select = (id, label, options, value) => h("div", { class: "field" },
    h("label", { for: id }, label),
    h("select", { id }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));
  const statusField = select("inc-status", "Status", STATUSES.map((s) => [s, s]), f.status);
  const severityField = h("div", { class: "field" }, h("label", { for: "inc-severity" }, "Severity"), h("select", { id: "inc-severity" }));
  const namespaceField = h("div", { class: "field" }, h("label", { for: "inc-namespace" }, "Namespace"), h("select", { id: "inc-namespace" }));
  const search = h("input", { id: "inc-search", type: "search", value: f.q, placeholder: "title, id, pod, node…", autocomplete: "off" });
  const searchField = h("div", { class: "field grow" }, h("label", { for: "inc-search" }, "Search"), search);
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter incidents", onsubmit: (ev) => ev.preventDefault() },
    statusField, severityField, namespaceField, searchField);
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" }, "Loading…");
  const tbody = h("tbody");
  const columns = ["Status", "Severity", "Incident", "Namespace", "Alerts", "Opened"];
  const table = h("table", { class: "list incidents-table", "aria-labelledby": "incidents-title" },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))), tbody);
  const wrap = h("div", { class: "table-wrap" }, table);
  root.append(form, status, wrap);

  const fillOptions = (sel, all, current, allLabel) => {
    const values = [...new Set([...all, current].filter(Boolean))];
    clear(sel, h("option", { value: "" }, allLabel), values.map((v) => h("option", { value: v, selected: v === current }, v)));
  };

  const draw = () => {
    const items = [...rows.values()].sort((a, b) => toMs(opened(b)) - toMs(opened(a)));
    const severities = [...new Set(items.map((i) => i.severity).filter(Boolean))].sort((a, b) => SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b));
    fillOptions(severityField.querySelector("select"), severities, f.severity, "all severities");
    fillOptions(namespaceField.querySelector("select"), [...new Set(items.map((i) => i.namespace).filter(Boolean))].sort(), f.namespace, "all namespaces");
    const shown = items.filter((i) => matches(i, f));
    const groups = collapseRepeats(shown);
    const line = (i, group) => {
      const count = group && group.members.length > 1 ? group.members.length : 0;
      const key = group ? group.head.id : "";
      return h("tr", { "data-incident": i.id, class: group ? "" : "repeat" },
        h("td", { "data-label": "Status" }, statusBadge(i)),
        h("td", { "data-label": "Severity" }, h("span", { class: `badge sev-${i.severity}` }, i.severity || "")),
        h("td", { "data-label": "Incident", class: "incident-cell" },
          h("a", { href: incidentLink(i.id), class: "incident-title" }, pick(i, "title", "summary", "alertname") || i.id),
          " ", h("small", { class: "muted nowrap" }, i.id),
          count ? [" ", h("button", {
            type: "button",
            class: "link repeat-count",
            "aria-expanded": String(expanded.has(key)),
            "aria-label": `${count} incidents of this cause: ${expanded.has(key) ? "hide" : "show"} the others`,
            onclick: () => {
              if (expanded.has(key)) expanded.delete(key);
              else expanded.add(key);
              draw();
            },
          }, `×${count}`)] : null),
        h("td", { "data-label": "Namespace" }, i.namespace ? h("code", {}, i.namespace) : ""),
        h("td", { "data-label": "Alerts" }, String(pick(i, "alertCount", "count") || 0)),
        h("td", { "data-label": "Opened", class: "nowrap" }, h("time", { datetime: new Date(toMs(opened(i))).toISOString(), title: formatTime(opened(i)) }, formatAge(opened(i)))));
    };
    clear(tbody, groups.map((g) => [line(g.head, g), expanded.has(g.head.id) ? g.members.slice(1).map((m) => line(m, null)) : []]));
    wrap.hidden = shown.length === 0;
    const hiddenRepeats = shown.length - groups.length;
    if (items.length === 0) status.textContent = "No incidents. Alerts that fire will be correlated into incidents here.";
    else if (shown.length === 0) status.textContent = `No incident matches these filters (${items.length} in all).`;
    else status.textContent = `${shown.length} of ${items.length} shown${hiddenRepeats ? `, repeats of one cause on one line (${hiddenRepeats} folded)` : ""}, updated live`;
  };

  // The filters go into the address without a new history entry or a re-mount (replaceState).
  const apply = () => {
    f.status = statusField.querySelector("select").value;
    f.severity = severityField.querySelector("select").value;
    f.namespace = namespaceField.querySelector("select").value;
    f.q = search.value.trim();
    history.replaceState(null, "", `${location.pathname}${location.search}${incidentsLink(f)}`);
    draw();
  };
  form.addEventListener("change", apply);
  search.addEventListener("input", apply);

  const reload = async () => {
    try {
      const result = await conn.request("incidents.list", { limit: LIST_LIMIT });
      rows.clear();
      for (const item of itemsOf(result, "incidents")) rows.set(item.id, item);
      draw();
    } catch (err) {
      status.textContent = `Could not load: ${err.message}`;
    }
  };
  const off = conn.on("*", (payload, event) => {
    if (!event.startsWith("incident.")) return;
    const item = itemOf(payload, "incident");
    if (!item?.id) return;
    rows.set(item.id, { ...(rows.get(item.id) || {}), ...item });
    draw();
  });
  reload();
  return off;
}

function timelineEntries(incident) {
  const notes = (incident.notes || []).map((n) => ({ at: n.createdAt, what: n.kind, who: n.author, text: n.summary }));
  const actions = (incident.actions || []).map((a) => ({
    at: a.createdAt,
    what: `action ${a.kind}`,
    who: actorLabel(a.actor),
    text: `${a.target}: ${a.outcome}${a.verification ? ` (verification ${a.verification})` : ""}; ${a.reason}`,
  }));
  const alerts = (incident.alerts || []).map((a) => ({ at: a.firstSeen, what: `alert ${a.alertname}`, who: a.severity || "", text: a.annotations?.summary || a.annotations?.description || "" }));
  return [...alerts, ...notes, ...actions].sort((a, b) => toMs(a.at) - toMs(b.at));
}

function renderDetail(body, incident) {
  const facts = [
    ["Status", statusBadge(incident)],
    ["Severity", incident.severity],
    ["Namespace", incident.namespace ? h("a", { href: incidentsLink({ status: "all", namespace: incident.namespace }) }, incident.namespace) : "—"],
    ["Opened", `${formatTime(incident.openedAt)} (${formatAge(incident.openedAt)})`],
    ["Resolved", incident.resolvedAt ? formatTime(incident.resolvedAt) : "not yet"],
    ["Causes", (incident.causes || []).length ? h("ul", { class: "plain" }, incident.causes.map((c) => h("li", {}, h("code", { class: "wrap" }, c)))) : "—"],
  ];
  const alerts = incident.alerts || [];
  const entries = timelineEntries(incident);
  clear(body,
    h("section", { class: "card" }, h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))),
    h("section", { class: "card stack", "aria-labelledby": "inc-alerts-title" },
      h("h2", { id: "inc-alerts-title" }, `Alerts (${alerts.length})`),
      alerts.length ? h("div", { class: "table-wrap" }, h("table", { class: "list incidents-table", "aria-labelledby": "inc-alerts-title" },
        h("thead", {}, h("tr", {}, ["Alert", "Status", "Severity", "Labels", "Last seen"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, alerts.map((a) => h("tr", {},
          h("td", { "data-label": "Alert" }, h("strong", {}, a.alertname)),
          h("td", { "data-label": "Status" }, h("span", { class: `badge status-${a.status}` }, a.status)),
          h("td", { "data-label": "Severity" }, a.severity || ""),
          h("td", { "data-label": "Labels", class: "labels" }, Object.entries(a.labels || {}).filter(([k]) => k !== "alertname").map(([k, v]) => h("code", { class: "label" }, `${k}=${v}`))),
          h("td", { "data-label": "Last seen", class: "nowrap" }, formatAge(a.lastSeen)))))))
        : h("p", { class: "muted" }, "No alert: this incident is about a silence (a heartbeat that stopped).")),
    h("section", { class: "card stack", "aria-labelledby": "inc-timeline-title" },
      h("h2", { id: "inc-timeline-title" }, "Timeline"),
      entries.length === 0 ? h("p", { class: "muted" }, "No notes or actions yet.")
        : h("ol", { class: "timeline" }, entries.map((e) => h("li", {},
          h("small", { class: "muted" }, formatTime(e.at)), " ", h("strong", {}, e.what), " ", h("span", { class: "muted" }, e.who), h("br"), h("span", { class: "wrap" }, e.text))))));
}

function mountDetail(root, ctx, id) {
  const { conn } = ctx;
  const back = h("a", { href: incidentsLink({ status: "all" }), class: "back" }, "← All incidents");
  const title = h("h1", {}, id);
  const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  root.append(h("p", {}, back), title, body);
  let alive = true;
  const load = async () => {
    try {
      const result = await conn.request("incidents.get", { id });
      if (!alive) return;
      const incident = result.incident || {};
      title.textContent = incident.title || id;
      title.append(" ", h("small", { class: "muted nowrap" }, id));
      renderDetail(body, incident);
    } catch (err) {
      clear(body, h("section", { class: "card empty" }, h("p", {}, err.code === "NOT_FOUND" ? `There is no incident ${id} on this gateway.` : `Could not load ${id}: ${err.message}`)));
    }
  };
  const off = conn.on("*", (payload, event) => {
    if (event.startsWith("incident.") && itemOf(payload, "incident")?.id === id) load();
    if (event.startsWith("action.") && itemOf(payload, "action")?.incident === id) load();
  });
  load();
  return () => {
    alive = false;
    off();
  };
}

export function mount(root, ctx) {
  const [id] = ctx.route().path;
  return id ? mountDetail(root, ctx, id) : mountList(root, ctx);
}
