// Config: the effective configuration (`config.get`), each value with the layer it came from
// (default, seed, state, env) and secrets redacted by the gateway (every `env` value, every field
// the schema types as a secret, every key named like one): the page never holds one in clear. A value is edited in place
// with `config.set {path, value, baseHash}`; the gateway validates it and a refusal is shown next
// to the field it concerns, with the typed text kept so nothing is lost.

import { clear, h } from "../lib/dom.js";

const REDACTED = "__OPENCLAW_REDACTED__";

// Dotted path as the gateway formats it: dots inside a key are escaped.
export function formatPath(segments) {
  return segments.map((s) => String(s).replace(/\./g, "\\.")).join(".");
}

// [path, value] for every leaf of the tree (objects are walked; lists and scalars are leaves).
export function leaves(tree, prefix = []) {
  if (tree && typeof tree === "object" && !Array.isArray(tree) && Object.keys(tree).length) {
    return Object.entries(tree).flatMap(([k, v]) => leaves(v, [...prefix, k]));
  }
  return prefix.length ? [[formatPath(prefix), tree]] : [];
}

// What the operator typed: JSON when it parses (numbers, booleans, lists, objects), else text,
// the same rule as `openclaw config set`.
export function parseValue(text) {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}

// The Slack card: what `slack.status` reports (tokens only as present or missing).
export function slackFacts(st) {
  if (!st.enabled) return [["State", "off (slack.enabled is false)"]];
  const when = (t) => (t ? new Date(t * 1000).toLocaleString() : "never");
  const channels = Object.entries(st.channels || {}).map(([k, v]) => `${k}: ${v}`).join(", ") || "none set";
  const secrets = st.mode === "socket"
    ? `bot token ${st.botToken ? "present" : "missing"}, app token ${st.appToken ? "present" : "missing"}`
    : `bot token ${st.botToken ? "present" : "missing"}, signing secret ${st.signingSecret ? "present" : "missing"}`;
  return [
    ["State", st.mode === "socket" ? (st.connected ? "connected (Socket Mode)" : "not connected (Socket Mode)") : "HTTP mode (/slack/events, /slack/interactive)"],
    ["Secrets", secrets],
    ["Channels", channels],
    ["People", `${st.approvers} approver(s), ${st.allowedUsers} allowed user(s)`],
    ["Messages", `${st.queued} queued, ${st.sent} sent, ${st.dropped} dropped; last sent ${when(st.lastSentAt)}`],
    ["Last error", st.lastError ? `${st.lastError} (${when(st.lastErrorAt)})` : "none"],
  ];
}

function display(value) {
  if (value === REDACTED) return "•••••• (secret, hidden)";
  if (value === null) return "null (unset)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function mount(root, ctx) {
  const { conn } = ctx;
  root.append(h("h1", {}, "Config"));
  if (!conn.hasMethod("config.get")) {
    root.append(h("section", { class: "card empty" }, h("p", {}, "This gateway does not expose its configuration (no config.get method).")));
    return null;
  }
  const canEdit = conn.can("operator.admin") && conn.hasMethod("config.set");
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" }, "Loading…");
  const filter = h("input", { id: "config-filter", type: "search", placeholder: "gateway.auth", autocomplete: "off" });
  const body = h("div", { class: "stack" });
  let snapshot = null;
  let openSections = new Set(["gateway"]);

  const slack = h("section", { class: "card stack slack-state", "aria-labelledby": "slack-state-title", hidden: true });
  const loadSlack = async () => {
    if (!conn.hasMethod("slack.status")) return;
    try {
      const { slack: st } = await conn.request("slack.status", {});
      clear(slack, [h("h2", { id: "slack-state-title" }, "Slack"),
        h("dl", { class: "facts" }, slackFacts(st).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))]);
      slack.hidden = false;
    } catch (err) {
      clear(slack, [h("h2", { id: "slack-state-title" }, "Slack"), h("p", { class: "muted" }, `Could not read the Slack state: ${err.message}`)]);
      slack.hidden = false;
    }
  };

  root.append(
    slack,
    h("div", { class: "card stack" },
      h("p", { class: "muted file-path" }),
      h("div", { class: "field" }, h("label", { for: "config-filter" }, "Filter by path"), filter),
      status),
    body,
  );

  const editor = (path, value, source) => {
    const id = `cfg-${path.replace(/[^a-zA-Z0-9]+/g, "-")}`;
    const errorId = `${id}-error`;
    const secret = value === REDACTED;
    const input = h("input", {
      id,
      type: secret ? "password" : "text",
      value: secret ? "" : typeof value === "string" ? value : JSON.stringify(value),
      placeholder: secret ? "new secret value" : "",
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": errorId,
    });
    const error = h("p", { id: errorId, class: "field-error", role: "alert", hidden: true });
    const save = h("button", { type: "submit", class: "primary small" }, "Save");
    const form = h("form", {
      class: "config-edit",
      onsubmit: async (ev) => {
        ev.preventDefault();
        if (secret && input.value === "") {
          // The field starts empty because the gateway never sends a secret; saving it as it is
          // would replace the secret with nothing.
          error.textContent = `Type the new secret for ${path}. To remove it, run: openclaw config unset ${path}`;
          error.hidden = false;
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return;
        }
        save.disabled = true;
        error.hidden = true;
        input.removeAttribute("aria-invalid");
        try {
          const res = await conn.request("config.set", { path, value: parseValue(input.value), baseHash: snapshot.hash });
          status.textContent = res?.restartRequired
            ? `Saved ${path}. This change takes effect after a gateway restart.`
            : `Saved ${path}. The gateway applied it.`;
          await reload();
        } catch (err) {
          const problems = Array.isArray(err.details?.problems) ? err.details.problems : [];
          let message = [err.message, ...problems].join(" — ");
          if (err.code === "CONFLICT") {
            // Someone changed the config since this page read it: take the new base hash but keep
            // the editor and the typed value, so Save can simply be pressed again after a look.
            try {
              snapshot = await conn.request("config.get", {});
              message = "The config changed since this page read it. The page now has the current version; check the value and press Save again.";
            } catch (reloadErr) {
              message = `${err.message} (${reloadErr.message})`;
            }
          }
          save.disabled = false;
          error.textContent = message;
          error.hidden = false;
          input.setAttribute("aria-invalid", "true");
          input.focus();
        }
      },
    },
      h("label", { for: id, class: "visually-hidden" }, `New value for ${path}`),
      input, save,
      h("button", { type: "button", class: "secondary small", onclick: () => draw() }, "Cancel"),
      error);
    return form;
  };

  const row = (path, value, source) => {
    const valueCell = h("td", { "data-label": "Value" }, h("code", { class: value === REDACTED ? "secret wrap" : "wrap" }, display(value)));
    const edit = canEdit ? h("button", {
      type: "button",
      class: "secondary small",
      "aria-label": `Edit ${path}`,
      onclick: () => {
        clear(valueCell, editor(path, value, source));
        valueCell.querySelector("input").focus();
      },
    }, "Edit") : null;
    return h("tr", { "data-path": path },
      h("th", { scope: "row", "data-label": "Path" }, h("code", {}, path)),
      valueCell,
      h("td", { "data-label": "Source" }, h("span", { class: `badge source-${source}`, title: `from the ${source} layer` }, source)),
      canEdit ? h("td", { class: "row-actions" }, edit) : null);
  };

  const draw = () => {
    if (!snapshot) return;
    const q = filter.value.trim().toLowerCase();
    const sources = snapshot.sources || {};
    const groups = new Map();
    for (const [path, value] of leaves(snapshot.config || {})) {
      if (q && !path.toLowerCase().includes(q)) continue;
      const section = path.split(".")[0];
      if (!groups.has(section)) groups.set(section, []);
      groups.get(section).push([path, value, sources[path] || "default"]);
    }
    clear(body, [...groups.entries()].map(([section, items]) => {
      const details = h("details", { class: "card config-section", open: q !== "" || openSections.has(section) },
        h("summary", {}, h("span", { class: "section-name" }, section), h("span", { class: "muted" }, ` ${items.length} values`)),
        h("div", { class: "table-wrap" }, h("table", { class: "list config" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Path"), h("th", { scope: "col" }, "Value"), h("th", { scope: "col" }, "Source"), canEdit ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Edit")) : null)),
          h("tbody", {}, items.map(([p, v, s]) => row(p, v, s))))));
      details.addEventListener("toggle", () => {
        if (details.open) openSections.add(section);
        else openSections.delete(section);
      });
      return details;
    }));
    if (groups.size === 0) body.append(h("p", { class: "muted" }, "No config path matches the filter."));
  };

  const reload = async () => {
    try {
      snapshot = await conn.request("config.get", {});
      root.querySelector(".file-path").textContent = `State file: ${snapshot.path}${snapshot.seedPath ? ` · seed: ${snapshot.seedPath}` : ""}`;
      if (!status.textContent.startsWith("Saved")) status.textContent = "Secrets are hidden. Values set in the state file override the seed.";
      draw();
    } catch (err) {
      status.textContent = `Could not load the config: ${err.message}`;
    }
  };
  filter.addEventListener("input", draw);
  const off = conn.on("config.changed", () => { reload(); loadSlack(); });
  reload();
  loadSlack();
  // The connection and the queue change without a config change: read them again while shown.
  const slackTimer = setInterval(loadSlack, 5000);
  return () => { off(); clearInterval(slackTimer); };
}
