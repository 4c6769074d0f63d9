// Overview: the first screen after Connect, from one `overview.get` call, refreshed as incident,
// action and approval events arrive (and every 30 s for what sends no event: nodes and pods).
// Every number links to the screen behind it; pending actions are approved or denied in place.

import { clear, formatAge, formatTime, h, throttled } from "../lib/dom.js";
import { actorLabel, targetLabel } from "../lib/fields.js";
import { incidentsLink } from "./incidents.js";

const REFRESH_MS = 30000;
const EVENT_THROTTLE_MS = 250;
const SEVERITIES = ["critical", "error", "warning", "info", "none"];

const num = (value, href, label) => h("a", { class: "num", href, "aria-label": label ? `${value} ${label}` : null }, String(value));

function unavailableCard(title, id, section) {
  return h("section", { class: "card ov-card empty", "aria-labelledby": id }, h("h2", { id }, title), h("p", {}, `Not available: ${section?.reason || "this gateway did not say"}.`));
}

function card(title, id, ...children) {
  return h("section", { class: "card ov-card stack", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

function clusterCard(c) {
  if (!c?.available) return unavailableCard("Cluster", "ov-cluster", c);
  const { nodes, pods } = c;
  const nodeLine = h("p", { class: "ov-line" },
    h("span", { class: "ov-big" }, num(nodes.ready, incidentsLink({ status: "all", q: "node" }), "nodes Ready")), ` of ${nodes.total} nodes Ready`);
  const notReady = nodes.notReady.length
    ? h("p", { class: "ov-bad" }, num(nodes.notReady.length, incidentsLink({ status: "all", q: nodes.notReady.length === 1 ? nodes.notReady[0] : "NodeNotReady" }), "nodes NotReady"), " NotReady: ",
      nodes.notReady.map((n, i) => [i ? ", " : "", h("a", { href: incidentsLink({ status: "all", q: n }) }, n)]))
    : h("p", { class: "muted" }, "No node NotReady.");
  const cordoned = nodes.cordoned.length
    ? h("p", { class: "ov-warn" }, num(nodes.cordoned.length, "#/actions", "nodes cordoned"), " cordoned: ", nodes.cordoned.join(", "))
    : h("p", { class: "muted" }, "No node cordoned.");
  const byNs = Object.entries(pods.notRunningByNamespace);
  const podList = byNs.length
    ? h("ul", { class: "ov-list" }, byNs.map(([ns, v]) => h("li", {},
      num(v.count, incidentsLink({ status: "all", namespace: ns }), `pods not running in ${ns}`), ` in `, h("code", {}, ns),
      h("span", { class: "muted" }, ` ${v.pods.join(", ")}${v.count > v.pods.length ? ", …" : ""}`))))
    : null;
  return card("Cluster", "ov-cluster", nodeLine, notReady, cordoned,
    h("p", { class: pods.notRunning ? "ov-bad" : "muted" }, pods.notRunning ? [num(pods.notRunning, incidentsLink({ status: "all" }), "pods not running"), ` of ${pods.total} pods not running`] : `All ${pods.total} pods running.`),
    podList);
}

function incidentsCard(inc) {
  if (!inc?.available) return unavailableCard("Incidents", "ov-incidents", inc);
  const chips = SEVERITIES.filter((s) => inc.firingBySeverity[s]).concat(Object.keys(inc.firingBySeverity).filter((s) => !SEVERITIES.includes(s)));
  return card("Incidents", "ov-incidents",
    h("p", { class: "ov-line" }, h("span", { class: "ov-big" }, num(inc.firing, incidentsLink({ status: "firing" }), "firing")), " firing"),
    chips.length
      ? h("ul", { class: "ov-chips", "aria-label": "Firing by severity" }, chips.map((s) => h("li", {},
        h("a", { class: `badge sev-${s}`, href: incidentsLink({ status: "firing", severity: s }) }, `${inc.firingBySeverity[s]} ${s}`))))
      : h("p", { class: "muted" }, "Nothing firing."));
}

function heartbeatCard(inc) {
  if (!inc?.available) return unavailableCard("Alerting heartbeat", "ov-heartbeat", inc);
  const beats = inc.heartbeats || [];
  const limit = Math.round((inc.heartbeatLimitS || 600) / 60);
  const body = beats.length
    ? h("ul", { class: "ov-list" }, beats.map((b) => {
      const ok = b.state !== "silent";
      return h("li", { class: ok ? "" : "ov-bad" }, h("strong", {}, b.name), " ", h("span", { class: `badge ${ok ? "outcome-done" : "status-firing"}` }, b.state),
        h("span", { class: "muted" }, ` last firing ${b.lastFiring ? formatAge(b.lastFiring) : "never"}, ${b.notifications} notifications`));
    }))
    : h("p", { class: "muted" }, "No heartbeat alert (Watchdog) received yet: until one arrives, a silent alerting pipeline goes unnoticed.");
  const silent = inc.firingHeartbeat
    ? h("p", { class: "ov-bad" }, num(inc.firingHeartbeat, incidentsLink({ status: "firing", q: "heartbeat" }), "heartbeat silences firing"), " heartbeat incident(s) firing")
    : null;
  return card("Alerting heartbeat", "ov-heartbeat", body, silent,
    h("p", { class: "help" }, `Silent for more than ${limit} min opens a critical incident.`));
}

function agentCard(a) {
  if (!a?.available) return unavailableCard("Agent", "ov-agent", a);
  const meter = (label, used, limit) => h("div", { class: "ov-meter" },
    h("span", {}, label, " ", h("a", { class: "num", href: "#/chat" }, used.toLocaleString()), ` of ${limit.toLocaleString()}`),
    h("meter", { min: 0, max: limit || 1, value: Math.min(used, limit || 1), high: (limit || 1) * 0.8, "aria-label": `${label}: ${used} of ${limit}` }));
  return card("Agent", "ov-agent",
    h("p", {}, a.offline ? h("span", { class: "badge status-firing" }, "offline") : h("code", {}, a.model),
      a.offline ? h("span", { class: "muted" }, " no model configured: commands only") : null,
      a.running ? h("span", { class: "muted" }, ` · ${a.running} run(s) in progress`) : null),
    a.modelProblem ? h("p", { class: "muted" }, a.modelProblem) : null,
    meter("Tool calls today", a.today.toolCalls, a.budget.toolCallsPerDay),
    meter("Tokens today", a.today.tokens, a.budget.tokensPerDay),
    h("p", { class: "muted" }, `Cost today: $${a.today.costUsd.toFixed(2)} (${a.today.date}, UTC)`));
}

function mediaCard(m) {
  if (!m?.available) return unavailableCard("Media pipeline", "ov-media", m);
  const stages = Object.entries(m.byStage || {}).filter(([, n]) => n > 0);
  return card("Media pipeline", "ov-media",
    m.items
      ? [h("p", { class: "ov-line" }, h("a", { class: "num ov-big", href: "#/media" }, String(m.items)), " tracked, ",
          h("a", { class: m.stuck ? "num ov-bad" : "num", href: "#/media" }, String(m.stuck)), " stuck"),
        h("ul", { class: "ov-chips", "aria-label": "Items by stage" }, stages.map(([stage, n]) =>
          h("li", {}, h("a", { class: "badge", href: "#/media" }, `${stage} ${n}`))))]
      : h("p", { class: "muted" }, "No media item tracked yet: each Seerr request and monitored item shows here by its stage."));
}

function pendingCard(actions, conn, onDecided, notice) {
  if (!actions?.available) return unavailableCard("Waiting for approval", "ov-pending", actions);
  const canDecide = conn.can("operator.approvals") && conn.hasMethod("approvals.approve");
  const decide = async (a, verb, button) => {
    button.disabled = true;
    try {
      await conn.request(`approvals.${verb}`, { id: a.id });
      notice.textContent = `${verb === "approve" ? "Approved" : "Denied"} ${a.kind} ${targetLabel(a.target)}.`;
      onDecided();
    } catch (err) {
      button.disabled = false;
      notice.textContent = `${verb} ${a.id} failed: ${err.message}`;
    }
  };
  const items = actions.pending;
  return card("Waiting for approval", "ov-pending",
    h("p", { class: "ov-line" }, h("span", { class: "ov-big" }, num(items.length, "#/actions", "waiting for approval")), " waiting"),
    items.length
      ? h("ul", { class: "approvals" }, items.map((a) => {
        const label = `${a.kind} ${targetLabel(a.target)}`;
        return h("li", { class: "approval" },
          h("div", {}, h("strong", {}, label), h("p", { class: "muted" }, a.reason, " · ", actorLabel(a.actor), " · ", formatAge(a.createdAt))),
          canDecide ? h("div", { class: "row-actions" },
            h("button", { type: "button", class: "primary small", "aria-label": `Approve ${label}`, onclick: (ev) => decide(a, "approve", ev.currentTarget) }, "Approve"),
            h("button", { type: "button", class: "danger small", "aria-label": `Deny ${label}`, onclick: (ev) => decide(a, "deny", ev.currentTarget) }, "Deny")) : null);
      }))
      : h("p", { class: "muted" }, "Nothing is waiting for approval."));
}

function recentCard(actions) {
  if (!actions?.available) return unavailableCard("Recent actions", "ov-recent", actions);
  const totals = Object.entries(actions.last24hByOutcome || {});
  return card("Recent actions", "ov-recent",
    totals.length
      ? h("ul", { class: "ov-chips", "aria-label": "Last 24 h by outcome" }, totals.map(([o, n]) => h("li", {}, h("a", { class: `badge outcome-${o}`, href: "#/actions" }, `${n} ${o}`))))
      : null,
    actions.recent.length
      ? h("ul", { class: "ov-list" }, actions.recent.map((a) => h("li", {},
        h("span", { class: `badge outcome-${a.outcome}` }, a.outcome), " ", h("a", { href: "#/actions" }, h("code", {}, a.kind)), " ", targetLabel(a.target),
        a.incident ? [" · ", h("a", { href: `#/incidents/${encodeURIComponent(a.incident)}` }, a.incident)] : null,
        h("span", { class: "muted" }, ` · ${formatAge(a.createdAt)}`))))
      : h("p", { class: "muted" }, "No action in the audit log yet."));
}

// Two bar series per hour, drawn as inline SVG: incidents opened (left bar) and actions requested (right bar).
function chart(series, incidents, actions) {
  const hours = series.hours;
  const inc = incidents?.available ? incidents.openedPerHour : new Array(hours).fill(0);
  const act = actions?.available ? actions.perHour : new Array(hours).fill(0);
  const max = Math.max(1, ...inc, ...act);
  const W = 960, H = 150, pad = 20, slot = (W - pad) / hours, bar = Math.max(2, slot / 2 - 1);
  const ns = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, ...kids) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    for (const kid of kids) node.append(kid);
    return node;
  };
  const y = (n) => H - pad - ((H - 2 * pad) * n) / max;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "ov-chart", role: "img", "aria-labelledby": "ov-chart-title ov-chart-desc" },
    el("title", { id: "ov-chart-title" }, "Incidents and actions per hour, last 24 h"),
    el("desc", { id: "ov-chart-desc" }, `${inc.reduce((a, b) => a + b, 0)} incidents opened and ${act.reduce((a, b) => a + b, 0)} actions requested in the last 24 hours.`));
  svg.append(el("line", { x1: pad, x2: W, y1: H - pad, y2: H - pad, class: "axis" }));
  svg.append(el("text", { x: pad, y: H - 4, class: "tick" }, "24 h ago"), el("text", { x: W, y: H - 4, class: "tick", "text-anchor": "end" }, "now"),
    el("text", { x: 0, y: pad, class: "tick" }, String(max)));
  for (let i = 0; i < hours; i += 1) {
    const at = new Date((series.start + i * series.stepS) * 1000);
    const x = pad + i * slot;
    const label = `${at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}: ${inc[i]} incidents, ${act[i]} actions`;
    const group = el("g", {}, el("title", {}, label));
    if (inc[i]) group.append(el("rect", { x, y: y(inc[i]), width: bar, height: H - pad - y(inc[i]), class: "bar-incidents" }));
    if (act[i]) group.append(el("rect", { x: x + bar + 1, y: y(act[i]), width: bar, height: H - pad - y(act[i]), class: "bar-actions" }));
    svg.append(group);
  }
  const total = (arr) => arr.reduce((a, b) => a + b, 0);
  return h("section", { class: "card ov-card ov-wide stack", "aria-labelledby": "ov-chart" }, h("h2", { id: "ov-chart" }, "Last 24 hours"),
    svg,
    h("p", { class: "ov-legend" },
      h("span", { class: "key key-incidents", "aria-hidden": "true" }), " incidents opened ", num(total(inc), incidentsLink({ status: "all" }), "opened in 24 h"),
      "  ", h("span", { class: "key key-actions", "aria-hidden": "true" }), " actions requested ", num(total(act), "#/actions", "requested in 24 h")));
}

export function mount(root, ctx) {
  const { conn } = ctx;
  root.append(h("h1", {}, "Overview"));
  if (!conn.hasMethod("overview.get")) {
    root.append(h("section", { class: "card empty" }, h("p", {}, "This gateway offers no overview (no overview.get method). Incidents, Actions and Chat are in the menu.")));
    return null;
  }
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" }, "Loading…");
  const grid = h("div", { class: "ov-grid" });
  root.append(status, grid);
  // What an approve/deny did: kept outside the grid, which every refresh redraws.
  const notice = h("p", { class: "ov-notice", role: "status", "aria-live": "polite" });
  root.insertBefore(notice, grid);
  let alive = true;
  let loading = null;
  let again = false;

  const draw = (o) => {
    clear(grid,
      incidentsCard(o.incidents),
      pendingCard(o.actions, conn, () => reload(), notice),
      clusterCard(o.cluster),
      chart(o.series, o.incidents, o.actions),
      recentCard(o.actions),
      heartbeatCard(o.incidents),
      agentCard(o.agent),
      mediaCard(o.media));
  };

  // One call at a time: events that arrive while one is in flight ask for one more afterwards.
  const reload = async () => {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      try {
        const o = await conn.request("overview.get", {});
        if (!alive) return;
        draw(o);
        status.textContent = `Updated ${formatTime(o.generatedAt)}, live.`;
      } catch (err) {
        status.textContent = `Could not load the overview: ${err.message}`;
      }
    })();
    await loading;
    loading = null;
    if (again && alive) {
      again = false;
      await reload();
    }
    return undefined;
  };

  const soon = throttled(reload, EVENT_THROTTLE_MS);
  const off = conn.on("*", (_payload, event) => {
    if (/^(incident|action|approval|agent\.budget)/.test(event)) soon();
  });
  const every = setInterval(reload, REFRESH_MS);
  reload();
  return () => {
    alive = false;
    off();
    soon.cancel();
    clearInterval(every);
  };
}
