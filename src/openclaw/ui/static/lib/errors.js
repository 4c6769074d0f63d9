// Turns every refusal the gateway can send into a kind the UI has a screen or banner for, and
// into words an operator can act on. The gateway's own message is kept and shown too.

export class GatewayError extends Error {
  constructor({ code = "ERROR", message = "request failed", details = {}, retryAfterMs = null } = {}) {
    super(message);
    this.code = code;
    this.details = details || {};
    this.retryAfterMs = retryAfterMs ?? this.details.retryAfterMs ?? null;
  }
}

const has = (text, needle) => String(text || "").toLowerCase().includes(needle);

// kind: pairing | unauthorized | origin | rate-limited | protocol | device | secure-context | other
export function classifyRefusal({ code, message, details = {}, retryAfterMs = null, closeReason = "" } = {}) {
  const detail = details.code || "";
  const text = `${message || ""} ${closeReason || ""}`;
  if (code === "NOT_PAIRED" || detail === "PAIRING_REQUIRED" || has(text, "pairing required")) {
    return { kind: "pairing", requestId: details.requestId || null };
  }
  if (code === "RATE_LIMITED" || detail === "RATE_LIMITED" || has(text, "rate limit") || has(text, "too many")) {
    return { kind: "rate-limited", retryAfterMs: Number(retryAfterMs ?? details.retryAfterMs ?? 60000) };
  }
  if (has(text, "origin not allowed") || detail === "ORIGIN_NOT_ALLOWED") {
    return { kind: "origin" };
  }
  if (has(text, "secure context")) return { kind: "secure-context" };
  if (has(text, "protocol mismatch") || detail === "PROTOCOL_MISMATCH") return { kind: "protocol" };
  if (String(detail).startsWith("DEVICE_AUTH_") || has(text, "device signature") || has(text, "device nonce") || has(text, "device identity")) {
    return { kind: "device", detail };
  }
  if (code === "UNAUTHORIZED" || String(detail).startsWith("AUTH_") || has(text, "unauthorized")) {
    return { kind: "unauthorized", detail };
  }
  return { kind: "other" };
}

export function describeRefusal(refusal, { origin = window.location.origin } = {}) {
  switch (refusal.kind) {
    case "unauthorized":
      return {
        title: "Unauthorized: the gateway token was not accepted",
        hint: "Paste the current gateway token in Settings. On the gateway host: grep -A1 '\"token\"' ~/.openclaw/openclaw.json",
      };
    case "origin":
      return {
        title: "Origin not allowed",
        hint: `This page's origin (${origin}) is not in gateway.controlUi.allowedOrigins. Open the Control UI from the gateway itself, or add it: openclaw config set gateway.controlUi.allowedOrigins '["${origin}"]'`,
      };
    case "rate-limited":
      return {
        title: "Too many failed attempts: rate limited",
        hint: "The gateway is refusing attempts from this address for a while. The page will try again when the lockout ends.",
      };
    case "protocol":
      return { title: "Protocol mismatch", hint: "This page and the gateway speak different protocol versions. Reload the page; if it persists, upgrade the gateway." };
    case "device":
      return {
        title: "Device authentication failed",
        hint: refusal.detail === "DEVICE_AUTH_SIGNATURE_EXPIRED"
          ? "The signature was too old: check that this computer's clock is correct."
          : "The gateway rejected this browser's device signature. Try Connect again; if it persists, use \"Forget this device\" in Settings.",
      };
    case "secure-context":
      return { title: "Secure context required", hint: "Open the Control UI over HTTPS or from localhost." };
    default:
      return { title: "The gateway refused the connection", hint: "" };
  }
}

export function formatDuration(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${s % 60 ? `${s % 60} s` : ""}`.trim();
}
