"""The suite's guard really stops traffic beyond loopback (so no test can reach a real store)."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.conftest import NetworkAccessBlocked


def test_connecting_outside_loopback_fails() -> None:
    with socket.socket() as sock, pytest.raises(NetworkAccessBlocked):
        sock.connect(("93.184.216.34", 443))


def test_dns_lookups_fail() -> None:
    with pytest.raises(NetworkAccessBlocked):
        socket.getaddrinfo("example.com", 443)


async def test_httpx_cannot_reach_a_real_host() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises((NetworkAccessBlocked, httpx.ConnectError)):
            await client.get("https://example.com/")


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.socket() as client:
            client.connect(server.getsockname())
