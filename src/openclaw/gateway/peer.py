"""Who is on the other end: the client IP and whether the client is local.

Forwarding headers (`X-Forwarded-For`, `Forwarded`, `X-Real-IP`) are believed only from a peer
listed in `gateway.trustedProxies`. A client is local only when its TCP peer is loopback and no
forwarding header came from an untrusted peer, so a reverse proxy on the same host cannot make
remote browsers look local.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class ClientAddress:
    peer_ip: str
    client_ip: str
    is_local: bool
    forwarded: bool  # a forwarding header was present
    trusted_proxy: bool  # the peer is in gateway.trustedProxies


def parse_networks(entries: Iterable[str]) -> list[Network]:
    """`gateway.trustedProxies` entries as networks; raises ValueError naming a bad entry."""
    nets: list[Network] = []
    for entry in entries:
        try:
            nets.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or CIDR") from None
    return nets


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        return addr.ipv4_mapped
    return addr


def is_loopback(ip: str) -> bool:
    addr = _ip(ip)
    return bool(addr and addr.is_loopback)


def _in(addr: ipaddress.IPv4Address | ipaddress.IPv6Address, nets: list[Network]) -> bool:
    return any(addr.version == net.version and addr in net for net in nets)


def _forwarded_chain(headers: Mapping[str, str]) -> list[str]:
    """Client-to-proxy chain from X-Forwarded-For, else Forwarded `for=`, else X-Real-IP."""
    xff = headers.get("x-forwarded-for")
    if xff:
        return [p.strip() for p in xff.split(",") if p.strip()]
    fwd = headers.get("forwarded")
    if fwd:
        chain = []
        for element in fwd.split(","):
            for pair in element.split(";"):
                key, _, value = pair.partition("=")
                if key.strip().lower() == "for" and value:
                    chain.append(value.strip())
        return chain
    real = headers.get("x-real-ip")
    return [real.strip()] if real else []


def resolve(peer_ip: str | None, headers: Mapping[str, str], trusted_proxies: Iterable[str]) -> ClientAddress:
    """Client IP and locality for a request from `peer_ip` with `headers` (lower-case keys)."""
    peer = peer_ip or ""
    peer_addr = _ip(peer)
    forwarded = any(headers.get(h) for h in FORWARDING_HEADERS)
    try:
        nets = parse_networks(trusted_proxies)
    except ValueError:
        nets = []  # the schema rejects bad entries; fail closed to "no proxy trusted"
    trusted = bool(peer_addr and _in(peer_addr, nets))
    if not forwarded:
        return ClientAddress(peer, peer, bool(peer_addr and peer_addr.is_loopback), False, trusted)
    if not trusted:
        # Headers from an untrusted peer are not believed, and they make the client non-local.
        return ClientAddress(peer, peer, False, True, False)
    client = peer
    for hop in reversed(_forwarded_chain(headers)):
        addr = _ip(hop)
        if addr is None:
            break
        client = str(addr)
        if not _in(addr, nets):
            break
    client_addr = _ip(client)
    return ClientAddress(peer, client, bool(client_addr and client_addr.is_loopback), True, True)
