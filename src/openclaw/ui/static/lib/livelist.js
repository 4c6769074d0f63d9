// A list screen fed by a `*.list` method and kept current by events (`incident.*`, `action.*`):
// rows are upserted by id as events arrive. When the gateway does not offer the list method the
// screen says which capability is missing instead of showing an empty table that looks final.

import { clear, h } from "./dom.js";

export function itemsOf(result, key) {
  if (Array.isArray(result)) return result;
  if (result && Array.isArray(result[key])) return result[key];
  if (result && Array.isArray(result.items)) return result.items;
  return [];
}

export function itemOf(payload, key) {
  if (payload && typeof payload[key] === "object" && payload[key]) return payload[key];
  return payload;
}

// opts: {conn, root, title, method, resultKey, itemKey, eventPrefix, idOf, columns, missingText,
//        emptyText, rowActions?(item, reload), rowAttrs?(item), onDraw?(tbody), bind?({redraw, reload})}
export function mountLiveList(opts) {
  const { conn, root } = opts;
  const headingId = `${opts.resultKey}-title`;
  root.append(h("h1", { id: headingId }, opts.title));
  if (!conn.hasMethod(opts.method)) {
    root.append(h("section", { class: "card empty" }, h("p", {}, opts.missingText)));
    return null;
  }
  const rows = new Map();
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" }, "Loading…");
  const tbody = h("tbody");
  const table = h("table", { class: "list", "aria-labelledby": headingId },
    h("thead", {}, h("tr", {}, opts.columns.map((c) => h("th", { scope: "col" }, c.label)), opts.rowActions ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")) : null)),
    tbody);
  const wrap = h("div", { class: "table-wrap" }, table);
  root.append(status, wrap);

  const draw = () => {
    const items = [...rows.values()].sort(opts.sort || (() => 0));
    clear(tbody, items.map((item) => h("tr", opts.rowAttrs ? opts.rowAttrs(item) : {},
      opts.columns.map((c) => h("td", { "data-label": c.label }, c.render(item))),
      opts.rowActions ? h("td", { class: "row-actions" }, opts.rowActions(item, reload)) : null)));
    wrap.hidden = items.length === 0;
    status.textContent = items.length === 0 ? opts.emptyText : `${items.length} shown, updated live`;
    opts.onDraw?.(tbody);
  };

  const reload = async () => {
    try {
      const result = await conn.request(opts.method, opts.params || {});
      rows.clear();
      for (const item of itemsOf(result, opts.resultKey)) rows.set(opts.idOf(item), item);
      draw();
    } catch (err) {
      status.textContent = `Could not load: ${err.message}`;
    }
  };

  const off = conn.on("*", (payload, event) => {
    if (!event.startsWith(opts.eventPrefix)) return;
    const item = itemOf(payload, opts.itemKey);
    const id = item && opts.idOf(item);
    if (!id) return;
    rows.set(id, { ...(rows.get(id) || {}), ...item });
    draw();
  });
  opts.bind?.({ redraw: draw, reload });
  reload();
  return off;
}
