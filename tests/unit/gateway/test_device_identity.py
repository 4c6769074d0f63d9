from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from openclaw.errors import StateError
from openclaw.gateway import device_identity as ids


def test_device_id_is_sha256_of_the_raw_public_key() -> None:
    identity = ids.DeviceIdentity.generate()
    raw = ids.b64url_decode(identity.public_key_b64url)
    assert len(raw) == 32 and "=" not in identity.public_key_b64url
    assert identity.device_id == hashlib.sha256(raw).hexdigest()


def test_v3_payload_appends_trimmed_lowercased_platform_and_family() -> None:
    common = dict(device_id="d", client_id="cli", client_mode="cli", role="operator", scopes=["operator.read", "operator.write"], signed_at_ms=5, token="t", nonce="n")
    assert ids.signed_payload("v2", **common) == "v2|d|cli|cli|operator|operator.read,operator.write|5|t|n"  # type: ignore[arg-type]
    assert ids.signed_payload("v3", platform=" Linux ", device_family="Desktop", **common) == "v3|d|cli|cli|operator|operator.read,operator.write|5|t|n|linux|desktop"  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ids.signed_payload("v9", **common)  # type: ignore[arg-type]


def test_signature_verifies_only_for_the_signed_message_and_key() -> None:
    identity = ids.DeviceIdentity.generate()
    sig = identity.sign("v2|a")
    assert ids.verify_signature(identity.public_key_raw, sig, "v2|a")
    assert not ids.verify_signature(identity.public_key_raw, sig, "v2|b")
    assert not ids.verify_signature(ids.DeviceIdentity.generate().public_key_raw, sig, "v2|a")
    assert not ids.verify_signature(identity.public_key_raw, "!!not base64!!", "v2|a")


def test_public_key_parses_from_base64url_and_pem() -> None:
    identity = ids.DeviceIdentity.generate()
    pem = identity.to_json()["publicKeyPem"]
    assert ids.parse_public_key(pem) == identity.public_key_raw
    assert ids.parse_public_key(identity.public_key_b64url) == identity.public_key_raw
    with pytest.raises(ValueError, match="32 key bytes"):
        ids.parse_public_key(ids.b64url_encode(b"short"))


def test_identity_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "identity" / "device.json"
    first = ids.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ids.load_or_create(path).device_id == first.device_id


def test_identity_file_with_a_foreign_device_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "device.json"
    data = ids.DeviceIdentity.generate().to_json()
    data["deviceId"] = "0" * 64
    path.write_text(__import__("json").dumps(data))
    with pytest.raises(StateError, match="deviceId does not match"):
        ids.load_or_create(path)
