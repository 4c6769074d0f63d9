"""`--url` / `--token` / `--timeout` values as the CLI's gateway commands take them."""

from __future__ import annotations

import pytest
import typer

from openclaw.cli.gateway_access import gateway_target, websocket_url


@pytest.mark.parametrize(
    ("given", "dialed"),
    [
        ("ws://openclaw.homelab.lan:18789", "ws://openclaw.homelab.lan:18789/"),
        ("wss://openclaw.homelab.local", "wss://openclaw.homelab.local/"),
        ("http://10.0.0.5:18789/ws", "ws://10.0.0.5:18789/ws"),
        ("HTTPS://openclaw.homelab.local/ui/", "wss://openclaw.homelab.local/ui/"),
        ("ws://[fd00::2]:18789", "ws://[fd00::2]:18789/"),
    ],
)
def test_urls_are_dialed_as_websocket_urls(given: str, dialed: str) -> None:
    assert websocket_url(given) == dialed


@pytest.mark.parametrize("bad", ["ftp://gw:1", "gw:18789", "ws://", "ws://gw:70000", "ws://gw:port", "wss://u:p@gw", "ws://gw/#x"])
def test_other_urls_exit_with_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exited:
        websocket_url(bad)
    assert exited.value.exit_code == 2
    assert capsys.readouterr().err.startswith("--url: expected ws://host:port or wss://host:port")


def test_without_url_the_target_is_the_local_gateway() -> None:
    target = gateway_target(None, None, None)
    assert not target.remote and target.token is None and target.timeout is None
    assert gateway_target(None, "t", 2.5).timeout == 2.5


def test_url_needs_a_token_and_timeout_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert gateway_target("http://gw:1", "t", None).url == "ws://gw:1/"
    for url, token, timeout, message in [
        ("ws://gw:1", None, None, "--token: required with --url"),
        ("ws://gw:1", "", None, "--token: required with --url"),
        (None, None, 0.0, "--timeout: expected a number of seconds above 0, got 0"),
        (None, None, float("nan"), "--timeout: expected a number of seconds above 0, got nan"),
    ]:
        with pytest.raises(typer.Exit):
            gateway_target(url, token, timeout)
        assert capsys.readouterr().err.startswith(message)
