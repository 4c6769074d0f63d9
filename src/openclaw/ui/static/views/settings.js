// Connect / Settings: gateway URL, the shared token, Connect; and what this browser holds.

import { signingBackend } from "../lib/device.js";
import { h } from "../lib/dom.js";
import { clearDeviceAuth, defaultGatewayUrl } from "../lib/settings.js";

const IDENTITY_KEY = "openclaw-device-identity-v1";

let refreshDevice = null;

// Called on every connection state change while this screen is shown.
export function update() {
  if (refreshDevice) refreshDevice();
}

export function mount(root, ctx) {
  const settings = ctx.getSettings();
  const url = h("input", { id: "gateway-url", name: "gatewayUrl", type: "url", required: true, autocomplete: "url", spellcheck: "false", value: settings.gatewayUrl });
  const token = h("input", { id: "gateway-token", name: "token", type: "password", autocomplete: "off", spellcheck: "false", value: settings.token, "aria-describedby": "token-help" });
  const reveal = h("button", {
    type: "button",
    class: "secondary small",
    "aria-pressed": "false",
    "aria-controls": "gateway-token",
    onclick: () => {
      const shown = token.type === "text";
      token.type = shown ? "password" : "text";
      reveal.setAttribute("aria-pressed", String(!shown));
      reveal.textContent = shown ? "Show" : "Hide";
    },
  }, "Show");
  const urlError = h("p", { id: "gateway-url-error", class: "field-error", role: "alert", hidden: true });

  const form = h("form", {
    class: "card stack",
    "aria-labelledby": "settings-title",
    onsubmit: (ev) => {
      ev.preventDefault();
      const value = url.value.trim();
      if (!/^wss?:\/\/[^\s/]+/i.test(value)) {
        urlError.hidden = false;
        urlError.textContent = "Gateway URL: expected ws://host:port/ or wss://host/path/";
        url.setAttribute("aria-invalid", "true");
        url.setAttribute("aria-describedby", "gateway-url-error");
        url.focus();
        return;
      }
      urlError.hidden = true;
      url.removeAttribute("aria-invalid");
      const changed = value !== settings.gatewayUrl || token.value.trim() !== settings.token;
      ctx.saveSettings({ gatewayUrl: value, token: token.value.trim() });
      if (changed) clearDeviceAuth();
      ctx.connect();
    },
  },
    h("div", { class: "field" },
      h("label", { for: "gateway-url" }, "Gateway URL"),
      url,
      urlError,
      h("button", { type: "button", class: "link small", onclick: () => (url.value = defaultGatewayUrl()) }, "Use this page's gateway"),
    ),
    h("div", { class: "field" },
      h("label", { for: "gateway-token" }, "Gateway token"),
      h("div", { class: "input-row" }, token, reveal),
      h("p", { id: "token-help", class: "help" },
        "Kept in this browser only. On the gateway host: ",
        h("code", {}, "grep -A1 '\"token\"' ~/.openclaw/openclaw.json"),
        "; in the pod: ",
        h("code", {}, "kubectl -n openclaw exec deploy/openclaw -- grep -A1 '\"token\"' /home/node/.openclaw/openclaw.json"),
      ),
    ),
    h("div", { class: "actions-row" }, h("button", { type: "submit", class: "primary" }, "Connect")),
  );

  const deviceInfo = h("dl", { class: "facts" });
  const fillDevice = async () => {
    let identity = null;
    try {
      identity = JSON.parse(localStorage.getItem(IDENTITY_KEY) || "null");
    } catch {
      identity = null;
    }
    const backend = (await signingBackend()) === "webcrypto" ? "Ed25519 via WebCrypto" : "Ed25519 in JavaScript (page is not a secure context)";
    deviceInfo.replaceChildren(
      h("dt", {}, "Device id"), h("dd", {}, h("code", { class: "wrap" }, identity?.deviceId || "created on first connect")),
      h("dt", {}, "Signing"), h("dd", {}, backend),
    );
  };
  fillDevice();
  refreshDevice = fillDevice;

  const forget = h("button", {
    type: "button",
    class: "danger",
    onclick: () => {
      if (!confirm("Forget this browser's device key? The gateway will ask for pairing again.")) return;
      localStorage.removeItem(IDENTITY_KEY);
      clearDeviceAuth();
      fillDevice();
      ctx.connect();
    },
  }, "Forget this device");

  root.append(
    h("h1", { id: "settings-title" }, "Connect to the gateway"),
    form,
    h("section", { class: "card stack", "aria-labelledby": "device-title" },
      h("h2", { id: "device-title" }, "This browser"),
      deviceInfo,
      h("div", { class: "actions-row" }, forget),
    ),
  );
}
