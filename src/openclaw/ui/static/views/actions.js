// Actions: the audit log of every requested action (`actions.list`, `action.*` events), and the
// actions waiting for a human approval (`approvals.list`, approve/deny) when the gateway has them.
// `#/actions/<id>` (the links chat and other screens draw for an action id) scrolls to that
// action and marks it. Devices are shown by their names.

import { clear, formatAge, h, toMs } from "../lib/dom.js";
import { actorLabel, pick, targetLabel } from "../lib/fields.js";
import { itemsOf, mountLiveList } from "../lib/livelist.js";
import { actionHref } from "../lib/markdown.js";
import { deviceNames } from "../lib/names.js";

// The action id in `#/actions/<id>`, if any.
export function focusedActionId(hash = location.hash) {
  const m = /^#\/actions\/([^/?#]+)/.exec(hash);
  return m ? decodeURIComponent(m[1]) : null;
}

function mountApprovals(root, conn, names) {
  if (!conn.hasMethod("approvals.list")) return null;
  const section = h("section", { class: "card stack", "aria-labelledby": "approvals-title" }, h("h2", { id: "approvals-title" }, "Waiting for approval"));
  const list = h("ul", { class: "approvals" });
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" }, "Loading…");
  section.append(status, list);
  root.append(section);
  const canDecide = conn.can("operator.approvals");

  const decide = async (item, verb, button) => {
    button.disabled = true;
    try {
      await conn.request(`approvals.${verb}`, { id: item.id });
      await reload();
    } catch (err) {
      button.disabled = false;
      status.textContent = `${verb} ${item.id} failed: ${err.message}`;
    }
  };

  const reload = async () => {
    try {
      const items = itemsOf(await conn.request("approvals.list", {}), "approvals").filter((a) => !a.status || a.status === "pending");
      status.textContent = items.length ? `${items.length} waiting` : "Nothing is waiting for approval.";
      clear(list, items.map((a) => {
        const label = `${pick(a, "kind", "action")} ${targetLabel(a.target)}`;
        const approve = h("button", { type: "button", class: "primary small", "aria-label": `Approve ${label}`, onclick: (ev) => decide(a, "approve", ev.currentTarget) }, "Approve");
        const deny = h("button", { type: "button", class: "danger small", "aria-label": `Deny ${label}`, onclick: (ev) => decide(a, "deny", ev.currentTarget) }, "Deny");
        return h("li", { class: "approval" },
          h("div", {}, h("strong", {}, label), h("p", { class: "muted" }, pick(a, "reason"), " · ", actorLabel(a.actor, names.names), " · ", formatAge(pick(a, "createdAt", "requestedAt", "ts")))),
          canDecide ? h("div", { class: "row-actions" }, approve, deny) : null);
      }));
    } catch (err) {
      status.textContent = `Could not load approvals: ${err.message}`;
    }
  };
  const off = conn.on("*", (_payload, event) => {
    if (event.startsWith("approval.")) reload();
  });
  reload();
  const offNames = names.onChange(reload);
  return () => {
    off();
    offNames();
  };
}

export function mount(root, ctx) {
  const names = deviceNames(ctx.conn);
  names.reload();
  const offApprovals = mountApprovals(root, ctx.conn, names);
  let list = null;
  let scrolledTo = null;
  const focus = (tbody) => {
    const id = focusedActionId();
    for (const row of tbody.querySelectorAll("tr.focused")) row.classList.remove("focused");
    const row = id ? tbody.querySelector(`tr[data-action-id="${CSS.escape(id)}"]`) : null;
    if (!row) return;
    row.classList.add("focused");
    row.setAttribute("aria-current", "true");
    if (scrolledTo !== id) {  // once per link followed, not on every live update
      scrolledTo = id;
      row.scrollIntoView({ block: "center" });
    }
  };
  const offList = mountLiveList({
    conn: ctx.conn,
    root,
    title: "Actions",
    method: "actions.list",
    resultKey: "actions",
    itemKey: "action",
    eventPrefix: "action.",
    idOf: (a) => a.id,
    sort: (a, b) => toMs(pick(b, "ts", "createdAt")) - toMs(pick(a, "ts", "createdAt")),
    missingText: "The action log is not available on this gateway yet (it offers no actions.list method). Every action the agent or a runbook requests will be listed here once it is.",
    emptyText: "No actions yet. Every requested action, allowed or refused, is recorded here.",
    rowAttrs: (a) => ({ "data-action-id": a.id, id: `action-${a.id}` }),
    onDraw: focus,
    bind: (handle) => (list = handle),
    columns: [
      { label: "When", render: (a) => formatAge(pick(a, "ts", "createdAt")) },
      { label: "Id", render: (a) => h("a", { href: actionHref(a.id), class: "action-link" }, h("code", {}, a.id)) },
      { label: "Action", render: (a) => h("code", {}, pick(a, "kind", "action")) },
      { label: "Target", render: (a) => targetLabel(a.target) },
      { label: "Requested by", render: (a) => actorLabel(a.actor, names.names) },
      { label: "Approved by", render: (a) => (a.resolvedBy ? `${a.resolution === "denied" ? "denied by " : ""}${actorLabel(a.resolvedBy, names.names)}` : "") },
      { label: "Outcome", render: (a) => h("span", { class: `badge outcome-${pick(a, "outcome", "decision", "status")}` }, pick(a, "outcome", "decision", "status")) },
      { label: "Why", render: (a) => pick(a, "reason", "explanation") },
    ],
  });
  // The approvals section sits above the list; mountLiveList appended its heading after it.
  const heading = root.querySelector("h1");
  if (heading) root.prepend(heading);
  const offNames = names.onChange(() => list?.redraw());
  // Following another action's link while this screen is open only moves the focus.
  const onHash = () => list?.redraw();
  window.addEventListener("hashchange", onHash);
  return () => {
    offApprovals?.();
    offList?.();
    offNames();
    window.removeEventListener("hashchange", onHash);
  };
}
