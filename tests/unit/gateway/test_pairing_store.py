from __future__ import annotations

import stat
from pathlib import Path

import pytest

from openclaw.errors import StateError
from openclaw.gateway.pairing import PENDING_TTL_MS, PairingError, PairingStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000_000

    def __call__(self) -> int:
        return self.now


def info(device: str = "dev1", scopes: list[str] | None = None) -> dict[str, object]:
    return {"deviceId": device, "publicKey": f"key-{device}", "role": "operator", "scopes": scopes or ["operator.read"], "remoteIp": "10.0.0.5"}


def test_one_pending_request_per_device_with_a_stable_id(tmp_path: Path) -> None:
    store = PairingStore(tmp_path, Clock())
    first, created = store.request(info())
    again, created_again = store.request(info(scopes=["operator.write"]))
    assert created and not created_again and again["requestId"] == first["requestId"]
    assert again["scopes"] == ["operator.read", "operator.write"]
    assert len(store.listing()["pending"]) == 1
    assert stat.S_IMODE(store.pending_path.stat().st_mode) == 0o600


def test_pending_request_expires_after_five_minutes(tmp_path: Path) -> None:
    clock = Clock()
    store = PairingStore(tmp_path, clock)
    first, _ = store.request(info())
    clock.now += PENDING_TTL_MS + 1
    assert store.listing()["pending"] == []
    with pytest.raises(PairingError, match="unknown requestId"):
        store.approve(first["requestId"])
    fresh, created = store.request(info())
    assert created and fresh["requestId"] != first["requestId"]


def test_approve_pairs_with_a_token_that_verifies_and_lists_redacted(tmp_path: Path) -> None:
    store = PairingStore(tmp_path, Clock())
    req, _ = store.request(info())
    device = store.approve(req["requestId"])
    token = device["tokens"]["operator"]["token"]
    assert store.verify_device_token("dev1", "operator", token)
    assert store.verify_device_token("dev1", "operator", token + "x") is None
    listed = store.listing()
    assert listed["pending"] == [] and "token" not in listed["paired"][0]["tokens"]["operator"]
    assert stat.S_IMODE(store.paired_path.stat().st_mode) == 0o600


def test_rotate_and_revoke_device_tokens(tmp_path: Path) -> None:
    store = PairingStore(tmp_path, Clock())
    req, _ = store.request(info())
    old = store.approve(req["requestId"])["tokens"]["operator"]["token"]
    new = store.rotate_token("dev1", "operator")["token"]
    assert new != old and store.verify_device_token("dev1", "operator", old) is None
    with pytest.raises(PairingError, match="never approved"):
        store.rotate_token("dev1", "operator", ["operator.admin"])
    store.revoke_token("dev1", "operator")
    assert store.verify_device_token("dev1", "operator", new) is None
    assert store.ensure_token("dev1", "operator")["token"] not in (old, new)  # a revoked token is replaced


def test_reject_and_remove(tmp_path: Path) -> None:
    store = PairingStore(tmp_path, Clock())
    req, _ = store.request(info())
    assert store.reject(req["requestId"])["deviceId"] == "dev1"
    assert store.listing()["pending"] == []
    req2, _ = store.request(info("dev2"))
    store.approve(req2["requestId"])
    store.remove("dev2")
    assert store.get_paired("dev2") is None
    with pytest.raises(PairingError, match="unknown deviceId"):
        store.remove("dev2")


def test_a_corrupt_store_is_a_clear_error(tmp_path: Path) -> None:
    store = PairingStore(tmp_path, Clock())
    store.dir.mkdir(parents=True)
    store.paired_path.write_text("[1, 2")
    with pytest.raises(StateError, match="paired.json"):
        store.listing()


def test_a_device_named_at_approval_keeps_its_name_and_can_be_renamed(tmp_path: Path) -> None:
    store = PairingStore(tmp_path, Clock())
    req, _ = store.request(info())
    device = store.approve(req["requestId"], "  Anna's   laptop ")
    assert device["name"] == "Anna's laptop"
    assert store.names() == {"dev1": "Anna's laptop"}
    again, _ = store.request(info(scopes=["operator.write"]))  # a scope upgrade approved without a name keeps it
    assert store.approve(again["requestId"])["name"] == "Anna's laptop"
    assert store.rename("dev1", "kitchen tablet")["name"] == "kitchen tablet"
    assert store.listing()["paired"][0]["name"] == "kitchen tablet"


@pytest.mark.parametrize("bad, why", [("", "non-empty"), ("   ", "non-empty"), ("x" * 65, "at most 64"), ("a\x1bb", "control characters")])
def test_a_bad_name_is_refused_naming_the_rule_and_changes_nothing(tmp_path: Path, bad: str, why: str) -> None:
    store = PairingStore(tmp_path, Clock())
    req, _ = store.request(info())
    store.approve(req["requestId"], "desk")
    with pytest.raises(PairingError, match=why) as refused:
        store.rename("dev1", bad)
    assert refused.value.message.startswith("name: ")
    assert store.names() == {"dev1": "desk"}
    with pytest.raises(PairingError, match="unknown deviceId"):
        store.rename("nope", "desk")
