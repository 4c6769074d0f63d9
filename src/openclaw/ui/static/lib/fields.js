// Reading loosely-shaped records: the first present field of several names, and a short label
// for a target object (`{namespace, kind, name}` or a string).

import { humanize } from "./names.js";

export function pick(item, ...names) {
  for (const name of names) {
    const v = item?.[name];
    if (v !== undefined && v !== null && v !== "") return v;
  }
  return "";
}

export function targetLabel(target) {
  if (!target) return "";
  if (typeof target === "string") return target;
  const parts = [target.namespace, target.kind, target.name].filter(Boolean);
  return parts.length ? parts.join("/") : JSON.stringify(target);
}

// Device ids read as the device's name when `names` (from lib/names.js) knows it; other long hex
// ids are cut to their first 12 characters (the full id stays in the record and in
// `openclaw actions list`).
export function actorLabel(actor, names) {
  if (!actor) return "";
  const text = typeof actor === "string" ? actor : [actor.kind || actor.type, actor.id || actor.name].filter(Boolean).join(":");
  return humanize(text, names);
}
