// The Control UI's side of the gateway protocol (SPEC "Fixed interfaces"): open the WebSocket,
// answer `connect.challenge` with a signed `connect`, then `req`/`res` calls and `event` frames.
//
// It also owns reconnecting: after a drop it retries with exponential backoff; while pairing is
// pending it retries every few seconds until an operator approves; when rate limited it waits
// for the time the gateway gave. A wrong token or a refused origin is not retried: those need
// the operator to change something.

import { loadOrCreateIdentity, sign, signedPayload } from "./device.js";
import { GatewayError, classifyRefusal } from "./errors.js";
import { clearDeviceAuth, loadDeviceAuth, saveDeviceAuth } from "./settings.js";

export const CLIENT_ID = "openclaw-control-ui";
export const CLIENT_MODE = "ui";
export const CLIENT_VERSION = "0.1.0";
export const ROLE = "operator";
export const SCOPES = ["operator.admin", "operator.read", "operator.write", "operator.approvals", "operator.pairing"];
const MIN_PROTOCOL = 3;
const MAX_PROTOCOL = 4;
const CHALLENGE_TIMEOUT_MS = 10000;
const PAIRING_RETRY_MS = 3000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30000;

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function platformName() {
  const p = navigator.userAgentData?.platform || navigator.platform || "web";
  return String(p).trim().toLowerCase() || "web";
}

export class Connection {
  // getSettings() -> {gatewayUrl, token}; onState(state) is called on every phase change.
  constructor({ getSettings, onState }) {
    this.getSettings = getSettings;
    this.onState = onState;
    this.state = { phase: "idle" };
    this.hello = null;
    this.identity = null;
    this.ws = null;
    this.pending = new Map();
    this.listeners = new Map();
    this.retryTimer = null;
    this.silenceTimer = null;
    this.attempt = 0;
    this.wanted = false;
    this.generation = 0;
    // When the gateway said this address is locked out (failed-auth limit). During a lockout it
    // refuses the WebSocket upgrade with HTTP 429, which a browser only sees as close 1006, so
    // the page remembers the time it was given.
    this.lockedUntil = 0;
  }

  setState(state) {
    this.state = state;
    this.onState(state);
  }

  get connected() {
    return this.state.phase === "connected";
  }

  hasMethod(name) {
    return Boolean(this.hello?.features?.methods?.includes(name));
  }

  grantedScopes() {
    return this.hello?.auth?.scopes || SCOPES;
  }

  can(scope) {
    const scopes = this.grantedScopes();
    return scopes.includes("operator.admin") || scopes.includes(scope);
  }

  // Connect now (cancels a scheduled retry and resets the backoff).
  start() {
    this.wanted = true;
    this.attempt = 0;
    this.open().catch((err) => {
      // Only local failures land here (e.g. storage blocked by the browser's privacy settings).
      this.wanted = false;
      this.setState({ phase: "refused", refusal: { kind: "other" }, message: `This browser could not prepare its device key: ${err.message || err}` });
    });
  }

  stop() {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.closeSocket();
    this.setState({ phase: "idle" });
  }

  closeSocket() {
    this.generation += 1;
    clearTimeout(this.silenceTimer);
    if (this.ws) {
      this.ws.onopen = this.ws.onmessage = this.ws.onclose = this.ws.onerror = null;
      try {
        this.ws.close(1000, "client closing");
      } catch {
        // already closed
      }
      this.ws = null;
    }
    this.failPending("connection closed");
  }

  failPending(message) {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new GatewayError({ code: "CLOSED", message }));
    }
    this.pending.clear();
  }

  scheduleRetry(delayMs, state) {
    clearTimeout(this.retryTimer);
    this.setState({ ...state, retryAt: Date.now() + delayMs });
    this.retryTimer = setTimeout(() => this.wanted && this.open(), delayMs);
  }

  backoffDelay() {
    const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(exp * (0.8 + Math.random() * 0.4));
  }

  async open() {
    clearTimeout(this.retryTimer);
    this.closeSocket();
    const generation = this.generation;
    const settings = this.getSettings();
    this.identity = await loadOrCreateIdentity();
    if (generation !== this.generation) return;
    const deviceAuth = loadDeviceAuth(settings.gatewayUrl, this.identity.deviceId);
    // A device token from an earlier pairing is preferred; the shared token is the fallback.
    const usingDeviceToken = Boolean(deviceAuth);
    const token = deviceAuth?.token || settings.token || "";
    if (!token) {
      this.setState({ phase: "idle", reason: "no-token" });
      return;
    }
    if (this.state.phase === "pairing" || this.state.phase === "disconnected") {
      // A retry keeps its screen: the pairing instructions or the disconnected banner stay up.
      this.setState({ ...this.state, attempting: true, retryAt: null });
    } else {
      this.setState({ phase: "connecting", url: settings.gatewayUrl });
    }
    let ws;
    try {
      ws = new WebSocket(settings.gatewayUrl);
    } catch (err) {
      this.wanted = false;
      this.setState({ phase: "refused", refusal: { kind: "bad-url" }, message: String(err.message || err) });
      return;
    }
    this.ws = ws;
    let handshakeDone = false;
    let gotChallenge = false;
    let refusal = null;
    const challengeTimer = setTimeout(() => ws.close(4000, "no connect.challenge"), CHALLENGE_TIMEOUT_MS);

    ws.onmessage = async (msg) => {
      if (handshakeDone && this.state.phase === "connected") this.watchSilence(generation);
      let frame;
      try {
        frame = JSON.parse(msg.data);
      } catch {
        return;
      }
      if (frame.type === "event" && frame.event === "connect.challenge" && !handshakeDone) {
        clearTimeout(challengeTimer);
        gotChallenge = true;
        const params = await this.connectParams(frame.payload || {}, token);
        if (generation !== this.generation) return;
        ws.send(JSON.stringify({ type: "req", id: "connect", method: "connect", params }));
        return;
      }
      if (frame.type === "res" && frame.id === "connect" && !handshakeDone) {
        handshakeDone = true;
        if (frame.ok) {
          this.onHello(frame.payload || {}, settings);
        } else {
          refusal = frame.error || {};
          const retry = Number(refusal.retryAfterMs ?? refusal.details?.retryAfterMs);
          if (retry > 0) this.lockedUntil = Date.now() + retry;
        }
        return;
      }
      if (frame.type === "res") {
        const call = this.pending.get(String(frame.id));
        if (!call) return;
        this.pending.delete(String(frame.id));
        clearTimeout(call.timer);
        if (frame.ok) call.resolve(frame.payload);
        else call.reject(new GatewayError(frame.error || {}));
        return;
      }
      if (frame.type === "event") this.dispatch(frame.event, frame.payload);
    };

    ws.onclose = (ev) => {
      clearTimeout(challengeTimer);
      clearTimeout(this.silenceTimer);
      if (generation !== this.generation) return;
      this.ws = null;
      this.failPending("connection closed");
      const wasConnected = this.state.phase === "connected";
      this.hello = wasConnected ? this.hello : null;
      this.onClosed({ ev, refusal, wasConnected, usingDeviceToken, settings, gotChallenge });
    };
  }

  async connectParams(challenge, token) {
    const nonce = String(challenge.nonce || "");
    const signedAt = Number(challenge.ts) || Date.now();
    const platform = platformName();
    const deviceFamily = "browser";
    const fields = {
      deviceId: this.identity.deviceId,
      clientId: CLIENT_ID,
      clientMode: CLIENT_MODE,
      role: ROLE,
      scopes: SCOPES,
      signedAtMs: signedAt,
      token,
      nonce,
      platform,
      deviceFamily,
    };
    const signature = await sign(this.identity, signedPayload({ version: "v3", ...fields }));
    return {
      minProtocol: MIN_PROTOCOL,
      maxProtocol: MAX_PROTOCOL,
      client: { id: CLIENT_ID, displayName: "Control UI", version: CLIENT_VERSION, platform, deviceFamily, mode: CLIENT_MODE },
      role: ROLE,
      scopes: SCOPES,
      auth: { token },
      device: { id: this.identity.deviceId, publicKey: this.identity.publicKey, signature, signedAt, nonce },
      userAgent: navigator.userAgent,
      locale: navigator.language,
    };
  }

  onHello(hello, settings) {
    this.hello = hello;
    this.attempt = 0;
    if (hello.auth?.deviceToken) saveDeviceAuth(settings.gatewayUrl, this.identity.deviceId, hello.auth);
    this.setState({ phase: "connected", url: settings.gatewayUrl, deviceId: this.identity.deviceId });
    this.watchSilence(this.generation);
  }

  // The gateway sends `tick` every policy.tickIntervalMs; silence for two intervals means the
  // connection is dead even if the socket has not noticed (a sleeping laptop, a dropped NAT).
  watchSilence(generation) {
    clearTimeout(this.silenceTimer);
    const tick = Number(this.hello?.policy?.tickIntervalMs) || 30000;
    this.silenceTimer = setTimeout(() => {
      if (generation !== this.generation || !this.wanted) return;
      this.closeSocket();
      this.hello = null;
      this.scheduleRetry(this.backoffDelay(), { phase: "disconnected", code: 4000, reason: "no tick from the gateway", wasConnected: true });
    }, tick * 2 + 5000);
  }

  onClosed({ ev, refusal, wasConnected, usingDeviceToken, settings, gotChallenge }) {
    if (!this.wanted) {
      this.setState({ phase: "idle" });
      return;
    }
    if (!gotChallenge && !refusal && this.lockedUntil > Date.now()) {
      const retryAfterMs = this.lockedUntil - Date.now();
      this.scheduleRetry(retryAfterMs, { phase: "refused", refusal: { kind: "rate-limited", retryAfterMs }, message: "" });
      return;
    }
    const info = refusal
      ? { ...refusal, closeReason: ev.reason }
      : ev.code === 1008 || ev.code === 1002 || ev.code === 4001
        ? { message: ev.reason, closeReason: ev.reason }
        : null;
    const kind = info ? classifyRefusal(info) : null;
    if (!kind || (kind.kind === "other" && !refusal)) {
      // A drop, not a refusal: the gateway restarted, the network went away, or a device revoke
      // closed us; try again with backoff.
      this.scheduleRetry(this.backoffDelay(), {
        phase: "disconnected",
        code: ev.code,
        reason: ev.reason,
        wasConnected,
      });
      return;
    }
    if (kind.kind === "unauthorized" && usingDeviceToken) {
      // The device token was revoked or rotated: forget it and present the shared token, which
      // leads to pairing again if the device is no longer paired.
      clearDeviceAuth();
      if (settings.token) {
        this.scheduleRetry(0, { phase: "connecting", url: settings.gatewayUrl });
        return;
      }
    }
    if (kind.kind === "pairing") {
      clearDeviceAuth();
      // A close that only says "pairing required" (the device was just unpaired) carries no
      // request id; the next connect files the request, so it comes at once.
      this.scheduleRetry(kind.requestId ? PAIRING_RETRY_MS : 300, {
        phase: "pairing",
        requestId: kind.requestId,
        deviceId: this.identity?.deviceId,
        message: info.message,
      });
      return;
    }
    if (kind.kind === "rate-limited") {
      this.scheduleRetry(kind.retryAfterMs, { phase: "refused", refusal: kind, message: info.message });
      return;
    }
    this.wanted = false;
    const lockoutMs = Math.max(0, this.lockedUntil - Date.now());
    this.setState({ phase: "refused", refusal: { ...kind, lockoutMs }, message: info.message || ev.reason, code: info.code });
  }

  // Call an RPC method; resolves with its payload or rejects with GatewayError.
  request(method, params = {}, { timeoutMs = 30000 } = {}) {
    if (!this.ws || !this.connected) {
      return Promise.reject(new GatewayError({ code: "CLOSED", message: "not connected to the gateway" }));
    }
    const id = randomId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new GatewayError({ code: "TIMEOUT", message: `${method}: no answer within ${timeoutMs / 1000} s` }));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  // Subscribe to a gateway event by name, or "*" for all; returns the unsubscribe function.
  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
    return () => this.listeners.get(event)?.delete(fn);
  }

  dispatch(event, payload) {
    for (const key of [event, "*"]) {
      for (const fn of this.listeners.get(key) || []) {
        try {
          fn(payload, event);
        } catch (err) {
          console.error("event listener failed", event, err);
        }
      }
    }
  }
}

export { randomId };
