from __future__ import annotations

import pytest

from openclaw.gateway import origin, peer


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://OpenClaw.Homelab.Local:443/", "https://openclaw.homelab.local"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
        ("http://127.0.0.1:18789", "http://127.0.0.1:18789"),
        ("null", None),
        ("not an origin", None),
    ],
)
def test_origin_normalization(raw: str, expected: str | None) -> None:
    assert origin.normalize(raw) == expected


def test_listed_origin_is_allowed_and_others_refused() -> None:
    allowed = ["https://openclaw.homelab.local"]
    assert origin.check("https://openclaw.homelab.local:443", allowed=allowed, is_local=False) is None
    assert origin.check("https://evil.example", allowed=allowed, is_local=False) == origin.REFUSAL


def test_missing_or_null_origin_from_a_browser_is_refused_even_with_star() -> None:
    assert origin.check(None, allowed=["*"], is_local=True) is not None
    assert origin.check("null", allowed=["*"], is_local=True) is not None
    assert origin.check("https://anything.example", allowed=["*"], is_local=False) is None


def test_loopback_origin_needs_a_local_client() -> None:
    assert origin.check("http://localhost:5173", allowed=[], is_local=True) is None
    assert origin.check("http://127.0.0.1:18789", allowed=[], is_local=False) == origin.REFUSAL


def test_direct_loopback_peer_is_local() -> None:
    addr = peer.resolve("127.0.0.1", {}, [])
    assert addr.is_local and addr.client_ip == "127.0.0.1"


def test_forwarding_header_from_untrusted_peer_makes_client_remote_and_is_not_believed() -> None:
    for header in ("x-forwarded-for", "forwarded", "x-real-ip"):
        value = "for=10.0.0.5" if header == "forwarded" else "10.0.0.5"
        addr = peer.resolve("127.0.0.1", {header: value}, [])
        assert not addr.is_local and addr.client_ip == "127.0.0.1", header


def test_trusted_proxy_supplies_the_client_ip() -> None:
    addr = peer.resolve("10.1.0.2", {"x-forwarded-for": "198.51.100.7, 10.1.0.9"}, ["10.1.0.0/16"])
    assert addr.client_ip == "198.51.100.7" and not addr.is_local
    local = peer.resolve("127.0.0.1", {"x-forwarded-for": "127.0.0.1"}, ["127.0.0.1"])
    assert local.is_local
    v6 = peer.resolve("::1", {"forwarded": 'for="[2001:db8::1]:4711"'}, ["::1/128"])
    assert v6.client_ip == "2001:db8::1"


def test_bad_trusted_proxy_entry_is_named() -> None:
    with pytest.raises(ValueError, match="'10.0.0.0/99'"):
        peer.parse_networks(["10.0.0.0/99"])


def test_config_refuses_a_bad_trusted_proxy(tmp_path: object) -> None:
    from openclaw.config import layers
    from openclaw.errors import ConfigError

    with pytest.raises(ConfigError, match="gateway.trustedProxies"):
        layers.load(tmp_path, seed_path=None, env={}, state_override={"gateway": {"trustedProxies": ["10.0.0.0/99"]}})  # type: ignore[arg-type]


def test_ipv6_and_mapped_loopback_peers_are_local() -> None:
    assert peer.resolve("::1", {}, []).is_local
    assert peer.resolve("::ffff:127.0.0.1", {}, []).is_local
    assert not peer.resolve("192.168.1.20", {}, []).is_local
    assert origin.check("http://[::1]:18789", allowed=[], is_local=True) is None
