// What the browser keeps between visits, in localStorage: the connection settings (gateway URL
// and shared token) and the device token the gateway issued after pairing. The device key itself
// lives in device.js. Key names follow the upstream Control UI so a reader recognizes them.

const SETTINGS_KEY = "openclaw.control.settings.v1";
const DEVICE_AUTH_KEY = "openclaw.device.auth.v1";

function read(key) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function write(key, value) {
  if (value === null) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify(value));
}

// The gateway answers the WebSocket at the page's own directory: `/` by default, `<basePath>/`
// when gateway.controlUi.basePath is set. Taking it from the address the page was loaded from
// (rather than from the gateway's config) keeps it right behind a proxy that keeps the prefix
// (https://home.lan/openclaw/ -> gateway /openclaw/) and one that strips it (-> gateway /).
export function basePathOf(loc = window.location) {
  return loc.pathname.slice(0, loc.pathname.lastIndexOf("/") + 1) || "/";
}

export function defaultGatewayUrl(loc = window.location) {
  const proto = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${loc.host}${basePathOf(loc)}`;
}

export function loadSettings() {
  const stored = read(SETTINGS_KEY) || {};
  return {
    gatewayUrl: typeof stored.gatewayUrl === "string" && stored.gatewayUrl ? stored.gatewayUrl : defaultGatewayUrl(),
    token: typeof stored.token === "string" ? stored.token : "",
  };
}

export function saveSettings(settings) {
  write(SETTINGS_KEY, { gatewayUrl: settings.gatewayUrl, token: settings.token });
}

// The device token is bound to the gateway that issued it and to this device key.
export function loadDeviceAuth(gatewayUrl, deviceId) {
  const stored = read(DEVICE_AUTH_KEY);
  if (!stored || stored.gatewayUrl !== gatewayUrl || stored.deviceId !== deviceId) return null;
  return typeof stored.token === "string" && stored.token ? stored : null;
}

export function saveDeviceAuth(gatewayUrl, deviceId, auth) {
  write(DEVICE_AUTH_KEY, {
    gatewayUrl,
    deviceId,
    token: auth.deviceToken,
    role: auth.role,
    scopes: auth.scopes || [],
    issuedAtMs: auth.issuedAtMs || Date.now(),
  });
}

export function clearDeviceAuth() {
  write(DEVICE_AUTH_KEY, null);
}

// A tokenized dashboard link (`/#token=...`) fills the token once; the fragment is then removed
// from the address bar and history so the secret is not left in the URL, bookmarks or screenshots.
// Only the fragment is read: a fragment never reaches the server, so it never lands in its logs.
// The gateway URL is never taken from the link (an attacker-chosen URL would receive the token).
export function takeTokenFromUrl(loc = window.location, hist = window.history) {
  const hash = loc.hash.startsWith("#") ? loc.hash.slice(1) : loc.hash;
  if (!hash || hash.startsWith("/")) return null;
  const params = new URLSearchParams(hash);
  const token = params.get("token");
  if (token === null) return null;
  hist.replaceState(null, "", loc.pathname + loc.search);
  return token.trim();
}
