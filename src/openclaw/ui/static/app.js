// Control UI entry point: settings, the gateway connection, the hash router and the banner.

import { Connection } from "./lib/connection.js";
import { clear, h } from "./lib/dom.js";
import { describeRefusal, formatDuration } from "./lib/errors.js";
import { loadSettings, saveSettings, takeTokenFromUrl } from "./lib/settings.js";
import * as actions from "./views/actions.js";
import * as chat from "./views/chat.js";
import * as config from "./views/config.js";
import * as devices from "./views/devices.js";
import * as incidents from "./views/incidents.js";
import * as logs from "./views/logs.js";
import * as media from "./views/media.js";
import * as overview from "./views/overview.js";
import * as pairing from "./views/pairing.js";
import * as settingsView from "./views/settings.js";

const VIEWS = { overview, chat, incidents, actions, media, devices, config, logs, settings: settingsView };
const DEFAULT_ROUTE = "overview";

const main = document.getElementById("main");
const banner = document.getElementById("banner");
const statusLine = document.getElementById("conn-status");
const nav = document.getElementById("nav");
const navToggle = document.getElementById("nav-toggle");

let settings = loadSettings();
const tokenFromUrl = takeTokenFromUrl();
if (tokenFromUrl) {
  settings = { ...settings, token: tokenFromUrl };
  saveSettings(settings);
}

const conn = new Connection({ getSettings: () => settings, onState: () => render() });

let mounted = { key: null, view: null, cleanup: null };
let countdownTimer = null;

const ctx = {
  conn,
  getSettings: () => settings,
  saveSettings(next) {
    settings = { ...settings, ...next };
    saveSettings(settings);
  },
  connect() {
    if (currentRoute() === "settings") history.replaceState(null, "", `${location.pathname}${location.search}#/${DEFAULT_ROUTE}`);
    conn.start();
  },
  navigate(route) {
    location.hash = `#/${route}`;
  },
  // The route's parts after the screen's name (`#/incidents/inc-7` -> ["inc-7"]) and its query
  // (`#/incidents?status=firing`): links to one record or to a filtered list.
  route: () => routeParts(),
};

function routeParts() {
  const m = /^#\/([a-z-]+)((?:\/[^?]*)?)(?:\?(.*))?$/.exec(location.hash) || [];
  const path = (m[2] || "").split("/").filter(Boolean).map(decodeURIComponent);
  return { name: m[1] || "", path, params: new URLSearchParams(m[3] || "") };
}

function currentRoute() {
  const name = routeParts().name;
  return VIEWS[name] || name === "pairing" ? name : DEFAULT_ROUTE;
}

// Which screen the state and the route call for.
function screenFor(state) {
  const route = currentRoute();
  // A drop keeps the screen in place (with the banner) so a blip does not throw away what the
  // operator was reading or typing; the reconnect brings a fresh copy.
  const transient = state.phase === "disconnected" || state.phase === "connecting";
  if (transient && route !== "settings" && mounted.view && mounted.view !== settingsView && mounted.view !== pairing) {
    return { key: mounted.key, view: mounted.view };
  }
  if (route === "settings") return { key: "settings", view: settingsView };
  if (state.phase === "pairing") return { key: `pairing:${state.requestId}`, view: pairing };
  if (state.phase === "connected") {
    const view = VIEWS[route] || overview;
    // A record's own page (`#/incidents/inc-7`) is a screen of its own; a filter change is not.
    const sub = routeParts().path.join("/");
    return { key: `${route}${sub ? `/${sub}` : ""}:${conn.hello?.server?.connId || ""}`, view };
  }
  return { key: "settings", view: settingsView };
}

function render() {
  const state = conn.state;
  const screen = screenFor(state);
  renderStatus(state);
  renderBanner(state);
  renderNav(state, screen);
  if (screen.key !== mounted.key) {
    if (mounted.cleanup) mounted.cleanup();
    clear(main);
    mounted = { key: screen.key, view: screen.view, cleanup: screen.view.mount(main, ctx) || null };
  } else if (screen.view.update) {
    screen.view.update(main, ctx);
  }
}

function renderStatus(state) {
  const text = {
    idle: "Not connected",
    connecting: "Connecting…",
    connected: "Connected",
    pairing: "Pairing required",
    refused: "Connection refused",
    disconnected: "Disconnected",
  }[state.phase];
  statusLine.textContent = text;
  statusLine.dataset.phase = state.phase;
}

function renderNav(state, screen) {
  const connected = state.phase === "connected" || (screen.view !== settingsView && screen.view !== pairing);
  for (const link of nav.querySelectorAll("a[data-route]")) {
    const needs = link.hasAttribute("data-needs-connection");
    link.parentElement.hidden = needs && !connected;
    const active = screen.key.split(/[:/]/)[0] === link.dataset.route;
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function renderBanner(state) {
  clearInterval(countdownTimer);
  const show = (kind, ...children) => {
    banner.hidden = false;
    banner.className = `banner ${kind}`;
    banner.setAttribute("role", kind === "error" ? "alert" : "status");
    clear(banner, ...children);
  };
  if (state.phase === "disconnected") {
    const line = h("span", {});
    const tick = () => {
      const left = Math.max(0, (state.retryAt || Date.now()) - Date.now());
      const why = state.code ? ` (${state.code}${state.reason ? `: ${state.reason}` : ""})` : "";
      line.textContent = `Disconnected from the gateway${why}. ${state.attempting ? "Reconnecting now…" : `Retrying in ${formatDuration(left)}…`}`;
    };
    tick();
    countdownTimer = setInterval(tick, 1000);
    show("warning", line, h("button", { type: "button", class: "secondary small", onclick: () => conn.start() }, "Retry now"));
    return;
  }
  if (state.phase === "refused") {
    const text = describeRefusal(state.refusal);
    const detail = state.message ? h("p", { class: "detail" }, `Gateway said: ${state.message}`) : null;
    const children = [h("strong", { class: "refusal-title" }, text.title), text.hint ? h("p", {}, text.hint) : null, detail];
    if (state.refusal.lockoutMs > 0 && state.refusal.kind !== "rate-limited") {
      children.push(h("p", { class: "countdown" }, `Too many failed attempts: the gateway locks this address out for ${formatDuration(state.refusal.lockoutMs)}.`));
    }
    if (state.refusal.kind === "rate-limited") {
      const line = h("p", { class: "countdown" });
      const tick = () => {
        line.textContent = `Trying again in ${formatDuration(Math.max(0, state.retryAt - Date.now()))}.`;
      };
      tick();
      countdownTimer = setInterval(tick, 1000);
      children.push(line);
    }
    show("error", ...children);
    return;
  }
  banner.hidden = true;
  clear(banner);
}

navToggle.addEventListener("click", () => {
  const open = navToggle.getAttribute("aria-expanded") !== "true";
  navToggle.setAttribute("aria-expanded", String(open));
  nav.classList.toggle("open", open);
});
nav.addEventListener("click", (ev) => {
  if (ev.target.closest("a")) {
    navToggle.setAttribute("aria-expanded", "false");
    nav.classList.remove("open");
  }
});

// The skip link moves focus at once and leaves the route alone: as a plain "#main" link its hash
// change arrived a moment later and pulled focus back from whatever the operator had moved on to.
document.querySelector(".skip-link").addEventListener("click", (ev) => {
  ev.preventDefault();
  main.focus();
});

window.addEventListener("hashchange", () => {
  if (!/^#\/[a-z-]/.test(location.hash)) return; // only "#/<route>" is a route
  render();
  main.focus({ preventScroll: true });
});

render();
conn.start();
