// A small Markdown renderer for the agent's answers: paragraphs, headings, bullet and numbered
// lists, fenced code blocks, inline code, bold, italics and links. It builds DOM nodes and puts
// every piece of text in as a text node, so HTML in an answer (or in a log line the agent quotes)
// shows as the characters it is and never becomes markup. Links keep only http(s), mailto and
// in-page `#/` targets. Action ids (`act_…`) become links to the Actions screen, device ids the
// device's name.

import { h } from "./dom.js";
import { humanNodes } from "./names.js";

const SAFE_HREF = /^(https?:\/\/|mailto:|#\/)/i;
// Inline tokens, first match wins at each position: code, link, bold, italics, action id.
const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\[([^\]\n]+)\]\(([^)\s]+)\)|\*\*([^*\n]+)\*\*|(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<![\w/])(act_[0-9a-f]{16})\b/g;

export function actionHref(id) {
  return `#/actions/${encodeURIComponent(id)}`;
}

export function actionLink(id) {
  return h("a", { href: actionHref(id), class: "action-link" }, h("code", {}, id));
}

function text(value, names) {
  return humanNodes(value, names);
}

export function inline(source, names) {
  const out = [];
  let last = 0;
  for (const m of source.matchAll(INLINE)) {
    if (m.index > last) out.push(...text(source.slice(last, m.index), names));
    if (m[1]) {
      out.push(h("code", {}, m[2]));
    } else if (m[3]) {
      const href = m[4];
      out.push(SAFE_HREF.test(href)
        ? h("a", { href, ...(href.startsWith("#/") ? {} : { rel: "noopener noreferrer", target: "_blank" }) }, inline(m[3], names))
        : h("span", {}, inline(m[3], names), ` (${href})`));
    } else if (m[5]) {
      out.push(h("strong", {}, inline(m[5], names)));
    } else if (m[6]) {
      out.push(h("em", {}, inline(m[6], names)));
    } else if (m[7]) {
      out.push(actionLink(m[7]));
    }
    last = m.index + m[0].length;
  }
  if (last < source.length) out.push(...text(source.slice(last), names));
  return out;
}

const FENCE = /^\s*(```|~~~)\s*([\w+-]*)\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;

// The block structure of `source` as DOM nodes (a DocumentFragment).
export function renderMarkdown(source, names) {
  const frag = document.createDocumentFragment();
  const lines = String(source ?? "").replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  let para = [];
  const flush = () => {
    if (para.length) {
      const p = h("p", {});
      para.forEach((line, n) => {
        if (n) p.append(h("br"));
        p.append(...inline(line, names));
      });
      frag.append(p);
      para = [];
    }
  };
  while (i < lines.length) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const body = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i += 1; // the closing fence (or the end of an unterminated block)
      const code = h("code", fence[2] ? { class: `language-${fence[2]}` } : {}, body.join("\n"));
      frag.append(h("pre", {}, code));
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      // Headings inside a chat bubble sit below the page's own h1/h2.
      frag.append(h(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2], names)));
      i += 1;
      continue;
    }
    if (BULLET.test(line) || NUMBERED.test(line)) {
      flush();
      const ordered = !BULLET.test(line);
      const pattern = ordered ? NUMBERED : BULLET;
      const first = NUMBERED.exec(line);
      const list = h(ordered ? "ol" : "ul", ordered && first && first[1] !== "1" ? { start: first[1] } : {});
      let item = null;
      while (i < lines.length) {
        const m = pattern.exec(lines[i]);
        if (m) {
          item = h("li", {}, inline(ordered ? m[2] : m[1], names));
          list.append(item);
        } else if (item && /^\s{2,}\S/.test(lines[i])) {
          item.append(" ", ...inline(lines[i].trim(), names)); // a wrapped continuation line
        } else {
          break;
        }
        i += 1;
      }
      frag.append(list);
      continue;
    }
    if (!line.trim()) {
      flush();
    } else {
      para.push(line);
    }
    i += 1;
  }
  flush();
  return frag;
}
