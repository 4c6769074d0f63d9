"""The browser's device key: WebCrypto and the pure-JS fallback sign the same bytes, and the
gateway's own verifier accepts what the page signs (same payload string, same key encoding)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from openclaw.gateway.device_identity import device_id_for, parse_public_key, signed_payload, verify_signature
from servers import Gateway

pytestmark = [pytest.mark.browser]

SIGN_IN_PAGE = """async (fields) => {
  const d = await import("/ui/lib/device.js");
  const id = await d.loadOrCreateIdentity();
  const msg = d.signedPayload({ ...fields, deviceId: id.deviceId });
  return { backend: await d.signingBackend(), msg, webcrypto: await d.sign(id, msg), noble: d.signWithNoble(id, msg),
           publicKey: id.publicKey, deviceId: id.deviceId };
}"""


def test_webcrypto_and_pure_js_signatures_match_and_the_gateway_verifies_them(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    page.goto(gw.http_url + "/")  # 127.0.0.1 is a secure context: WebCrypto Ed25519 is available
    fields = {
        "version": "v3",
        "clientId": "openclaw-control-ui",
        "clientMode": "ui",
        "role": "operator",
        "scopes": ["operator.admin", "operator.read"],
        "signedAtMs": 1_764_000_000_000,
        "token": "tok-123",
        "nonce": "nonce-abc",
        "platform": "  Linux x86_64 ",
        "deviceFamily": "Browser",
    }
    out = page.evaluate(SIGN_IN_PAGE, fields)
    assert out["backend"] == "webcrypto"
    assert out["webcrypto"] == out["noble"]  # Ed25519 is deterministic: both backends agree

    raw = parse_public_key(out["publicKey"])
    assert device_id_for(raw) == out["deviceId"]
    expected = signed_payload(
        "v3",
        device_id=out["deviceId"],
        client_id="openclaw-control-ui",
        client_mode="ui",
        role="operator",
        scopes=["operator.admin", "operator.read"],
        signed_at_ms=1_764_000_000_000,
        token="tok-123",
        nonce="nonce-abc",
        platform="  Linux x86_64 ",
        device_family="Browser",
    )
    assert out["msg"] == expected
    assert verify_signature(raw, out["noble"], expected)
    assert not verify_signature(raw, out["noble"], expected.replace("nonce-abc", "nonce-abd"))


def test_the_device_key_survives_a_reload(page: Page, make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    page.goto(gw.http_url + "/")
    first = page.evaluate("async () => (await (await import('/ui/lib/device.js')).loadOrCreateIdentity()).deviceId")
    page.reload()
    second = page.evaluate("async () => (await (await import('/ui/lib/device.js')).loadOrCreateIdentity()).deviceId")
    assert first == second and len(first) == 64
