// Logs: the gateway's recent log records (`logs.tail`), followed live by asking for records after
// the last cursor every second while this screen is open. Messages are event names; the data
// fields are shown beside them as the gateway logged them (already redacted by the gateway).

import { h } from "../lib/dom.js";

const POLL_MS = 1000;
const MAX_LINES = 1000;
const BASE_FIELDS = new Set(["seq", "ts", "level", "logger", "msg"]);

function line(rec) {
  const extras = Object.entries(rec).filter(([k]) => !BASE_FIELDS.has(k)).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
  const time = new Date(rec.ts).toLocaleTimeString();
  return h("li", { class: `log-line level-${rec.level}`, "data-level": rec.level },
    h("span", { class: "log-time" }, time), " ",
    h("span", { class: "log-level" }, (rec.level || "").toUpperCase()), " ",
    h("span", { class: "log-msg" }, rec.msg), " ",
    extras ? h("span", { class: "log-extra" }, extras) : null,
    h("span", { class: "log-logger muted" }, ` ${rec.logger || ""}`));
}

export function mount(root, ctx) {
  const { conn } = ctx;
  root.append(h("h1", {}, "Logs"));
  if (!conn.hasMethod("logs.tail")) {
    root.append(h("section", { class: "card empty" }, h("p", {}, "This gateway does not offer its logs (no logs.tail method).")));
    return null;
  }
  let cursor = 0;
  let paused = false;
  let timer = null;
  let stopped = false;
  const list = h("ol", { class: "log-list", "aria-label": "Log records" });
  const status = h("p", { class: "muted", role: "status" }, "Loading…");
  const level = h("select", { id: "log-level" },
    ["debug", "info", "warning", "error"].map((l) => h("option", { value: l, selected: l === "debug" }, l)));
  const pause = h("button", {
    type: "button",
    class: "secondary",
    "aria-pressed": "false",
    onclick: () => {
      paused = !paused;
      pause.setAttribute("aria-pressed", String(paused));
      pause.textContent = paused ? "Resume" : "Pause";
      status.textContent = paused ? "Paused" : "Following live";
    },
  }, "Pause");
  const order = ["debug", "info", "warning", "error", "critical"];
  const applyLevel = () => {
    const min = order.indexOf(level.value);
    for (const li of list.children) li.hidden = order.indexOf(li.dataset.level) < min;
  };
  level.addEventListener("change", applyLevel);

  root.append(
    h("div", { class: "card toolbar" },
      h("div", { class: "field inline" }, h("label", { for: "log-level" }, "Minimum level"), level),
      pause, status),
    h("div", { class: "log-wrap", tabindex: "0", "aria-label": "Log output" }, list),
  );

  const poll = async () => {
    if (stopped) return;
    if (!paused && conn.connected) {
      try {
        const res = await conn.request("logs.tail", { after: cursor, limit: 500 });
        const wrap = list.parentElement;
        const atBottom = wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 8;
        for (const rec of res.lines || []) list.append(line(rec));
        while (list.children.length > MAX_LINES) list.firstChild.remove();
        cursor = res.cursor ?? cursor;
        applyLevel();
        if (atBottom) wrap.scrollTop = wrap.scrollHeight;
        status.textContent = "Following live";
      } catch (err) {
        status.textContent = `Could not read logs: ${err.message}`;
      }
    }
    timer = setTimeout(poll, POLL_MS);
  };
  poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
