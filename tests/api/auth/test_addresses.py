"""Whose address a request is counted against: `X-Forwarded-For` is believed only from the
configured proxies, so a client cannot choose a fresh address for each guess."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from hub_api.auth.addresses import TrustedProxies
from hub_api.auth.throttle import LoginThrottle
from hub_api.settings import ApiSettings
from tests.api.auth.conftest import FakeClock, PeerAddress
from tests.api.conftest import register


async def _guess(client: AsyncTestClient[Any], forwarded_for: str) -> int:
    response = await client.post(
        "/api/auth/login",
        json={"email": "owner@example.com", "password": "wrong-password"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


async def test_forwarded_for_is_ignored_by_default(
    client: AsyncTestClient[Any], peer: PeerAddress, clock: FakeClock
) -> None:
    """Nothing trusted (the default): a forged header per guess changes nothing."""
    await register(client, email="owner@example.com")
    client.app.state.login_throttle = LoginThrottle(3, clock=clock, delay_max=0)
    peer.address = "127.0.0.1"  # not even loopback is trusted unless configured

    statuses = [await _guess(client, f"198.51.100.{n}") for n in range(4)]

    assert statuses == [401, 401, 401, 429]


async def test_a_trusted_proxy_names_the_client(
    client: AsyncTestClient[Any], peer: PeerAddress, clock: FakeClock
) -> None:
    await register(client, email="owner@example.com")
    client.app.state.login_throttle = LoginThrottle(3, clock=clock, delay_max=0)
    client.app.state.trusted_proxies = TrustedProxies(["10.0.0.0/8"])
    peer.address = "10.0.0.5"

    # Each client behind the proxy has its own count; what a client wrote left of the proxy's
    # entry is not believed.
    assert [await _guess(client, f"evil, 203.0.113.{n}") for n in range(4)] == [401] * 4
    assert [await _guess(client, "1.2.3.4, 203.0.113.1") for _ in range(3)] == [401, 401, 429]


@pytest.mark.parametrize(
    ("peer_address", "header", "expected"),
    [
        ("10.0.0.5", "203.0.113.9", "203.0.113.9"),
        ("10.0.0.5", "203.0.113.9, 10.0.0.7", "203.0.113.9"),  # a chain of our proxies
        ("10.0.0.5", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own claim ignored
        ("10.0.0.5", "not-an-ip, 203.0.113.9", "203.0.113.9"),
        ("10.0.0.5", "203.0.113.9, garbage", "10.0.0.5"),
        ("10.0.0.5", "", "10.0.0.5"),
        ("192.0.2.1", "203.0.113.9", "192.0.2.1"),  # not a proxy of ours
        ("10.0.0.5", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(peer_address: str, header: str, expected: str) -> None:
    from litestar.connection import ASGIConnection

    scope: Any = {
        "type": "http",
        "client": (peer_address, 1234),
        "headers": [(b"x-forwarded-for", header.encode())] if header else [],
    }
    from hub_api.auth.addresses import client_address

    assert client_address(ASGIConnection(scope), TrustedProxies(["10.0.0.0/8"])) == expected


def test_trusted_proxies_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("G4HUB_TRUSTED_PROXIES", "10.0.0.1, 2001:db8::/32")
    assert ApiSettings().trusted_proxies == ["10.0.0.1", "2001:db8::/32"]
    assert ApiSettings(_env_file=None, trusted_proxies=[]).trusted_proxies == []  # type: ignore[call-arg]

    monkeypatch.setenv("G4HUB_TRUSTED_PROXIES", "10.0.0.300")
    with pytest.raises(ValueError, match="not an IP address"):
        ApiSettings()
