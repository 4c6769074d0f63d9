// Device names (`device.names`): every screen shows a paired device by the name it was given at
// approval or by `openclaw devices rename`, never by its 64-character id. One copy per connection,
// refreshed when a pairing changes (`device.pair.resolved`, also sent after a rename).

import { h } from "./dom.js";

// A device id, with the actor prefixes the audit log and chat put before it ("operator:device:<id>").
const DEVICE_ID = /(?:\boperator:)?(?:\bdevice:)?\b([0-9a-f]{64})\b/g;
const cache = new WeakMap(); // conn -> {names: Map, ready: Promise, listeners: Set, hello}

export function deviceNames(conn) {
  let entry = cache.get(conn);
  if (!entry) {
    entry = { names: new Map(), listeners: new Set(), ready: Promise.resolve(), hello: undefined };
    entry.reload = () => {
      entry.hello = conn.hello;
      entry.ready = (async () => {
        if (!conn.hasMethod("device.names")) return entry;
        try {
          const res = await conn.request("device.names", {});
          entry.names = new Map(Object.entries(res?.names || {}));
        } catch {
          // Without names the ids are shown shortened, as before.
        }
        for (const listener of entry.listeners) listener();
        return entry;
      })();
      return entry.ready;
    };
    entry.onChange = (fn) => {
      entry.listeners.add(fn);
      return () => entry.listeners.delete(fn);
    };
    conn.on("*", (_payload, event) => {
      if (event === "device.pair.resolved") entry.reload();
    });
    cache.set(conn, entry);
  }
  // A new connection (a reconnect, another gateway) reads the names again.
  if (entry.hello !== conn.hello) entry.reload();
  return entry;
}

// `text` with each known device id (and its actor prefix) replaced by the device's name, and any
// other long hex id shortened to its first 12 characters.
export function humanize(text, names) {
  return String(text).replace(DEVICE_ID, (whole, id) => names?.get(id) || `${whole.slice(0, whole.length - 52)}…`)
    .replace(/\b([0-9a-f]{12})[0-9a-f]{20,}\b/g, "$1…");
}

// DOM nodes for `text` where device ids become their names (the full id in the tooltip).
export function humanNodes(text, names) {
  const source = String(text);
  const out = [];
  let last = 0;
  for (const m of source.matchAll(DEVICE_ID)) {
    if (m.index > last) out.push(humanize(source.slice(last, m.index), names));
    const name = names?.get(m[1]);
    out.push(name ? h("span", { class: "device-name", title: m[0] }, name) : h("span", { title: m[0] }, humanize(m[0], names)));
    last = m.index + m[0].length;
  }
  if (last < source.length) out.push(humanize(source.slice(last), names));
  return out;
}
