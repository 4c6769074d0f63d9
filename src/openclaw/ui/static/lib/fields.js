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

export function actorLabel(actor) {
  if (!actor) return "";
  if (typeof actor === "string") return actor;
  return [actor.kind || actor.type, actor.id || actor.name].filter(Boolean).join(":");
}
