"""Ed25519 device identities: keys, ids, the signed handshake payload, and the on-disk identity file.

A device is an Ed25519 key pair. Its id is `hex(sha256(raw 32-byte public key))`; on the wire the
public key and the signature are base64url (no padding) of the raw bytes. The string a client
signs is pipe-joined UTF-8 (`v2|...` or the preferred `v3|...`), exactly as the upstream protocol.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from openclaw.errors import StateError

IDENTITY_VERSION = 1


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Base64url (or standard base64), padding optional. Raises ValueError when malformed."""
    cleaned = text.strip().replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64url: {exc}") from None


def device_id_for(raw_public_key: bytes) -> str:
    return hashlib.sha256(raw_public_key).hexdigest()


def parse_public_key(text: str) -> bytes:
    """The raw 32 key bytes from base64url (the wire form) or a PEM block. Raises ValueError."""
    if "BEGIN PUBLIC KEY" in text:
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("PEM key is not Ed25519")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raw = b64url_decode(text)
    if len(raw) != 32:
        raise ValueError(f"expected 32 key bytes, got {len(raw)}")
    return raw


def verify_signature(raw_public_key: bytes, signature_b64: str, message: str) -> bool:
    try:
        sig = b64url_decode(signature_b64)
        Ed25519PublicKey.from_public_bytes(raw_public_key).verify(sig, message.encode("utf-8"))
    except (InvalidSignature, ValueError):
        return False
    return True


def _norm(value: str | None) -> str:
    return (value or "").strip().lower()


def signed_payload(
    version: str,
    *,
    device_id: str,
    client_id: str,
    client_mode: str,
    role: str,
    scopes: list[str],
    signed_at_ms: int,
    token: str | None,
    nonce: str,
    platform: str | None = None,
    device_family: str | None = None,
) -> str:
    """The exact string a device signs for handshake payload `version` ("v2" or "v3")."""
    fields = [version, device_id, client_id, client_mode, role, ",".join(scopes), str(signed_at_ms), token or "", nonce]
    if version == "v3":
        fields += [_norm(platform), _norm(device_family)]
    elif version != "v2":
        raise ValueError(f"unknown payload version {version!r}")
    return "|".join(fields)


@dataclass(frozen=True)
class DeviceIdentity:
    """One device's key pair. `sign()` returns base64url of the Ed25519 signature."""

    private_key: Ed25519PrivateKey
    created_at_ms: int

    @classmethod
    def generate(cls) -> DeviceIdentity:
        return cls(Ed25519PrivateKey.generate(), int(time.time() * 1000))

    @property
    def public_key_raw(self) -> bytes:
        return self.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def public_key_b64url(self) -> str:
        return b64url_encode(self.public_key_raw)

    @property
    def device_id(self) -> str:
        return device_id_for(self.public_key_raw)

    def sign(self, message: str) -> str:
        return b64url_encode(self.private_key.sign(message.encode("utf-8")))

    def to_json(self) -> dict[str, Any]:
        private_pem = self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        public_pem = self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
        return {
            "version": IDENTITY_VERSION,
            "deviceId": self.device_id,
            "publicKeyPem": public_pem,
            "privateKeyPem": private_pem,
            "createdAtMs": self.created_at_ms,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], source: Path | str = "identity") -> DeviceIdentity:
        try:
            key = serialization.load_pem_private_key(str(data["privateKeyPem"]).encode("ascii"), password=None)
        except (KeyError, ValueError, TypeError) as exc:
            raise StateError(f"{source}: privateKeyPem is missing or not a PEM private key ({exc})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise StateError(f"{source}: privateKeyPem is not an Ed25519 key")
        identity = cls(key, int(data.get("createdAtMs") or 0))
        if data.get("deviceId") not in (None, identity.device_id):
            raise StateError(f"{source}: deviceId does not match the key (expected {identity.device_id})")
        return identity


def identity_path(state_dir: Path) -> Path:
    return state_dir / "identity" / "device.json"


def load_or_create(path: Path) -> DeviceIdentity:
    """Read the identity at `path`, or create one there (mode 0600, under a file lock)."""
    from openclaw.config import store

    with store.lock_for(path):
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise StateError(f"{path}: cannot read device identity ({exc}); delete it to create a new one") from None
            if not isinstance(data, dict):
                raise StateError(f"{path}: expected a JSON object")
            return DeviceIdentity.from_json(data, path)
        identity = DeviceIdentity.generate()
        store.write_json_atomic(path, identity.to_json())
        return identity
