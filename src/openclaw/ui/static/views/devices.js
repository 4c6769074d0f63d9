// Devices: pending pairing requests and paired devices (`device.pair.list`), with approve/reject
// for requests and revoke (unpair) for devices when this browser holds operator.pairing. A
// device is named as it is approved, or renamed here (`device.rename`); the name is what every
// other screen shows for it.

import { clear, formatAge, h, shortId } from "../lib/dom.js";

function clientName(d) {
  return d.displayName || d.clientId || "device";
}

function deviceName(d) {
  return d.name || clientName(d);
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
  // What the last button did; kept apart from the counts, which every live reload rewrites.
  const notice = h("p", { class: "muted", role: "status", "aria-live": "polite" });
  const pendingBody = h("div");
  const pairedBody = h("div");
  root.append(
    status,
    notice,
    h("section", { class: "card stack", "aria-labelledby": "pending-title" }, h("h2", { id: "pending-title" }, "Pending requests"), pendingBody),
    h("section", { class: "card stack", "aria-labelledby": "paired-title" }, h("h2", { id: "paired-title" }, "Paired devices"), pairedBody),
  );

  const act = async (method, params, button, done) => {
    button.disabled = true;
    try {
      const result = await conn.request(method, params);
      notice.textContent = typeof done === "function" ? done(result) : done;
      await reload();
    } catch (err) {
      button.disabled = false;
      notice.textContent = `${method} failed: ${err.message}`;
    }
  };

  // Inline rename: the field holds the current name; Save sends device.rename, a refusal is shown beside it.
  const renameForm = (d) => {
    const input = h("input", { type: "text", class: "small", maxlength: 64, value: d.name || "", placeholder: clientName(d), "aria-label": `Name of device ${d.deviceId}` });
    const problem = h("span", { class: "field-error", role: "alert" });
    return h("form", { class: "rename", onsubmit: async (ev) => {
      ev.preventDefault();
      const button = ev.currentTarget.querySelector("button");
      button.disabled = true;
      problem.textContent = "";
      try {
        const done = await conn.request("device.rename", { deviceId: d.deviceId, name: input.value });
        await reload();
        notice.textContent = `Renamed to ${done?.name ?? input.value.trim()}`;
      } catch (err) {
        button.disabled = false;
        problem.textContent = err.message;
      }
    } }, input, h("button", { type: "submit", class: "secondary small", "aria-label": `Save the name of device ${d.deviceId}` }, "Save"), problem);
  };

  const table = (label, head, rows) => h("div", { class: "table-wrap" },
    h("table", { class: "list devices-table", "aria-label": label },
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
          h("td", { "data-label": "Client" }, `${clientName(r)}${r.platform ? ` (${r.platform})` : ""}`, r.isRepair ? h("span", { class: "badge" }, "repair") : null),
          h("td", { "data-label": "Address" }, r.remoteIp || ""),
          h("td", { "data-label": "Asked" }, formatAge(r.ts)),
          canManage ? h("td", { class: "row-actions" }, ((nameInput) => [
            nameInput,
            h("button", { type: "button", class: "primary small", "aria-label": `Approve request ${r.requestId}`, onclick: (ev) => {
              const name = nameInput.value.trim();
              act("device.pair.approve", name ? { requestId: r.requestId, name } : { requestId: r.requestId }, ev.currentTarget,
                (res) => `Approved ${res?.device?.name || shortId(r.deviceId)}`);
            } }, "Approve"),
          ])(h("input", { type: "text", class: "small", maxlength: 64, placeholder: "Name (optional)", "aria-label": `Name for the device of request ${r.requestId}` })),
            h("button", { type: "button", class: "danger small", "aria-label": `Reject request ${r.requestId}`, onclick: (ev) => act("device.pair.reject", { requestId: r.requestId }, ev.currentTarget, `Rejected ${shortId(r.deviceId)}`) }, "Reject"),
          ) : null))));
    clear(pairedBody, paired.length === 0
      ? h("p", { class: "muted" }, "No paired devices.")
      : table("Paired devices", ["Name", "Device", "Client", "Roles", "Scopes", "Tokens", "Address", "Approved", canManage ? "Manage" : null].filter(Boolean),
        paired.map((d) => h("tr", { "data-device-id": d.deviceId },
          h("td", { "data-label": "Name", class: "device-name-cell" }, canManage && conn.hasMethod("device.rename") ? renameForm(d) : (d.name || h("span", { class: "muted" }, "unnamed")),
            d.deviceId === self ? h("span", { class: "badge self" }, "this browser") : null),
          h("td", { "data-label": "Device" }, h("code", { title: d.deviceId }, shortId(d.deviceId))),
          h("td", { "data-label": "Client" }, `${clientName(d)}${d.platform ? ` (${d.platform})` : ""}`),
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
