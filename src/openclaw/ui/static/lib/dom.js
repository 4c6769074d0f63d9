// Tiny DOM builder: text always goes in as text nodes, never as HTML, so gateway data
// (alert titles, log lines, chat replies) cannot inject markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// Epoch milliseconds from what the gateway sends: epoch ms, epoch seconds (float), or ISO text.
export function toMs(value) {
  if (value === null || value === undefined || value === "") return NaN;
  if (typeof value === "number") return value < 1e12 ? value * 1000 : value;
  return Date.parse(value);
}

export function formatTime(value) {
  const t = toMs(value);
  if (Number.isNaN(t)) return value ? String(value) : "";
  return new Date(t).toLocaleString();
}

export function formatAge(value, now = Date.now()) {
  const t = toMs(value);
  if (Number.isNaN(t)) return "";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

export function shortId(id, n = 12) {
  return id && id.length > n ? `${id.slice(0, n)}…` : id || "";
}

// A copyable command line: <code> plus a Copy button (clipboard needs a secure context; the
// text stays selectable either way).
export function commandLine(text, label) {
  const code = h("code", { class: "cmd" }, text);
  const button = h("button", {
    type: "button",
    class: "secondary small",
    "aria-label": `Copy: ${label || text}`,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch {
        const range = document.createRange();
        range.selectNodeContents(code);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        button.textContent = "Selected";
      }
      setTimeout(() => (button.textContent = "Copy"), 1500);
    },
  }, "Copy");
  return h("div", { class: "cmdline" }, code, button);
}

// `fn` at most once per `ms`, never pushed back by the next call: a view that reloads on events must
// still reload while they keep coming (a busy pipeline sends them faster than any debounce).
export function throttled(fn, ms) {
  let timer = null;
  const call = () => {
    if (timer !== null) return;
    timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
  call.cancel = () => { clearTimeout(timer); timer = null; };
  return call;
}
