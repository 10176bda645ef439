"""Refusing store hosts on private networks, so a tenant cannot make the hub fetch from the
machine or network it runs in (server-side request forgery)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from g4hub_core.errors import InvalidInput

__all__ = ["check_store_host", "is_public_address"]


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


async def check_store_host(store_url: str, *, allow_private: bool) -> None:
    """Raise `InvalidInput` (`store_host_not_allowed`) when the URL's host is, or resolves to, a
    private, loopback or link-local address and `allow_private` is off. A host that does not
    resolve passes: the connector then reports it as an invalid store URL, with its own message.

    The check resolves the name once; the connector resolves again when it connects. The SDK
    never follows redirects, so a store cannot send the hub elsewhere afterwards.
    """
    if allow_private:
        return
    parts = urlsplit(store_url if "://" in store_url else f"https://{store_url}")
    host = parts.hostname
    if not host:
        return
    port = parts.port or (80 if parts.scheme == "http" else 443)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError):
            return
        addresses = [str(info[4][0]) for info in infos]
    if any(not is_public_address(address) for address in addresses):
        raise InvalidInput(
            f"The store address {host} points into a private network, which this hub does not "
            "connect to. Use the store's public address.",
            code="store_host_not_allowed",
            details={"store_url": "resolves to a private, loopback or link-local address"},
        )
