// Chat with the agent over `chat.send` and streamed `chat` events (delta/final/error/aborted).
// A gateway without `chat.send` has no agent: the screen says so and offers no input, so
// nothing here can look like a reply that did not come from the agent.

import { clear, formatTime, h } from "../lib/dom.js";
import { randomId } from "../lib/connection.js";
import { renderMarkdown } from "../lib/markdown.js";
import { deviceNames } from "../lib/names.js";

// The operator's main session (upstream key format `agent:<agentId>:<name>`).
const SESSION_KEY = "agent:main:main";

// Text of a chat message in the shapes the protocol uses: a string, {text}, or {content} where
// content is a string or a list of {type:"text", text} parts.
export function messageText(message) {
  if (message === null || message === undefined) return "";
  if (typeof message === "string") return message;
  if (typeof message.text === "string") return message.text;
  const content = message.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.filter((p) => p && p.type === "text").map((p) => p.text || "").join("");
  return "";
}

export function mount(root, ctx) {
  const { conn } = ctx;
  root.append(h("h1", {}, "Chat"));
  if (!conn.hasMethod("chat.send")) {
    root.append(
      h("section", { class: "card empty stack", "aria-labelledby": "no-agent-title" },
        h("h2", { id: "no-agent-title" }, "No agent configured"),
        h("p", {}, "This gateway has no agent to talk to yet (it offers no chat.send method), so there is nobody to answer. Alerts and webhooks are still received and listed under Incidents."),
        h("p", { class: "muted" }, "Configure a model (for example ANTHROPIC_API_KEY, or an OpenAI-compatible endpoint in the agents/models settings) and restart the gateway to chat here."),
      ),
    );
    return null;
  }

  // Which model answers, so an offline gateway (no model configured) is plain to see before
  // anything is sent; its replies are the gateway's own offline notice, never invented here.
  const agentInfo = h("p", { class: "muted agent-info", role: "status" });
  root.append(agentInfo);
  if (conn.hasMethod("agent.status")) {
    conn.request("agent.status", {}).then((st) => {
      if (st?.offline) {
        agentInfo.classList.add("notice");
        agentInfo.textContent = `No model configured: the agent runs offline and answers only commands such as /help and /status.${st.modelProblem ? ` (${st.modelProblem})` : ""}`;
      } else if (st?.model) {
        agentInfo.textContent = `Model: ${st.model}`;
      }
    }).catch(() => {});
  }

  const log = h("ol", { class: "chat-log", "aria-live": "polite", "aria-label": "Conversation" });
  const runs = new Map(); // runId -> {li, body, text}
  // The agent answers in Markdown; device ids in it read as the devices' names.
  const names = deviceNames(conn);
  names.reload();
  const answers = new Map(); // bubble body -> its Markdown source, drawn again when the names arrive
  const showAnswer = (body, text) => {
    answers.set(body, text);
    clear(body, renderMarkdown(text, names.names));
  };
  const offNames = names.onChange(() => {
    for (const [body, text] of answers) clear(body, renderMarkdown(text, names.names));
  });
  const input = h("textarea", { id: "chat-input", rows: 3, required: true, placeholder: "Ask the agent…", "aria-describedby": "chat-help" });
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const sendButton = h("button", { type: "submit", class: "primary" }, "Send");

  const addMessage = (role, text, meta = "") => {
    const body = h("div", { class: `bubble-body${role === "assistant" ? " markdown" : ""}` }, role === "assistant" ? null : text);
    if (role === "assistant" && text) showAnswer(body, text);
    const li = h("li", { class: `bubble ${role}` }, h("span", { class: "visually-hidden" }, role === "user" ? "You: " : "Agent: "), body, meta ? h("span", { class: "meta" }, meta) : null);
    log.append(li);
    li.scrollIntoView({ block: "end" });
    return { li, body };
  };

  const runFor = (runId) => {
    if (!runs.has(runId)) {
      const { li, body } = addMessage("assistant", "");
      li.classList.add("streaming");
      li.setAttribute("aria-busy", "true");
      runs.set(runId, { li, body, text: "" });
    }
    return runs.get(runId);
  };

  const off = conn.on("chat", (ev) => {
    if (!ev || (ev.sessionKey && ev.sessionKey !== SESSION_KEY)) return;
    const run = runFor(ev.runId || "unknown");
    if (ev.state === "delta") {
      // `message` carries the reply so far; a bare `delta` string is an increment.
      run.text = ev.message !== undefined ? messageText(ev.message) : run.text + (ev.delta || "");
      showAnswer(run.body, run.text);
    } else if (ev.state === "final") {
      if (ev.message !== undefined) run.text = messageText(ev.message);
      showAnswer(run.body, run.text);
      run.li.classList.remove("streaming");
      run.li.removeAttribute("aria-busy");
    } else if (ev.state === "error" || ev.state === "aborted") {
      run.li.classList.remove("streaming");
      run.li.removeAttribute("aria-busy");
      run.li.classList.add("failed");
      run.li.append(h("p", { class: "field-error" }, ev.state === "aborted" ? "Stopped." : `The agent failed: ${ev.errorMessage || "unknown error"}`));
    }
    run.li.scrollIntoView({ block: "end" });
  });

  const send = async () => {
    const text = input.value.trim();
    if (!text) return;
    error.hidden = true;
    sendButton.disabled = true;
    addMessage("user", text, formatTime(Date.now()));
    input.value = "";
    try {
      const ack = await conn.request("chat.send", { sessionKey: SESSION_KEY, message: text, idempotencyKey: randomId() });
      if (ack?.runId) runFor(ack.runId);
    } catch (err) {
      error.hidden = false;
      error.textContent = `Not sent: ${err.message}`;
      input.value = text;
    } finally {
      sendButton.disabled = false;
      input.focus();
    }
  };

  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      send();
    }
  });

  root.append(
    log,
    h("form", { class: "chat-form stack", onsubmit: (ev) => { ev.preventDefault(); send(); } },
      h("label", { for: "chat-input", class: "visually-hidden" }, "Message"),
      input,
      h("p", { id: "chat-help", class: "help" }, "Enter sends, Shift+Enter adds a line."),
      error,
      h("div", { class: "actions-row" }, sendButton),
    ),
  );

  if (conn.hasMethod("chat.history")) {
    conn.request("chat.history", { sessionKey: SESSION_KEY, limit: 100 }).then((res) => {
      const messages = Array.isArray(res) ? res : res?.messages || [];
      const older = messages.map((m) => {
        const role = m.role === "user" ? "user" : "assistant";
        const body = h("div", { class: `bubble-body${role === "assistant" ? " markdown" : ""}` }, role === "user" ? messageText(m) : null);
        if (role === "assistant") showAnswer(body, messageText(m));
        return h("li", { class: `bubble ${role}` }, h("span", { class: "visually-hidden" }, role === "user" ? "You: " : "Agent: "), body);
      });
      log.prepend(...older);
    }).catch((err) => {
      error.hidden = false;
      error.textContent = `History unavailable: ${err.message}`;
    });
  }
  return () => {
    off();
    offNames();
  };
}
