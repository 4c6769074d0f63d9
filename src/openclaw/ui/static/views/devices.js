// Devices: pending pairing requests and paired devices (`device.pair.list`), with approve/reject
// for requests and revoke (unpair) for devices when this browser holds operator.pairing.

import { clear, formatAge, h, shortId } from "../lib/dom.js";

function deviceName(d) {
  return d.displayName || d.clientId || "device";
}

export function mount(root, ctx) {
  const { conn } = ctx;
  root.append(h("h1", {}, "Devices"));
  if (!conn.hasMethod("device.pair.list")) {
    root.append(h("section", { class: "card empty" }, h("p", {}, "This gateway does not list devices (no device.pair.list method).")));
    return null;
  }
  const canManage = conn.can("operator.pairing");
  const self = conn.identity?.deviceId;
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" }, "Loading…");
  const pendingBody = h("div");
  const pairedBody = h("div");
  root.append(
    status,
    h("section", { class: "card stack", "aria-labelledby": "pending-title" }, h("h2", { id: "pending-title" }, "Pending requests"), pendingBody),
    h("section", { class: "card stack", "aria-labelledby": "paired-title" }, h("h2", { id: "paired-title" }, "Paired devices"), pairedBody),
  );

  const act = async (method, params, button, done) => {
    button.disabled = true;
    try {
      await conn.request(method, params);
      status.textContent = done;
      await reload();
    } catch (err) {
      button.disabled = false;
      status.textContent = `${method} failed: ${err.message}`;
    }
  };

  const table = (label, head, rows) => h("div", { class: "table-wrap" },
    h("table", { class: "list", "aria-label": label },
      h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows)));

  const reload = async () => {
    let data;
    try {
      data = await conn.request("device.pair.list", {});
    } catch (err) {
      status.textContent = `Could not load devices: ${err.message}`;
      return;
    }
    const pending = data?.pending || [];
    const paired = data?.paired || [];
    status.textContent = `${pending.length} pending, ${paired.length} paired`;
    clear(pendingBody, pending.length === 0
      ? h("p", { class: "muted" }, "No pending requests.")
      : table("Pending requests", ["Request", "Device", "Client", "Address", "Asked", canManage ? "Decision" : null].filter(Boolean),
        pending.map((r) => h("tr", { "data-request-id": r.requestId },
          h("td", { "data-label": "Request" }, h("code", {}, r.requestId)),
          h("td", { "data-label": "Device" }, h("code", { title: r.deviceId }, shortId(r.deviceId)), r.deviceId === self ? h("span", { class: "badge" }, "this browser") : null),
          h("td", { "data-label": "Client" }, `${deviceName(r)}${r.platform ? ` (${r.platform})` : ""}`, r.isRepair ? h("span", { class: "badge" }, "repair") : null),
          h("td", { "data-label": "Address" }, r.remoteIp || ""),
          h("td", { "data-label": "Asked" }, formatAge(r.ts)),
          canManage ? h("td", { class: "row-actions" },
            h("button", { type: "button", class: "primary small", "aria-label": `Approve request ${r.requestId}`, onclick: (ev) => act("device.pair.approve", { requestId: r.requestId }, ev.currentTarget, `Approved ${shortId(r.deviceId)}`) }, "Approve"),
            h("button", { type: "button", class: "danger small", "aria-label": `Reject request ${r.requestId}`, onclick: (ev) => act("device.pair.reject", { requestId: r.requestId }, ev.currentTarget, `Rejected ${shortId(r.deviceId)}`) }, "Reject"),
          ) : null))));
    clear(pairedBody, paired.length === 0
      ? h("p", { class: "muted" }, "No paired devices.")
      : table("Paired devices", ["Device", "Client", "Roles", "Scopes", "Tokens", "Address", "Approved", canManage ? "Manage" : null].filter(Boolean),
        paired.map((d) => h("tr", { "data-device-id": d.deviceId },
          h("td", { "data-label": "Device" }, h("code", { title: d.deviceId }, shortId(d.deviceId)), d.deviceId === self ? h("span", { class: "badge self" }, "this browser") : null),
          h("td", { "data-label": "Client" }, `${deviceName(d)}${d.platform ? ` (${d.platform})` : ""}`),
          h("td", { "data-label": "Roles" }, (d.roles || []).join(", ")),
          h("td", { "data-label": "Scopes" }, (d.scopes || []).map((s) => s.replace(/^operator\./, "")).join(", ")),
          h("td", { "data-label": "Tokens" }, Object.entries(d.tokens || {}).map(([role, t]) => `${role}${t.revokedAtMs ? " (revoked)" : ""}`).join(", ")),
          h("td", { "data-label": "Address" }, d.remoteIp || ""),
          h("td", { "data-label": "Approved" }, formatAge(d.approvedAtMs)),
          canManage && conn.hasMethod("device.pair.remove") ? h("td", { class: "row-actions" },
            h("button", {
              type: "button",
              class: "danger small",
              "aria-label": `Revoke device ${d.deviceId}`,
              onclick: (ev) => {
                const warning = d.deviceId === self ? "Revoke this browser? It will need pairing again." : `Revoke ${deviceName(d)}? It will need pairing again.`;
                if (confirm(warning)) act("device.pair.remove", { deviceId: d.deviceId }, ev.currentTarget, `Revoked ${shortId(d.deviceId)}`);
              },
            }, "Revoke"),
          ) : null))));
  };

  const off = conn.on("*", (_payload, event) => {
    if (event.startsWith("device.pair.")) reload();
  });
  reload();
  return off;
}
