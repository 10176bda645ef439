"""The client's address, for throttling: the socket's peer, or what trusted proxies forwarded.

`X-Forwarded-For` is a list anyone can write: a client sends whatever it likes and each proxy
appends the address it saw. So it is read only when the peer is one of the configured proxies
(`ApiSettings.trusted_proxies`, none by default), and then from the right: the first address
that is not itself a trusted proxy is the last one a proxy of ours vouched for. Anything left of
it was written by the client and is ignored.

The web server itself must not rewrite the peer from the header (`g4hub serve` runs uvicorn
without proxy headers), or a client could choose its own address before this runs.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from litestar.connection import ASGIConnection

__all__ = ["TrustedProxies", "client_address"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """The networks whose `X-Forwarded-For` is believed."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self._networks: tuple[_Network, ...] = tuple(
            ipaddress.ip_network(entry, strict=False) for entry in entries
        )

    def __repr__(self) -> str:
        return f"TrustedProxies({[str(n) for n in self._networks]})"

    def __bool__(self) -> bool:
        return bool(self._networks)

    def __contains__(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip.version == net.version and ip in net for net in self._networks)


def client_address(connection: ASGIConnection[Any, Any, Any, Any], trusted: TrustedProxies) -> str:
    """The address to count the request against (see the module's docstring)."""
    peer = connection.client.host if connection.client else "unknown"
    if not trusted or peer not in trusted:
        return peer
    hops = [
        hop.strip()
        for header in connection.headers.getall("x-forwarded-for", [])
        for hop in header.split(",")
        if hop.strip()
    ]
    address = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage is the client's writing: stop at the last address a proxy gave
        address = hop
        if hop not in trusted:
            break
    return address
