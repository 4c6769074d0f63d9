// Media: the pipeline at a glance (`media.list`): how many items are at each stage, which are stuck
// and why, the fixes done for them (the audited `media.*` actions), and every item expanding to
// its timeline and actions (`media.get`). Refreshed on `media.updated` (a poll cycle or a webhook
// moved an item) and on incident and action events, since a fix or an escalation changes an item.

import { clear, formatAge, formatTime, h, throttled, toMs } from "../lib/dom.js";
import { actorLabel } from "../lib/fields.js";

// The tracker's stages in pipeline order (media/stages.py).
const STAGES = ["requested", "approved", "searching", "grabbed", "downloading", "importing", "imported", "in library", "available"];
const REFRESH_THROTTLE_MS = 250;

const slug = (stage) => stage.replace(/\s+/g, "-");

function stuckLine(item) {
  if (!item.stuckReason) return null;
  const checks = (item.strikes || {})[item.stuckReason] || 0;
  return h("span", { class: item.stuck ? "media-reason stuck" : "media-reason watching", "data-testid": "stuck-reason" },
    h("strong", {}, item.stuck ? `stuck: ${item.stuckReason}` : `watching: ${item.stuckReason}`),
    ` (${checks} check${checks === 1 ? "" : "s"})`, item.stuckDetail ? ` — ${item.stuckDetail}` : "");
}

function renderStages(counts) {
  return h("ol", { class: "media-stages", "aria-label": "Items per stage" }, STAGES.map((stage) =>
    h("li", { class: "card media-stage", dataset: { stage } },
      h("span", { class: "media-count", "data-testid": `count-${slug(stage)}` }, String(counts[stage] || 0)),
      h("span", { class: "muted" }, stage))));
}

function renderTimeline(detail) {
  const events = (detail.timeline || []).map((e) => ({ at: e.at, what: `${e.source} ${e.type}`, text: e.summary || "" }));
  const actions = (detail.actions || []).map((a) => ({
    at: a.createdAt,
    what: `action ${a.kind}`,
    text: `${a.outcome}${a.verification ? ` (verification ${a.verification})` : ""} by ${actorLabel(a.actor)}: ${a.decision || a.reason || ""}`,
  }));
  const entries = [...events, ...actions].sort((a, b) => toMs(a.at) - toMs(b.at));
  if (entries.length === 0) return h("p", { class: "muted" }, "No events for this item yet.");
  return h("ol", { class: "timeline", "data-testid": "media-timeline" }, entries.map((e) => h("li", {},
    h("small", { class: "muted" }, formatTime(e.at)), " ", h("strong", {}, e.what), e.text ? h("br") : null, e.text)));
}

export function mount(root, ctx) {
  const { conn } = ctx;
  root.append(h("h1", { id: "media-title" }, "Media"));
  if (!conn.hasMethod("media.list")) {
    root.append(h("section", { class: "card empty" }, h("p", {},
      "The media pipeline is not available on this gateway (it offers no media.list method). Configure media.apps to track requests from Seerr to playable.")));
    return null;
  }
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" }, "Loading…");
  const stages = h("div", {});
  const apps = h("ul", { class: "media-apps" });
  const stuckList = h("ul", { class: "media-stuck", "aria-labelledby": "media-stuck-title" });
  const doneList = h("ul", { class: "media-done", "aria-labelledby": "media-done-title" });
  const itemList = h("ul", { class: "media-items", "aria-labelledby": "media-items-title" });
  root.append(status, stages, apps,
    h("section", { class: "card" }, h("h2", { id: "media-stuck-title" }, "Stuck"), stuckList),
    h("section", { class: "card" }, h("h2", { id: "media-done-title" }, "Fixes done"), doneList),
    h("section", { class: "card" }, h("h2", { id: "media-items-title" }, "Items"), itemList));

  // Items are redrawn on every refresh: remember which are open and keep their details current.
  const open = new Set();
  let closed = false;

  const loadDetail = async (id, body) => {
    try {
      clear(body, renderTimeline(await conn.request("media.get", { id })));
    } catch (err) {
      clear(body, h("p", { class: "muted" }, `Could not load the timeline: ${err.message}`));
    }
  };

  const itemRow = (item) => {
    const body = h("div", { class: "timeline-body" }, h("p", { class: "muted" }, "Loading…"));
    const details = h("details", {
      class: "media-item",
      dataset: { id: item.id },
      ontoggle: () => {
        if (details.open) {
          open.add(item.id);
          loadDetail(item.id, body);
        } else {
          open.delete(item.id);
        }
      },
    },
    h("summary", {},
      h("strong", {}, item.title || item.id), " ",
      h("span", { class: `badge stage-${slug(item.stage)}` }, item.stage), " ",
      h("small", { class: "muted" }, item.id, item.app ? ` · ${item.app}` : "", ` · ${formatAge(item.updatedAt)}`),
      item.stuckReason ? h("div", {}, stuckLine(item)) : null,
      item.ladder?.length ? h("div", { class: "muted" }, `fixes tried: ${item.ladder.join(", ")}`) : null,
      item.incident ? h("div", { class: "muted" }, `incident ${item.incident}${item.escalated ? " (escalated)" : ""}`) : null),
    body);
    if (open.has(item.id)) details.open = true; // fires toggle, which loads the fresh detail
    return h("li", {}, details);
  };

  const loadDone = async () => {
    if (!conn.hasMethod("actions.list")) {
      clear(doneList, h("li", { class: "muted" }, "The action log is not available on this gateway."));
      return;
    }
    const result = await conn.request("actions.list", { limit: 200 });
    const done = (result.actions || []).filter((a) => String(a.kind || "").startsWith("media.")).slice(0, 20);
    clear(doneList, done.length === 0 ? h("li", { class: "muted" }, "No media fixes yet.") : done.map((a) => h("li", {},
      h("code", {}, a.kind), " ", h("span", { class: `badge outcome-${a.outcome}` }, a.outcome), " ",
      a.target, a.verification ? ` · verification ${a.verification}` : "", " ",
      h("small", { class: "muted" }, `${actorLabel(a.actor)} · ${formatAge(a.createdAt)}`))));
  };

  const reload = async () => {
    try {
      const result = await conn.request("media.list", {});
      if (closed) return;
      const items = result.items || [];
      clear(stages, renderStages(result.counts || {}));
      clear(apps, Object.entries(result.apps || {}).filter(([, s]) => !s.ok).map(([name, s]) =>
        h("li", { class: "banner-inline" }, h("strong", {}, name), `: ${s.error || "not answering"}`)));
      const stuck = items.filter((i) => i.stuck);
      clear(stuckList, stuck.length === 0 ? h("li", { class: "muted" }, "Nothing is stuck.") : stuck.map((i) =>
        h("li", { dataset: { id: i.id } }, h("strong", {}, i.title || i.id), " ", h("span", { class: "badge" }, i.stage), " ", stuckLine(i))));
      clear(itemList, items.map(itemRow));
      status.textContent = items.length ? `${items.length} tracked, ${stuck.length} stuck, updated live` : "No media items tracked yet.";
      await loadDone();
    } catch (err) {
      status.textContent = `Could not load: ${err.message}`;
    }
  };

  const soon = throttled(reload, REFRESH_THROTTLE_MS);
  const off = conn.on("*", (_payload, event) => {
    if (event.startsWith("media.") || event.startsWith("incident.") || event.startsWith("action.")) soon();
  });
  reload();
  return () => {
    closed = true;
    soon.cancel();
    off?.();
  };
}
