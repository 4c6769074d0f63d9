// Reading loosely-shaped records: the first present field of several names, and a short label
// for a target object (`{namespace, kind, name}` or a string).

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

// Long hex ids (device ids are 64 characters) are cut to their first 12; the full id stays in
// the record and in `openclaw actions list`.
const shortHex = (text) => text.replace(/\b([0-9a-f]{12})[0-9a-f]{20,}\b/g, "$1…");

export function actorLabel(actor) {
  if (!actor) return "";
  if (typeof actor === "string") return shortHex(actor);
  return shortHex([actor.kind || actor.type, actor.id || actor.name].filter(Boolean).join(":"));
}
