// Pairing required: the request id, the exact approve commands, and a note that the page keeps
// trying by itself (the connection retries every few seconds until the device is approved).

import { commandLine, h } from "../lib/dom.js";

export function mount(root, ctx) {
  const state = ctx.conn.state;
  const id = state.requestId;
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" }, "Waiting for approval. This page connects by itself once the device is approved.");
  root.append(
    h("section", { class: "card stack pairing", "aria-labelledby": "pairing-title" },
      h("h1", { id: "pairing-title" }, "Pairing required"),
      h("p", {}, "The gateway accepted the token, but this browser is a new device. An operator must approve it once; the pairing is then remembered."),
      id
        ? h("dl", { class: "facts" },
            h("dt", {}, "Request id"), h("dd", {}, h("code", { class: "request-id" }, id)),
            h("dt", {}, "Device id"), h("dd", {}, h("code", { class: "wrap" }, state.deviceId || "")))
        : h("p", {}, "The gateway did not give a request id; list pending requests to find it."),
      h("h2", {}, "On the gateway host"),
      commandLine("openclaw devices list", "list pending requests"),
      id ? commandLine(`openclaw devices approve ${id}`, "approve on the gateway host") : null,
      h("h2", {}, "In Kubernetes"),
      commandLine("kubectl -n openclaw exec deploy/openclaw -- openclaw devices list", "list pending requests in the pod"),
      id ? commandLine(`kubectl -n openclaw exec deploy/openclaw -- openclaw devices approve ${id}`, "approve in the pod") : null,
      status,
      h("div", { class: "actions-row" },
        h("button", { type: "button", class: "secondary", onclick: () => ctx.conn.start() }, "Check now"),
        h("a", { href: "#/settings", class: "button-link secondary" }, "Settings"),
      ),
    ),
  );
}
