"""Which pairing requests the gateway approves at once, without an operator.

A loopback TCP peer alone proves little (any process on the host, a page's script through a local
proxy), so local auto-approval is narrowed to two cases:

- the gateway's own CLI identity, the key in `<state>/identity/device.json`: only a process that
  can read the state dir holds it, which is what lets `openclaw devices approve` in the pod work
  with no pairing by hand, whatever scopes it asks for;
- a *new* pairing of a local non-browser client whose scopes all lie within
  `gateway.pairing.localAutoApproveScopes`.

Anything else, above all a scope or role upgrade of a device already paired (the upstream
gateway's scope-mismatch case), is a pending request that an operator approves.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class PairingAsk:
    """One connect that needs (re)pairing, as the handshake established it."""

    reason: str  # "not-paired" | "role-upgrade" | "scope-upgrade"
    scopes: Collection[str]
    is_local: bool
    is_browser: bool
    is_own_cli: bool


def approves_at_once(ask: PairingAsk, local_scopes: Collection[str]) -> bool:
    """True when `ask` is approved silently; False files a request for an operator."""
    if not ask.is_local or ask.is_browser:
        return False
    if ask.is_own_cli:
        return True
    return ask.reason == "not-paired" and set(ask.scopes) <= set(local_scopes)
