// The browser's device identity: an Ed25519 key pair kept in localStorage, and the signature
// over the gateway's challenge.
//
// WebCrypto Ed25519 is used when the page runs in a secure context (HTTPS or localhost) and the
// browser supports it; otherwise (plain-HTTP LAN access) the vendored pure-JS @noble/ed25519
// signs instead, so pairing works there too. Ed25519 signatures are deterministic, so both paths
// give the same bytes for the same key and message.

import * as ed from "../vendor/noble-ed25519/index.js";
import { sha256, sha512 } from "../vendor/noble-hashes/sha2.js";

ed.hashes.sha512 = sha512;

const IDENTITY_KEY = "openclaw-device-identity-v1";

export function b64urlEncode(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function b64urlDecode(text) {
  const s = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(s + "=".repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function deviceIdFor(publicKey) {
  return hex(sha256(publicKey));
}

let webCryptoEd25519 = null; // memoized probe result

async function hasWebCryptoEd25519() {
  if (webCryptoEd25519 !== null) return webCryptoEd25519;
  webCryptoEd25519 = false;
  if (window.isSecureContext && globalThis.crypto?.subtle) {
    try {
      await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
      webCryptoEd25519 = true;
    } catch {
      webCryptoEd25519 = false;
    }
  }
  return webCryptoEd25519;
}

export async function signingBackend() {
  return (await hasWebCryptoEd25519()) ? "webcrypto" : "noble";
}

async function generate() {
  if (await hasWebCryptoEd25519()) {
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
    const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    return { secretKey: b64urlDecode(jwk.d), publicKey: b64urlDecode(jwk.x) };
  }
  const secretKey = ed.utils.randomSecretKey();
  return { secretKey, publicKey: ed.getPublicKey(secretKey) };
}

function valid(stored) {
  if (!stored || stored.version !== 1) return false;
  try {
    const pub = b64urlDecode(stored.publicKey);
    const sec = b64urlDecode(stored.privateKey);
    return pub.length === 32 && sec.length === 32 && deviceIdFor(pub) === stored.deviceId;
  } catch {
    return false;
  }
}

// The stored identity, or a new one (saved before it is first used).
export async function loadOrCreateIdentity() {
  let stored = null;
  try {
    stored = JSON.parse(localStorage.getItem(IDENTITY_KEY) || "null");
  } catch {
    stored = null;
  }
  if (valid(stored)) return stored;
  const { secretKey, publicKey } = await generate();
  const identity = {
    version: 1,
    deviceId: deviceIdFor(publicKey),
    publicKey: b64urlEncode(publicKey),
    privateKey: b64urlEncode(secretKey),
    createdAtMs: Date.now(),
  };
  localStorage.setItem(IDENTITY_KEY, JSON.stringify(identity));
  return identity;
}

export async function sign(identity, message) {
  const data = new TextEncoder().encode(message);
  if (await hasWebCryptoEd25519()) {
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: "OKP", crv: "Ed25519", d: identity.privateKey, x: identity.publicKey, ext: false },
      { name: "Ed25519" },
      false,
      ["sign"],
    );
    return b64urlEncode(new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, data)));
  }
  return b64urlEncode(ed.sign(data, b64urlDecode(identity.privateKey)));
}

// Pure-JS signature, for the check that both backends agree.
export function signWithNoble(identity, message) {
  return b64urlEncode(ed.sign(new TextEncoder().encode(message), b64urlDecode(identity.privateKey)));
}

const norm = (v) => String(v ?? "").trim().toLowerCase();

// The pipe-joined string the gateway verifies (SPEC "Fixed interfaces"): v2 fields, then for v3
// the trimmed, lower-cased platform and device family.
export function signedPayload({ version, deviceId, clientId, clientMode, role, scopes, signedAtMs, token, nonce, platform, deviceFamily }) {
  const parts = [version, deviceId, clientId, clientMode, role, scopes.join(","), String(signedAtMs), token || "", nonce || ""];
  if (version === "v3") parts.push(norm(platform), norm(deviceFamily));
  return parts.join("|");
}
